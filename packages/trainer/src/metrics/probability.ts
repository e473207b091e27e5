// Calibration of predicted probabilities: the Brier score.

/** Binary Brier score `mean((p_i - y_i)^2)` with y in {0, 1} and p the probability of class 1 (sklearn's `brier_score_loss`). */
export function brierScore(yTrue: ArrayLike<number>, probs: ArrayLike<number>): number {
  if (yTrue.length !== probs.length) throw new Error(`yTrue has ${yTrue.length} labels but probs has ${probs.length}`);
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) sum += ((probs[i] as number) - (yTrue[i] as number)) ** 2;
  return sum / yTrue.length;
}

/**
 * Multiclass Brier score `mean_i sum_k (p_ik - [y_i = k])^2`, as sklearn's `brier_score_loss` with
 * `scale_by_half='auto'`: with exactly two columns the sum is halved, so it equals the binary score.
 */
export function brierScoreMulticlass(yTrue: ArrayLike<number>, probs: ReadonlyArray<ArrayLike<number>>): number {
  if (yTrue.length !== probs.length) throw new Error(`yTrue has ${yTrue.length} labels but probs has ${probs.length}`);
  let sum = 0;
  probs.forEach((row, i) => {
    for (let k = 0; k < row.length; k++) sum += ((row[k] as number) - (yTrue[i] === k ? 1 : 0)) ** 2;
  });
  return (probs[0]?.length === 2 ? 0.5 : 1) * (sum / yTrue.length);
}
