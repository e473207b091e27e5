// Train/validation/test splits as row-index arrays: seeded random, stratified, grouped, k-fold (or a fold file),
// and chronological with an embargo gap. Every index lands in at most one part of a split.
import { Rng } from '@finmm/core';
import fs from 'node:fs';
import { DataError } from './errors.js';

/** Row indices of each part, ascending. */
export interface Split {
  train: number[];
  valid: number[];
  test: number[];
}

/** Fractions of the rows per part; they must sum to 1 (valid or test may be 0). */
export interface SplitFractions {
  train: number;
  valid: number;
  test: number;
}

/** A chronological split and the rows dropped in the embargo gaps. */
export interface ChronologicalSplit extends Split {
  embargoed: number[];
}

/** One fold of k-fold cross-validation. */
export interface Fold {
  train: number[];
  valid: number[];
}

/** A label, class or group value used to stratify or group; null is a value of its own. */
export type StratumValue = string | number | boolean | null;

function checkFractions(f: SplitFractions): void {
  const parts = [f.train, f.valid, f.test];
  if (parts.some((p) => !Number.isFinite(p) || p < 0) || Math.abs(parts.reduce((a, b) => a + b, 0) - 1) > 1e-9) {
    throw new Error(`split fractions must be >= 0 and sum to 1, got train=${f.train} valid=${f.valid} test=${f.test}`);
  }
}

const ascending = (a: number, b: number): number => a - b;

/** Cuts shuffled items into parts of the given fractions (test and valid rounded, train the rest). */
function cut<T>(items: T[], f: SplitFractions): { train: T[]; valid: T[]; test: T[] } {
  const nTest = Math.round(items.length * f.test);
  const nValid = Math.min(items.length - nTest, Math.round(items.length * f.valid));
  return { test: items.slice(0, nTest), valid: items.slice(nTest, nTest + nValid), train: items.slice(nTest + nValid) };
}

/** A seeded random split of rows 0..n-1. */
export function randomSplit(n: number, options: { fractions: SplitFractions; seed: number }): Split {
  checkFractions(options.fractions);
  const parts = cut(Rng.fromSeed(options.seed).permutation(n), options.fractions);
  return { train: parts.train.sort(ascending), valid: parts.valid.sort(ascending), test: parts.test.sort(ascending) };
}

function byStratum(values: readonly StratumValue[]): Map<string, number[]> {
  const strata = new Map<string, number[]>();
  values.forEach((v, i) => {
    const key = v === null ? '\u0000null' : `${typeof v}:${String(v)}`;
    const list = strata.get(key);
    if (list === undefined) strata.set(key, [i]);
    else list.push(i);
  });
  return new Map([...strata.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A seeded split that keeps each label's share the same in every part (labels[i] is row i's label). */
export function stratifiedSplit(labels: readonly StratumValue[], options: { fractions: SplitFractions; seed: number }): Split {
  checkFractions(options.fractions);
  const rng = Rng.fromSeed(options.seed);
  const out: Split = { train: [], valid: [], test: [] };
  for (const rows of byStratum(labels).values()) {
    const parts = cut(rng.shuffle(rows), options.fractions);
    out.train.push(...parts.train);
    out.valid.push(...parts.valid);
    out.test.push(...parts.test);
  }
  return { train: out.train.sort(ascending), valid: out.valid.sort(ascending), test: out.test.sort(ascending) };
}

/** A seeded split of whole groups (e.g. tickers or customers): no group has rows in two parts. */
export function groupSplit(groups: readonly StratumValue[], options: { fractions: SplitFractions; seed: number }): Split {
  checkFractions(options.fractions);
  const strata = [...byStratum(groups).values()];
  const parts = cut(Rng.fromSeed(options.seed).shuffle(strata), options.fractions);
  return { train: parts.train.flat().sort(ascending), valid: parts.valid.flat().sort(ascending), test: parts.test.flat().sort(ascending) };
}

/** Folds from a fold assignment: `fold[i]` is the fold whose validation part holds row i. */
export function foldsFromAssignment(fold: readonly number[], k?: number): Fold[] {
  const count = k ?? Math.max(-1, ...fold) + 1;
  fold.forEach((f, i) => {
    if (!Number.isInteger(f) || f < 0 || f >= count) throw new Error(`fold[${i}] = ${f} is not a fold in 0..${count - 1}`);
  });
  return Array.from({ length: count }, (_, f) => ({
    train: fold.flatMap((g, i) => (g === f ? [] : [i])),
    valid: fold.flatMap((g, i) => (g === f ? [i] : [])),
  }));
}

/** Seeded k-fold cross-validation over rows 0..n-1; stratified by `labels` when given. */
export function kFold(n: number, k: number, options: { seed: number; labels?: readonly StratumValue[] }): Fold[] {
  if (!Number.isInteger(k) || k < 2 || k > n) throw new Error(`kFold: k must be an integer in 2..${n}, got ${k}`);
  if (options.labels !== undefined && options.labels.length !== n) {
    throw new Error(`kFold: ${options.labels.length} labels for ${n} rows`);
  }
  const rng = Rng.fromSeed(options.seed);
  const assignment = new Array<number>(n).fill(0);
  const strata = options.labels === undefined ? [Array.from({ length: n }, (_, i) => i)] : [...byStratum(options.labels).values()];
  let next = 0; // deal each stratum round-robin, continuing where the last one stopped, so fold sizes differ by <= 1
  for (const rows of strata) {
    for (const row of rng.shuffle([...rows])) {
      assignment[row] = next;
      next = (next + 1) % k;
    }
  }
  return foldsFromAssignment(assignment, k);
}

/** Reads a fold file: a JSON array of fold numbers, or an object with a `fold` array (as german-credit's folds_5.json). */
export function readFoldFile(file: string, expectedRows?: number): number[] {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DataError({ file }, `cannot read the fold file: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const fold = Array.isArray(json) ? json : (json as { fold?: unknown } | null)?.fold;
  if (!Array.isArray(fold)) throw new DataError({ file, field: 'fold' }, 'expected an array of fold numbers (or an object with one in "fold")');
  fold.forEach((f, i) => {
    if (!Number.isInteger(f) || (f as number) < 0) throw new DataError({ file, field: `fold[${i}]` }, `expected a fold number >= 0, got ${JSON.stringify(f)}`);
  });
  if (expectedRows !== undefined && fold.length !== expectedRows) {
    throw new DataError({ file, field: 'fold' }, `has ${fold.length} entries, but the dataset has ${expectedRows} rows`);
  }
  return fold as number[];
}

/** Where a chronological split cuts, in epoch ms: [start, validFrom) train, [validFrom, testFrom) valid, [testFrom, end) test. */
export interface ChronologicalBounds {
  validFrom: number;
  testFrom: number;
  /** Rows before this are left out (default: none). */
  start?: number;
  /** Rows at or after this are left out (default: none). */
  end?: number;
  /** Rows less than this many ms before `validFrom` or `testFrom` are dropped, so no label window straddles a cut. */
  embargoMs?: number;
}

/** Splits rows by their time (epoch ms per row) at fixed dates, with an embargo gap before each cut. */
export function chronologicalSplit(times: ArrayLike<number | null>, bounds: ChronologicalBounds): ChronologicalSplit {
  const embargo = bounds.embargoMs ?? 0;
  if (!(bounds.validFrom <= bounds.testFrom) || embargo < 0) {
    throw new Error(`chronologicalSplit: need validFrom <= testFrom and embargoMs >= 0`);
  }
  const out: ChronologicalSplit = { train: [], valid: [], test: [], embargoed: [] };
  for (let i = 0; i < times.length; i++) {
    const t = times[i];
    if (t === null || t === undefined || !Number.isFinite(t)) throw new Error(`chronologicalSplit: row ${i} has no time (${String(t)})`);
    if ((bounds.start !== undefined && t < bounds.start) || (bounds.end !== undefined && t >= bounds.end)) continue;
    if (t >= bounds.testFrom) out.test.push(i);
    else if (t >= bounds.testFrom - embargo && t >= bounds.validFrom) out.embargoed.push(i);
    else if (t >= bounds.validFrom) out.valid.push(i);
    else if (t >= bounds.validFrom - embargo) out.embargoed.push(i);
    else out.train.push(i);
  }
  return out;
}

/** Chronological split whose cuts fall at the given fractions of the distinct times (earliest rows train). */
export function chronologicalSplitByFraction(
  times: ArrayLike<number | null>,
  options: { fractions: SplitFractions; embargoMs?: number },
): ChronologicalSplit {
  checkFractions(options.fractions);
  const distinct = [...new Set(Array.from(times, (t) => t ?? Number.NaN))].sort(ascending);
  if (distinct.some((t) => !Number.isFinite(t))) throw new Error('chronologicalSplitByFraction: every row needs a time');
  const at = (q: number): number => distinct[Math.min(distinct.length - 1, Math.round(q * distinct.length))] ?? Number.POSITIVE_INFINITY;
  const { train, valid, test } = options.fractions;
  return chronologicalSplit(times, {
    validFrom: valid + test === 0 ? Number.POSITIVE_INFINITY : at(train),
    testFrom: test === 0 ? Number.POSITIVE_INFINITY : at(train + valid),
    embargoMs: options.embargoMs ?? 0,
  });
}
