// Which models a run trains: every (fold, seed) of the cross-validation, or one model per seed on all rows.
import { stratifiedSplit } from '@finmm/data';
import type { CreditConfig } from './config.js';
import type { CreditData } from './data.js';

/** One model to train: its training rows (from which the inner validation rows are taken) and its test rows. */
export interface FitPlan {
  /** `fold2-seed1`, or `all-seed0` without cross-validation. */
  name: string;
  fold: number | null;
  seed: number;
  trainRows: number[];
  /** The held-out fold (empty without cross-validation). */
  testRows: number[];
}

/** The fits of a run, seeds outer, folds inner. */
export function planFits(data: CreditData, config: Pick<CreditConfig, 'cv' | 'seeds'>): FitPlan[] {
  const all = data.labels.map((_, i) => i);
  if (!config.cv) return config.seeds.map((seed) => ({ name: `all-seed${seed}`, fold: null, seed, trainRows: all, testRows: [] }));
  const k = Math.max(...data.folds) + 1;
  return config.seeds.flatMap((seed) =>
    Array.from({ length: k }, (_, fold) => ({
      name: `fold${fold}-seed${seed}`,
      fold,
      seed,
      trainRows: all.filter((i) => data.folds[i] !== fold),
      testRows: all.filter((i) => data.folds[i] === fold),
    })),
  );
}

/** A seeded stratified split of a fit's training rows into inner training and validation rows (table row indices). */
export function innerSplit(labels: readonly number[], trainRows: readonly number[], fraction: number, seed: number): { train: number[]; valid: number[] } {
  const split = stratifiedSplit(trainRows.map((r) => labels[r] as number), { fractions: { train: 1 - fraction, valid: fraction, test: 0 }, seed });
  const rows = (idx: number[]): number[] => idx.map((j) => trainRows[j] as number);
  const valid = rows(split.valid);
  if (valid.length === 0 || !valid.some((r) => labels[r] === 1) || !valid.some((r) => labels[r] === 0)) {
    throw new Error(`the validation split (${fraction} of ${trainRows.length} rows) needs both classes; use more data or a larger "validation"`);
  }
  return { train: rows(split.train), valid };
}
