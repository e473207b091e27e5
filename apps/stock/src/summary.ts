// The run summary over seeds: every seed's test accuracy and MCC with its day-clustered interval and its paired
// difference to the market rule, mean and spread over seeds, the seed ensemble, the baselines and (on all of
// StockNet with the official split) the published results, as JSON and Markdown.
import { formatSpread, markdownTable, spread, type BootstrapInterval, type Spread } from '@finmm/finance-tasks';
import { baselineRows, formatInterval, MARKET_RULE, MODEL, PUBLISHED, type SplitEvaluation } from './evaluation.js';

/** One seed's results. */
export interface SeedRow {
  seed: number;
  epochs: number;
  keptEpoch: number;
  stopReason: string;
  seconds: number;
  validation: { accuracy: number; mcc: number; loss: number };
  test: SplitEvaluation;
  model: string;
}

/** What report.json holds (besides the run's seconds). */
export interface StockSummary {
  seeds: Array<Omit<SeedRow, 'test'> & { test: Omit<SplitEvaluation, 'report'> }>;
  /** Mean and sample standard deviation over seeds of the test accuracy and MCC. */
  overSeeds: { accuracy: Spread; mcc: Spread };
  /** P(up) averaged over the seeds (null with one seed). */
  ensemble: Omit<SplitEvaluation, 'report'> | null;
  /** The baselines on the test split (from the first seed's evaluation; they do not depend on the seed). */
  baselines: Record<string, { accuracy: BootstrapInterval; mcc: BootstrapInterval }>;
  published: Array<{ name: string; accuracy: number; mcc: number }> | null;
}

const withoutReport = ({ report: _r, ...rest }: SplitEvaluation): Omit<SplitEvaluation, 'report'> => rest;

/** Aggregates the seeds of a run. */
export function summariseSeeds(rows: readonly SeedRow[], ensemble: SplitEvaluation | null, official: boolean): StockSummary {
  if (rows.length === 0) throw new Error('summariseSeeds: no seeds');
  const first = (rows[0] as SeedRow).test.bootstrap.metrics;
  const baselines = Object.fromEntries(Object.entries(first).filter(([name]) => name !== MODEL)) as StockSummary['baselines'];
  return {
    seeds: rows.map((r) => ({ ...r, test: withoutReport(r.test) })),
    overSeeds: { accuracy: spread(rows.map((r) => r.test.metrics.accuracy)), mcc: spread(rows.map((r) => r.test.metrics.mcc)) },
    ensemble: ensemble === null ? null : withoutReport(ensemble),
    baselines,
    published: official ? PUBLISHED.map((p) => ({ ...p })) : null,
  };
}

/** The summary as Markdown. */
export function summaryMarkdown(summary: StockSummary, firstTest: SplitEvaluation, header: { title: string; lines: string[] }): string {
  const n = summary.seeds.length;
  const interval = (e: Omit<SplitEvaluation, 'report'>, key: string, m: 'accuracy' | 'mcc'): string => formatInterval((e.bootstrap.metrics[key] as Record<'accuracy' | 'mcc', BootstrapInterval>)[m]);
  const rows: string[][] = summary.seeds.map((s) => [`model, seed ${s.seed}`, interval(s.test, MODEL, 'accuracy'), interval(s.test, MODEL, 'mcc')]);
  rows.push([`model, mean ± std over ${n} seed${n === 1 ? '' : 's'}`, formatSpread(summary.overSeeds.accuracy), n < 2 ? `${summary.overSeeds.mcc.mean.toFixed(4)} (1 seed)` : formatSpread(summary.overSeeds.mcc)]);
  if (summary.ensemble !== null) rows.push([`seed ensemble (mean P(up) of ${n} seeds)`, interval(summary.ensemble, MODEL, 'accuracy'), interval(summary.ensemble, MODEL, 'mcc')]);
  rows.push(...baselineRows(firstTest));
  for (const p of summary.published ?? []) rows.push([p.name, p.accuracy.toFixed(4), p.mcc.toFixed(3)]);
  const diff = (s: StockSummary['seeds'][number] | { seed: string; test: Omit<SplitEvaluation, 'report'> }): string[] => {
    const d = s.test.bootstrap.differences.find((x) => x.b === MARKET_RULE);
    return [String(s.seed), d === undefined ? '–' : formatInterval(d.accuracy, 4, true), d === undefined ? '–' : formatInterval(d.mcc, 4, true)];
  };
  const diffs = [...summary.seeds.map(diff), ...(summary.ensemble === null ? [] : [diff({ seed: 'ensemble', test: summary.ensemble })])];
  const seeds = markdownTable(
    ['seed', 'epochs (kept)', 'stop', 'validation accuracy', 'validation MCC', 'test ROC-AUC', 'seconds'],
    summary.seeds.map((s) => [s.seed, `${s.epochs} (${s.keptEpoch})`, s.stopReason, s.validation.accuracy.toFixed(4), s.validation.mcc.toFixed(4), s.test.metrics.roc_auc.toFixed(4), s.seconds.toFixed(0)]),
  );
  const b = firstTest.bootstrap;
  return [
    `# ${header.title}`,
    '',
    ...header.lines,
    '',
    `Test split: ${firstTest.samples} samples on ${firstTest.days} days (${firstTest.up} up). Brackets: ${Math.round(b.level * 100)}% percentile intervals of ${b.resamples} day-clustered bootstrap resamples (whole test days drawn with replacement, seed ${b.seed}). The model predicts up when P(up) >= 0.5; its epochs were chosen on the validation split only.${summary.published === null ? '' : ' Published results are as reported by their authors (no intervals).'}`,
    '',
    markdownTable(['test', 'accuracy [95% CI]', 'MCC [95% CI]'], rows),
    '',
    '## Model minus market rule (paired: the same resampled days)',
    '',
    markdownTable(['seed', 'accuracy difference [95% CI]', 'MCC difference [95% CI]'], diffs),
    '',
    '## Every seed',
    '',
    seeds,
    '',
  ].join('\n');
}
