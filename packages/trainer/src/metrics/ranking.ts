// Threshold-free binary metrics from scores: ROC curve and AUC, average precision, KS statistic and Gini.

/** Points of the ROC curve at every distinct score (descending), starting at (0, 0), as sklearn's `roc_curve`. */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** Score threshold of each point; the first is +Infinity. */
  thresholds: number[];
}

interface Counts {
  /** Cumulative true / false positives after each distinct score, descending. */
  tps: number[];
  fps: number[];
  thresholds: number[];
}

function checkBinary(yTrue: ArrayLike<number>, scores: ArrayLike<number>): void {
  if (yTrue.length !== scores.length) throw new Error(`yTrue has ${yTrue.length} labels but scores has ${scores.length}`);
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] !== 0 && yTrue[i] !== 1) throw new Error(`yTrue[${i}] = ${yTrue[i]} is not 0 or 1`);
    if (!Number.isFinite(scores[i])) throw new Error(`scores[${i}] = ${scores[i]} is not finite`);
  }
}

// Tied scores form one threshold, so ties contribute a diagonal segment (sklearn's behaviour).
function cumulativeCounts(yTrue: ArrayLike<number>, scores: ArrayLike<number>): Counts {
  checkBinary(yTrue, scores);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  order.forEach((idx, k) => {
    if (yTrue[idx] === 1) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[idx]) {
      tps.push(tp);
      fps.push(fp);
      thresholds.push(scores[idx] as number);
    }
  });
  return { tps, fps, thresholds };
}

/** The ROC curve; NaN rates when a class is absent. */
export function rocCurve(yTrue: ArrayLike<number>, scores: ArrayLike<number>): RocCurve {
  const { tps, fps, thresholds } = cumulativeCounts(yTrue, scores);
  const positives = tps[tps.length - 1] ?? 0;
  const negatives = fps[fps.length - 1] ?? 0;
  return {
    fpr: [0, ...fps.map((f) => f / negatives)],
    tpr: [0, ...tps.map((t) => t / positives)],
    thresholds: [Infinity, ...thresholds],
  };
}

/** Area under the ROC curve by the trapezoidal rule (sklearn's `roc_auc_score`); NaN when one class is absent. */
export function rocAuc(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { fpr, tpr } = rocCurve(yTrue, scores);
  let area = 0;
  for (let k = 1; k < fpr.length; k++) area += ((fpr[k] as number) - (fpr[k - 1] as number)) * ((tpr[k] as number) + (tpr[k - 1] as number)) / 2;
  return area;
}

/**
 * One-vs-rest ROC-AUC macro-averaged over classes, as sklearn's `roc_auc_score(y, P, multi_class='ovr')`;
 * `probs[i][k]` is the probability of class k for sample i.
 */
export function rocAucOvr(yTrue: ArrayLike<number>, probs: ReadonlyArray<ArrayLike<number>>): number {
  const classes = probs[0]?.length ?? 0;
  let sum = 0;
  for (let k = 0; k < classes; k++) {
    const binary = Array.from(yTrue, (y) => (y === k ? 1 : 0));
    sum += rocAuc(binary, probs.map((row) => row[k] as number));
  }
  return sum / classes;
}

/**
 * Average precision as sklearn's `average_precision_score`: `sum_n (R_n - R_{n-1}) P_n` over distinct score
 * thresholds in descending order (no interpolation); NaN without positives.
 */
export function averagePrecision(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { tps, fps } = cumulativeCounts(yTrue, scores);
  const positives = tps[tps.length - 1] ?? 0;
  if (positives === 0) return NaN;
  let ap = 0;
  let previousRecall = 0;
  tps.forEach((tp, k) => {
    const recall = tp / positives;
    ap += (recall - previousRecall) * (tp / (tp + (fps[k] as number)));
    previousRecall = recall;
  });
  return ap;
}

/** Kolmogorov-Smirnov statistic: the largest gap `max(TPR - FPR)` between the score distributions of the classes. */
export function ksStatistic(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { fpr, tpr } = rocCurve(yTrue, scores);
  return Math.max(...tpr.map((t, k) => t - (fpr[k] as number)));
}

/** Gini coefficient (accuracy ratio) `2 AUC - 1`. */
export function gini(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  return 2 * rocAuc(yTrue, scores) - 1;
}
