// A sentiment ensemble: late fusion of trained sentiment models by a weighted mean of their class probabilities.
// `sentiment ensemble` copies each member model into member<i>/ of a new directory and writes ensemble.json last
// (the weights, how they were chosen, the validation metrics); `evaluate` and `predict` accept that directory like
// a single model. The members must come from the same data (same files, classes and split rows), so the weights
// are chosen on the validation rows only and the test rows stay unseen.
import { existsSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDirectory, tempSiblingPath, writeAndSync } from '@finmm/core';
import { checkFingerprints, fingerprintFiles, readInfoFile, UsageError } from '@finmm/finance-tasks';
import { z } from 'zod';
import { loadSentimentData } from './data.js';
import { loadSentimentModel, readSentimentInfo, type SentimentModelInfo } from './model-dir.js';
import { meanLogLoss, sentimentReport, type SentimentReport } from './report.js';
import { predictRows, sentimentSource } from './source.js';

/** File that marks a directory as a sentiment ensemble (written last). */
export const ENSEMBLE_FILE = 'ensemble.json';
/** How the members' weights are chosen: equal, or greedy selection with replacement on validation log loss. */
export const ENSEMBLE_WEIGHTINGS = ['equal', 'greedy'] as const;
/** One of ENSEMBLE_WEIGHTINGS. */
export type EnsembleWeighting = (typeof ENSEMBLE_WEIGHTINGS)[number];

const validationMetrics = z.object({ accuracy: z.number(), macroF1: z.number(), logLoss: z.number() });

/** Schema of ensemble.json. */
export const ensembleInfoSchema = z.object({
  kind: z.literal('finmm/sentiment-ensemble'),
  version: z.literal(1),
  classes: z.array(z.string()).min(2),
  weighting: z.enum(ENSEMBLE_WEIGHTINGS),
  /** Greedy selection rounds (null for equal weights). */
  rounds: z.number().int().positive().nullable(),
  members: z
    .array(
      z.object({
        dir: z.string().regex(/^member\d+$/),
        /** Where the member was copied from. */
        source: z.string(),
        weight: z.number().min(0).max(1),
        validation: validationMetrics,
      }),
    )
    .min(2),
  /** The ensemble's metrics on the validation rows that chose the weights (optimistic). */
  validation: validationMetrics,
});

/** The contents of ensemble.json. */
export type SentimentEnsembleInfo = z.output<typeof ensembleInfoSchema>;

/** True when `dir` holds an ensemble.json (a sentiment ensemble rather than a single model). */
export function isSentimentEnsemble(dir: string): boolean {
  return existsSync(path.join(dir, ENSEMBLE_FILE));
}

/** Reads and validates an ensemble directory: ensemble.json and every member's sentiment.json, which must agree. */
export function readEnsembleInfo(dir: string): { info: SentimentEnsembleInfo; members: Array<{ dir: string; info: SentimentModelInfo }> } {
  const file = path.join(dir, ENSEMBLE_FILE);
  const info = readInfoFile(file, ensembleInfoSchema);
  const total = info.members.reduce((acc, m) => acc + m.weight, 0);
  if (Math.abs(total - 1) > 1e-6) throw new Error(`${file}: field "members": the weights add up to ${total}, expected 1`);
  const members = info.members.map((m) => ({ dir: path.join(dir, m.dir), info: readSentimentInfo(path.join(dir, m.dir)) }));
  checkCompatibleMembers(members);
  const first = members[0]?.info as SentimentModelInfo;
  if (JSON.stringify(first.classes) !== JSON.stringify(info.classes)) {
    throw new Error(`${file}: field "classes" is ${info.classes.join(', ')} but the members predict ${first.classes.join(', ')}`);
  }
  return { info, members };
}

/** Throws unless every member was trained on the same data files, classes, split rows and text field as the first. */
export function checkCompatibleMembers(members: ReadonlyArray<{ dir: string; info: SentimentModelInfo }>): void {
  const [first, ...rest] = members;
  if (first === undefined) throw new UsageError('an ensemble needs at least 2 member models');
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  for (const member of rest) {
    const differs = (what: string, a: unknown, b: unknown): Error =>
      new UsageError(`ensemble member ${member.dir}: its ${what} differ from those of ${first.dir} (${JSON.stringify(b)} vs ${JSON.stringify(a)}); members must be trained on the same data and split`);
    if (!same(first.info.classes, member.info.classes)) throw differs('classes', first.info.classes, member.info.classes);
    const hashes = (info: SentimentModelInfo): string[] => info.data.files.map((f) => `${f.name}:${f.sha256}`);
    if (!same(hashes(first.info), hashes(member.info))) throw differs('data files', hashes(first.info), hashes(member.info));
    for (const part of ['train', 'validation', 'test'] as const) {
      if (!same(first.info.split[part], member.info.split[part])) throw differs(`${part} rows`, `${first.info.split[part].length} rows`, `${member.info.split[part].length} rows`);
    }
    if (first.info.text.field !== member.info.text.field) throw differs('text fields', first.info.text.field, member.info.text.field);
  }
}

/** The weighted mean of the members' class probabilities: `probs[m][i][k]` -> `[i][k]`. */
export function combineProbabilities(probs: ReadonlyArray<ReadonlyArray<ArrayLike<number>>>, weights: readonly number[]): number[][] {
  if (probs.length !== weights.length) throw new Error(`combineProbabilities: ${probs.length} members but ${weights.length} weights`);
  const n = probs[0]?.length ?? 0;
  for (const [m, p] of probs.entries()) if (p.length !== n) throw new Error(`combineProbabilities: member ${m} has ${p.length} rows, member 0 has ${n}`);
  return Array.from({ length: n }, (_, i) => {
    const k = (probs[0]?.[i] as ArrayLike<number>).length;
    const out = new Array<number>(k).fill(0);
    probs.forEach((p, m) => {
      const row = p[i] as ArrayLike<number>;
      for (let c = 0; c < k; c++) out[c] = (out[c] as number) + (weights[m] as number) * (row[c] as number);
    });
    return out;
  });
}

/**
 * Greedy ensemble selection with replacement (Caruana et al., 2004, as in AutoGluon's weighted ensemble): `rounds`
 * times add the member whose addition gives the lowest log loss on the given rows; the weights are the counts over
 * `rounds` (the first member among equals wins a tie).
 */
export function greedyWeights(probs: ReadonlyArray<ReadonlyArray<ArrayLike<number>>>, yTrue: readonly number[], rounds: number): number[] {
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError(`--rounds must be a positive integer, got ${rounds}`);
  const counts = new Array<number>(probs.length).fill(0);
  for (let r = 0; r < rounds; r++) {
    let best = { loss: Infinity, member: 0 };
    for (let m = 0; m < probs.length; m++) {
      const trial = counts.map((c, j) => (c + (j === m ? 1 : 0)) / (r + 1));
      const loss = meanLogLoss(yTrue, combineProbabilities(probs, trial));
      if (loss < best.loss) best = { loss, member: m };
    }
    counts[best.member] = (counts[best.member] as number) + 1;
  }
  return counts.map((c) => c / rounds);
}

/** Options of `sentiment ensemble`. */
export interface EnsembleCommandOptions {
  /** The member model directories (at least 2). */
  model: string[];
  /** The new ensemble directory (must not exist). */
  output: string;
  weights: string;
  rounds: string;
}

/** What `sentiment ensemble` returns. */
export interface EnsembleOutcome {
  dir: string;
  info: SentimentEnsembleInfo;
}

const metricsOf = (report: SentimentReport): SentimentEnsembleInfo['validation'] => ({ accuracy: report.accuracy, macroF1: report.macroF1, logLoss: report.logLoss });

/** Runs `sentiment ensemble`: scores the members on the validation rows, chooses weights, writes the directory. */
export async function ensembleSentiment(options: EnsembleCommandOptions, print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<EnsembleOutcome> {
  const weighting = options.weights as EnsembleWeighting;
  if (!ENSEMBLE_WEIGHTINGS.includes(weighting)) throw new UsageError(`--weights must be one of ${ENSEMBLE_WEIGHTINGS.join(', ')}, got "${options.weights}"`);
  const rounds = Number(options.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError(`--rounds must be a positive integer, got "${options.rounds}"`);
  if (options.model.length < 2) throw new UsageError(`an ensemble needs at least 2 --model directories, got ${options.model.length}`);
  const output = path.resolve(options.output);
  if (existsSync(output)) throw new UsageError(`--output ${output} already exists; give a new directory`);
  const members = options.model.map((dir) => {
    if (isSentimentEnsemble(dir)) throw new UsageError(`ensemble member ${dir} is itself an ensemble; give its member directories instead`);
    return { dir: path.resolve(dir), info: readSentimentInfo(dir) };
  });
  checkCompatibleMembers(members);
  const first = (members[0] as (typeof members)[number]).info;
  const data = await loadSentimentData(first.data.config);
  checkFingerprints(first.data.files, fingerprintFiles(data.files), `ensemble ${members[0]?.dir}`);
  const rows = first.split.validation;
  if (rows.length === 0) throw new UsageError(`the members have no validation rows to choose the weights on`);
  const memberProbs: number[][][] = [];
  const memberReports: SentimentReport[] = [];
  let yTrue: number[] = [];
  for (const member of members) {
    const loaded = await loadSentimentModel(member.dir);
    try {
      const predictions = await predictRows(loaded.model, sentimentSource(data, loaded.featurizer), rows, 128);
      memberProbs.push(predictions.probs);
      yTrue = predictions.yTrue;
      const report = sentimentReport(predictions.yTrue, predictions.probs, first.classes, 'validation');
      memberReports.push(report);
      print(`sentiment ensemble: member ${member.dir}: validation accuracy ${report.accuracy.toFixed(4)}, macro-F1 ${report.macroF1.toFixed(4)}, log loss ${report.logLoss.toFixed(4)}`);
    } finally {
      loaded.model.dispose();
    }
  }
  const weights = weighting === 'equal' ? members.map(() => 1 / members.length) : greedyWeights(memberProbs, yTrue, rounds);
  const ensembleReport = sentimentReport(yTrue, combineProbabilities(memberProbs, weights), first.classes, 'validation');
  const info: SentimentEnsembleInfo = {
    kind: 'finmm/sentiment-ensemble',
    version: 1,
    classes: [...first.classes],
    weighting,
    rounds: weighting === 'greedy' ? rounds : null,
    members: members.map((m, i) => ({ dir: `member${i}`, source: m.dir, weight: weights[i] as number, validation: metricsOf(memberReports[i] as SentimentReport) })),
    validation: metricsOf(ensembleReport),
  };
  await writeEnsembleDir(output, info);
  print(`sentiment ensemble: weights ${weights.map((w) => w.toFixed(3)).join(', ')} (${weighting}); validation accuracy ${ensembleReport.accuracy.toFixed(4)}, macro-F1 ${ensembleReport.macroF1.toFixed(4)}, log loss ${ensembleReport.logLoss.toFixed(4)} (the rows that chose the members' epochs${weighting === 'greedy' ? ' and the weights' : ''}: optimistic)`);
  print(`sentiment ensemble: ${output} (evaluate it with: sentiment evaluate --model ${output} --split test)`);
  return { dir: output, info };
}

/** Builds the directory in a hidden sibling (members copied, ensemble.json last), then renames it into place. */
async function writeEnsembleDir(output: string, info: SentimentEnsembleInfo): Promise<void> {
  await mkdir(path.dirname(output), { recursive: true });
  const staged = tempSiblingPath(output, 'tmp');
  await mkdir(staged);
  try {
    for (const member of info.members) await cp(member.source, path.join(staged, member.dir), { recursive: true });
    await writeAndSync(path.join(staged, ENSEMBLE_FILE), `${JSON.stringify(info, null, 1)}\n`);
    await fsyncDirectory(staged);
    await rename(staged, output);
  } catch (error) {
    await rm(staged, { recursive: true, force: true });
    throw error;
  }
  await fsyncDirectory(path.dirname(output));
}
