// The evaluation report of a binary classifier: ranking metrics, expected cost at named thresholds, and the data
// of its curves (ROC, calibration, cost against threshold), as JSON.
import {
  averagePrecision,
  brierScore,
  classificationReport,
  gini,
  ksStatistic,
  rocAuc,
  rocCurve,
  type ClassificationReport,
} from '@finmm/trainer';

/** Misclassification costs: `cost[actual][predicted]` over class indices 0 (negative) and 1 (positive). */
export interface CostMatrix {
  classes: readonly string[];
  cost: ReadonlyArray<ReadonlyArray<number>>;
}

/** Predictions at one threshold: positive when the score is >= threshold. */
export interface ThresholdReport {
  threshold: number;
  /** Where the threshold comes from, e.g. "chosen on the validation split" or "Bayes 1/6". */
  source: string;
  /** Mean cost per sample under the cost matrix, when there is one. */
  cost: number | null;
  report: ClassificationReport;
}

/** ROC-AUC and friends, the named thresholds and the curves' data. */
export interface BinaryReport {
  n: number;
  positives: number;
  classes: [string, string];
  metrics: { roc_auc: number; ks: number; gini: number; pr_auc: number; brier: number; log_loss: number };
  thresholds: Record<string, ThresholdReport>;
  curves: {
    roc: { fpr: number[]; tpr: number[]; thresholds: Array<number | null> };
    /** Ten equal-width bins of the score: mean score, observed positive rate and count. */
    calibration: Array<{ from: number; to: number; meanScore: number | null; positiveRate: number | null; count: number }>;
    /** Mean cost per sample at thresholds 0, 0.01, ..., 1 (empty without a cost matrix). */
    cost: Array<{ threshold: number; cost: number }>;
  };
}

function checkCost(cost: CostMatrix): void {
  const ok = cost.cost.length === 2 && cost.cost.every((row) => row.length === 2 && row.every((c) => Number.isFinite(c) && c >= 0));
  if (!ok) throw new Error(`cost matrix: expected 2 x 2 non-negative costs [actual][predicted], got ${JSON.stringify(cost.cost)}`);
}

/** Class indices predicted at a threshold: 1 where score >= threshold. */
export function predictAt(scores: readonly number[], threshold: number): number[] {
  return scores.map((s) => (s >= threshold ? 1 : 0));
}

/** Mean cost per sample of predicting positive where score >= threshold. */
export function expectedCost(yTrue: readonly number[], scores: readonly number[], threshold: number, cost: CostMatrix): number {
  checkCost(cost);
  if (yTrue.length !== scores.length) throw new Error(`expectedCost: ${yTrue.length} labels but ${scores.length} scores`);
  if (yTrue.length === 0) throw new Error('expectedCost: no samples');
  let total = 0;
  yTrue.forEach((y, i) => {
    const row = cost.cost[y];
    if (row === undefined) throw new Error(`expectedCost: label ${i} is ${y}, not 0 or 1`);
    total += row[(scores[i] as number) >= threshold ? 1 : 0] as number;
  });
  return total / yTrue.length;
}

/** The threshold on a calibrated P(positive) that minimises expected cost: c(neg->pos) / (c(neg->pos) + c(pos->neg)). */
export function bayesThreshold(cost: CostMatrix): number {
  checkCost(cost);
  const falsePositive = (cost.cost[0]?.[1] as number) - (cost.cost[0]?.[0] as number);
  const falseNegative = (cost.cost[1]?.[0] as number) - (cost.cost[1]?.[1] as number);
  return falsePositive / (falsePositive + falseNegative);
}

/**
 * The threshold with the least mean cost on (validation) scores. Candidates are 0, the midpoints between sorted
 * distinct scores and just above 1; of the equally cheapest candidates the middle one wins (as
 * tools/python/credit_baseline.py does).
 */
export function chooseCostThreshold(yTrue: readonly number[], scores: readonly number[], cost: CostMatrix): { threshold: number; cost: number } {
  const distinct = [...new Set(scores)].sort((a, b) => a - b);
  const candidates = [0, ...distinct.slice(1).map((s, i) => (s + (distinct[i] as number)) / 2), 1 + 1e-9];
  const costs = candidates.map((t) => expectedCost(yTrue, scores, t, cost));
  const least = Math.min(...costs);
  const best = candidates.filter((_, i) => (costs[i] as number) <= least + 1e-12);
  return { threshold: best[Math.floor(best.length / 2)] as number, cost: least };
}

function logLoss(yTrue: readonly number[], scores: readonly number[]): number {
  const eps = 1e-7;
  return -yTrue.reduce((acc, y, i) => {
    const p = Math.min(1 - eps, Math.max(eps, scores[i] as number));
    return acc + (y === 1 ? Math.log(p) : Math.log(1 - p));
  }, 0) / yTrue.length;
}

function calibration(yTrue: readonly number[], scores: readonly number[]): BinaryReport['curves']['calibration'] {
  return Array.from({ length: 10 }, (_, b) => {
    const from = b / 10;
    const to = (b + 1) / 10;
    const idx = scores.flatMap((s, i) => (s >= from && (s < to || (b === 9 && s <= 1)) ? [i] : []));
    const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, x) => a + x, 0) / xs.length);
    return { from, to, meanScore: mean(idx.map((i) => scores[i] as number)), positiveRate: mean(idx.map((i) => yTrue[i] as number)), count: idx.length };
  });
}

/** The full report of scores (P(positive)) against labels 0/1, at the named thresholds. */
export function binaryReport(input: {
  yTrue: readonly number[];
  scores: readonly number[];
  classes: readonly [string, string] | readonly string[];
  thresholds: Record<string, { threshold: number; source: string }>;
  costMatrix?: CostMatrix;
}): BinaryReport {
  const { yTrue, scores, costMatrix } = input;
  if (yTrue.length !== scores.length) throw new Error(`binaryReport: ${yTrue.length} labels but ${scores.length} scores`);
  const classes: [string, string] = [String(input.classes[0]), String(input.classes[1])];
  const auc = rocAuc(yTrue, scores);
  const roc = rocCurve(yTrue, scores);
  const thresholds: Record<string, ThresholdReport> = {};
  for (const [name, t] of Object.entries(input.thresholds)) {
    thresholds[name] = {
      threshold: t.threshold,
      source: t.source,
      cost: costMatrix === undefined ? null : expectedCost(yTrue, scores, t.threshold, costMatrix),
      report: classificationReport(yTrue, predictAt(scores, t.threshold), classes),
    };
  }
  return {
    n: yTrue.length,
    positives: yTrue.filter((y) => y === 1).length,
    classes,
    metrics: {
      roc_auc: auc,
      ks: ksStatistic(yTrue, scores),
      gini: gini(yTrue, scores),
      pr_auc: averagePrecision(yTrue, scores),
      brier: brierScore(yTrue, scores),
      log_loss: logLoss(yTrue, scores),
    },
    thresholds,
    curves: {
      roc: { fpr: roc.fpr, tpr: roc.tpr, thresholds: roc.thresholds.map((t) => (Number.isFinite(t) ? t : null)) },
      calibration: calibration(yTrue, scores),
      cost: costMatrix === undefined ? [] : Array.from({ length: 101 }, (_, k) => ({ threshold: k / 100, cost: expectedCost(yTrue, scores, k / 100, costMatrix) })),
    },
  };
}
