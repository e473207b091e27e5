// Scores of a split against its labels, beside the no-training baselines: accuracy and MCC with day-clustered
// bootstrap intervals, paired model-minus-baseline differences, and the binary report (ROC-AUC, confusion).
import {
  binaryReport,
  binaryReportMarkdown,
  dayBootstrap,
  marketRulePredictions,
  markdownTable,
  STOCKNET_CLASSES,
  type BinaryReport,
  type BootstrapInterval,
  type DayBootstrapOptions,
  type DayBootstrapResult,
  type MarketSeries,
} from '@finmm/finance-tasks';

/** Name of the model's predictions in bootstrap results. */
export const MODEL = 'model';
/** "Predict the previous market day's average move": up when it was > 0. */
export const MARKET_RULE = 'market_rule';
/** Always the majority class of the training labels. */
export const MAJORITY = 'majority';

/** Published StockNet test results (accuracy, MCC), comparable only on all of StockNet with the official split. */
export const PUBLISHED = [
  { name: 'StockNet (Xu & Cohen 2018, published)', accuracy: 0.5823, mcc: 0.081 },
  { name: 'CausalStock (NeurIPS 2024, published)', accuracy: 0.6342, mcc: 0.217 },
] as const;

/** A model's scores on one split, with baselines and intervals. */
export interface SplitEvaluation {
  split: string;
  samples: number;
  days: number;
  up: number;
  /** The training split's majority class (1 up, 0 down). */
  majorityClass: number;
  /** Targets with no market day before them: the market rule predicts the majority class there. */
  ruleFallbacks: number;
  /** Model metrics at P(up) >= 0.5. */
  metrics: { accuracy: number; mcc: number; roc_auc: number; brier: number; log_loss: number };
  /** Accuracy and MCC of the model and the baselines with intervals; differences model - market rule and model - majority. */
  bootstrap: DayBootstrapResult;
  report: BinaryReport;
}

/** The market rule's 0/1 predictions for target dates (the majority class where no market day precedes a date). */
export function marketRuleFor(series: MarketSeries, dates: readonly string[], majorityClass: number): { predictions: number[]; fallbacks: number } {
  const raw = marketRulePredictions(series, dates);
  return { predictions: raw.map((p) => p ?? majorityClass), fallbacks: raw.filter((p) => p === null).length };
}

/** Evaluates P(up) scores of a split's targets (dates and 0/1 labels aligned with the scores). */
export function evaluateSplit(input: {
  split: string;
  dates: readonly string[];
  labels: readonly number[];
  scores: readonly number[];
  market: MarketSeries;
  majorityClass: number;
  bootstrap: DayBootstrapOptions;
}): SplitEvaluation {
  const { dates, labels, scores } = input;
  if (labels.length === 0) throw new Error(`split "${input.split}" has no samples`);
  const model = scores.map((s) => (s >= 0.5 ? 1 : 0));
  const rule = marketRuleFor(input.market, dates, input.majorityClass);
  const bootstrap = dayBootstrap(
    {
      days: dates,
      yTrue: labels,
      predictions: { [MODEL]: model, [MARKET_RULE]: rule.predictions, [MAJORITY]: labels.map(() => input.majorityClass) },
      pairs: [[MODEL, MARKET_RULE], [MODEL, MAJORITY]],
    },
    input.bootstrap,
  );
  const report = binaryReport({ yTrue: labels, scores, classes: [...STOCKNET_CLASSES], thresholds: { '0.5': { threshold: 0.5, source: 'P(up) >= 0.5' } } });
  const m = bootstrap.metrics[MODEL] as { accuracy: BootstrapInterval; mcc: BootstrapInterval };
  return {
    split: input.split,
    samples: labels.length,
    days: bootstrap.days,
    up: labels.filter((y) => y === 1).length,
    majorityClass: input.majorityClass,
    ruleFallbacks: rule.fallbacks,
    metrics: { accuracy: m.accuracy.estimate, mcc: m.mcc.estimate, roc_auc: report.metrics.roc_auc, brier: report.metrics.brier, log_loss: report.metrics.log_loss },
    bootstrap,
    report,
  };
}

/** `0.5231 [0.4950, 0.5502]`. */
export function formatInterval(iv: BootstrapInterval, digits = 4, signed = false): string {
  const f = (x: number): string => (signed && x > 0 ? '+' : '') + x.toFixed(digits);
  return `${f(iv.estimate)} [${f(iv.low)}, ${f(iv.high)}]`;
}

/** Rows of the baselines for an evaluation table: majority and market rule with intervals. */
export function baselineRows(e: SplitEvaluation): string[][] {
  const row = (name: string, key: string): string[] => {
    const m = e.bootstrap.metrics[key] as { accuracy: BootstrapInterval; mcc: BootstrapInterval };
    return [name, formatInterval(m.accuracy), formatInterval(m.mcc)];
  };
  const majority = STOCKNET_CLASSES[e.majorityClass] ?? String(e.majorityClass);
  return [row(`majority class of train ("${majority}")`, MAJORITY), row("market rule: previous market day's average move (no training)", MARKET_RULE)];
}

/** The evaluation as Markdown under a `##` title. */
export function splitEvaluationMarkdown(e: SplitEvaluation, title: string): string {
  const b = e.bootstrap;
  const model = b.metrics[MODEL] as { accuracy: BootstrapInterval; mcc: BootstrapInterval };
  const diffs = b.differences.map((d) => [`model − ${d.b === MARKET_RULE ? 'market rule' : 'majority'} (paired)`, formatInterval(d.accuracy, 4, true), formatInterval(d.mcc, 4, true)]);
  return [
    `## ${title}`,
    '',
    `${e.samples} samples on ${e.days} days (${e.up} up). Intervals: ${Math.round(b.level * 100)}% percentile intervals of ${b.resamples} day-clustered bootstrap resamples (whole days drawn with replacement, seed ${b.seed}).${e.ruleFallbacks > 0 ? ` The market rule had no earlier market day for ${e.ruleFallbacks} samples and predicts the majority class there.` : ''}`,
    '',
    markdownTable(['predictor', 'accuracy [95% CI]', 'MCC [95% CI]'], [['model (P(up) >= 0.5)', formatInterval(model.accuracy), formatInterval(model.mcc)], ...baselineRows(e), ...diffs]),
    '',
    binaryReportMarkdown(e.report, `${title}: the model's report`).replace(/^## /, '### '),
  ].join('\n');
}
