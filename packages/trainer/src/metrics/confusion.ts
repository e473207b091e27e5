// Confusion matrix, accuracy and Matthews correlation from class indices, as scikit-learn computes them.

/** Throws unless both label arrays have the same length and hold integers in [0, numClasses). */
export function checkLabels(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): void {
  if (yTrue.length !== yPred.length) throw new Error(`yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`);
  for (const [name, y] of [['yTrue', yTrue], ['yPred', yPred]] as const) {
    for (let i = 0; i < y.length; i++) {
      const v = y[i] as number;
      if (!Number.isInteger(v) || v < 0 || v >= numClasses) throw new Error(`${name}[${i}] = ${v} is not a class index in [0, ${numClasses})`);
    }
  }
}

/** Number of classes implied by the labels: 1 + the largest index seen (at least 2). */
export function inferNumClasses(...labelArrays: Array<ArrayLike<number>>): number {
  let max = 1;
  for (const y of labelArrays) for (let i = 0; i < y.length; i++) max = Math.max(max, y[i] as number);
  return max + 1;
}

/** `C[i][j]` = number of samples of true class i predicted as class j (rows true, columns predicted, as sklearn). */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses = inferNumClasses(yTrue, yPred)): number[][] {
  checkLabels(yTrue, yPred, numClasses);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const row = m[yTrue[i] as number] as number[];
    const j = yPred[i] as number;
    row[j] = (row[j] as number) + 1;
  }
  return m;
}

/** Fraction of samples whose predicted class equals the true class (NaN for no samples). */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  if (yTrue.length !== yPred.length) throw new Error(`yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`);
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return hits / yTrue.length;
}

/**
 * Matthews correlation coefficient, multiclass as sklearn's `matthews_corrcoef`:
 * `(c s - sum_k p_k t_k) / sqrt((s^2 - sum p_k^2)(s^2 - sum t_k^2))`; 0 when the denominator is 0.
 */
export function matthewsCorrcoef(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses = inferNumClasses(yTrue, yPred)): number {
  const m = confusionMatrix(yTrue, yPred, numClasses);
  const t = m.map((row) => row.reduce((a, b) => a + b, 0));
  const p = m[0]!.map((_, j) => m.reduce((a, row) => a + (row[j] as number), 0));
  const c = m.reduce((a, row, i) => a + (row[i] as number), 0);
  const s = yTrue.length;
  const covYtYp = c * s - t.reduce((a, tk, k) => a + tk * (p[k] as number), 0);
  const covYpYp = s * s - p.reduce((a, pk) => a + pk * pk, 0);
  const covYtYt = s * s - t.reduce((a, tk) => a + tk * tk, 0);
  const denominator = covYtYt * covYpYp;
  return denominator === 0 ? 0 : covYtYp / Math.sqrt(denominator);
}
