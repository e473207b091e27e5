// The summary of a cross-validated run: every fit's held-out metrics, their mean and spread over all fits,
// over folds and over seeds, the seed ensemble, and the classical baselines measured on the same folds.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { binaryReport, expectedCost, formatSpread, markdownTable, spread, type CostMatrix, type Spread } from '@finmm/finance-tasks';

/** The metrics reported per fit. */
export const SUMMARY_METRICS = ['roc_auc', 'ks', 'gini', 'brier', 'cost', 'cost_bayes'] as const;
/** One of SUMMARY_METRICS. */
export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

const LABELS: Record<SummaryMetric, string> = {
  roc_auc: 'ROC-AUC',
  ks: 'KS',
  gini: 'Gini',
  brier: 'Brier',
  cost: 'cost / applicant, threshold chosen on validation',
  cost_bayes: 'cost / applicant, Bayes threshold',
};

/** One fit's held-out result. */
export interface FitRow {
  name: string;
  fold: number | null;
  seed: number;
  epochs: number;
  seconds: number;
  threshold: number;
  metrics: Record<SummaryMetric, number>;
  /** Test rows and their P(positive), for the seed ensemble. */
  rows: number[];
  scores: number[];
}

/** Baseline results written by tools/python/credit_baseline.py. */
interface BaselineFile {
  protocol: string;
  sklearn: string;
  data: Record<string, string>;
  models: Record<string, { summary: Record<string, { mean: number; std: number }> }>;
}

/** The run's aggregate numbers (report.json). */
export interface CvSummary {
  fits: Array<Omit<FitRow, 'rows' | 'scores'>>;
  overall: Record<SummaryMetric, Spread>;
  /** Spread over folds of each fold's mean over seeds. */
  overFolds: Record<SummaryMetric, Spread>;
  /** Spread over seeds of each seed's mean over folds. */
  overSeeds: Record<SummaryMetric, Spread>;
  perSeed: Array<{ seed: number; metrics: Record<SummaryMetric, number> }>;
  /** Averaging P(positive) over the seeds per test row; spread over folds (threshold: Bayes only). */
  ensemble: { roc_auc: Spread; ks: Spread; gini: Spread; cost_bayes: Spread } | null;
  baselines: BaselineFile | null;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function spreadOf(rows: ReadonlyArray<{ metrics: Record<SummaryMetric, number> }>): Record<SummaryMetric, Spread> {
  return Object.fromEntries(SUMMARY_METRICS.map((m) => [m, spread(rows.map((r) => r.metrics[m]))])) as Record<SummaryMetric, Spread>;
}

function groupMeans<K>(rows: readonly FitRow[], key: (r: FitRow) => K): Array<{ key: K; metrics: Record<SummaryMetric, number> }> {
  const keys = [...new Set(rows.map(key))];
  return keys.map((k) => {
    const group = rows.filter((r) => key(r) === k);
    return { key: k, metrics: Object.fromEntries(SUMMARY_METRICS.map((m) => [m, mean(group.map((r) => r.metrics[m]))])) as Record<SummaryMetric, number> };
  });
}

function ensemble(rows: readonly FitRow[], labels: readonly number[], classes: [string, string], cost: CostMatrix, bayes: number): CvSummary['ensemble'] {
  const folds = [...new Set(rows.map((r) => r.fold))];
  if (folds.includes(null) || new Set(rows.map((r) => r.seed)).size < 2) return null;
  const perFold = folds.map((fold) => {
    const fits = rows.filter((r) => r.fold === fold);
    const testRows = fits[0]?.rows ?? [];
    const scores = testRows.map((_, i) => mean(fits.map((f) => f.scores[i] as number)));
    const y = testRows.map((r) => labels[r] as number);
    const report = binaryReport({ yTrue: y, scores, classes, thresholds: {} });
    return { ...report.metrics, cost_bayes: expectedCost(y, scores, bayes, cost) };
  });
  return {
    roc_auc: spread(perFold.map((f) => f.roc_auc)),
    ks: spread(perFold.map((f) => f.ks)),
    gini: spread(perFold.map((f) => f.gini)),
    cost_bayes: spread(perFold.map((f) => f.cost_bayes)),
  };
}

/** Baselines measured by tools/python/credit_baseline.py on German Credit's folds, when the file exists. */
export function readGermanBaselines(): BaselineFile | null {
  const file = fileURLToPath(new URL('../baselines/german-credit.json', import.meta.url));
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BaselineFile) : null;
}

/** Aggregates the fits of a run. */
export function summariseFits(
  rows: readonly FitRow[],
  context: { labels: readonly number[]; classes: [string, string]; costMatrix: CostMatrix; bayes: number; baselines: BaselineFile | null },
): CvSummary {
  if (rows.length === 0) throw new Error('summariseFits: no fits');
  const bySeed = groupMeans(rows, (r) => r.seed);
  const byFold = groupMeans(rows, (r) => r.fold);
  return {
    fits: rows.map(({ rows: _r, scores: _s, ...rest }) => rest),
    overall: spreadOf(rows),
    overFolds: spreadOf(byFold),
    overSeeds: spreadOf(bySeed),
    perSeed: bySeed.map((s) => ({ seed: s.key, metrics: s.metrics })),
    ensemble: ensemble(rows, context.labels, context.classes, context.costMatrix, context.bayes),
    baselines: context.baselines,
  };
}

/** The summary as Markdown. */
export function summaryMarkdown(summary: CvSummary, header: { title: string; lines: string[] }): string {
  const n = summary.fits.length;
  const base = summary.baselines?.models ?? {};
  const baseNames = Object.keys(base);
  const baseCell = (name: string, m: SummaryMetric): string => {
    const s = base[name]?.summary[m];
    return s === undefined ? '–' : `${s.mean.toFixed(4)} ± ${s.std.toFixed(4)}`;
  };
  const ens = summary.ensemble as Record<string, Spread> | null;
  const table = markdownTable(
    ['metric (held-out folds)', `all ${n} fits`, 'over folds (mean of seeds)', 'over seeds (mean of folds)', 'seed ensemble', ...baseNames.map((b) => `${b.replace(/_/g, ' ')} (sklearn)`)],
    SUMMARY_METRICS.map((m) => [
      LABELS[m],
      formatSpread(summary.overall[m]),
      formatSpread(summary.overFolds[m]),
      summary.overSeeds[m].n < 2 ? '– (1 seed)' : formatSpread(summary.overSeeds[m]),
      ens?.[m] === undefined ? '–' : formatSpread(ens[m] as Spread),
      ...baseNames.map((b) => baseCell(b, m)),
    ]),
  );
  const fits = markdownTable(
    ['fit', 'fold', 'seed', 'epochs', 'ROC-AUC', 'KS', 'Gini', 'threshold', 'cost', 'cost (Bayes)', 'seconds'],
    summary.fits.map((f) => [f.name, f.fold ?? '–', f.seed, f.epochs, f.metrics.roc_auc.toFixed(4), f.metrics.ks.toFixed(4), f.metrics.gini.toFixed(4), f.threshold.toFixed(3), f.metrics.cost.toFixed(4), f.metrics.cost_bayes.toFixed(4), f.seconds.toFixed(1)]),
  );
  const seeds = markdownTable(
    ['seed', 'ROC-AUC', 'KS', 'Gini', 'cost', 'cost (Bayes)'],
    summary.perSeed.map((s) => [s.seed, s.metrics.roc_auc.toFixed(4), s.metrics.ks.toFixed(4), s.metrics.gini.toFixed(4), s.metrics.cost.toFixed(4), s.metrics.cost_bayes.toFixed(4)]),
  );
  return [
    `# ${header.title}`,
    '',
    ...header.lines,
    '',
    'Mean ± sample standard deviation. Costs are mean misclassification costs per applicant on the held-out fold.',
    '',
    table,
    '',
    '## Mean over folds, per seed',
    '',
    seeds,
    '',
    '## Every fit',
    '',
    fits,
    '',
  ].join('\n');
}
