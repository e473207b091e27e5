// A classification report like scikit-learn's: per-class precision, recall, F1 and support, with averages.
import { confusionMatrix } from './confusion.js';

/** Scores of one class or one average. */
export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** What `classificationReport` returns. */
export interface ClassificationReport {
  /** Per class, in index order, keyed by class name. */
  classes: Array<{ name: string } & ClassScores>;
  accuracy: number;
  /** Unweighted mean over the classes (support = total). */
  macro: ClassScores;
  /** Mean weighted by each class's support (support = total). */
  weighted: ClassScores;
  /** Rows true, columns predicted. */
  confusion: number[][];
}

const divide = (num: number, den: number): number => (den === 0 ? 0 : num / den);

/**
 * Per-class precision `tp / (tp + fp)`, recall `tp / (tp + fn)`, F1 `2 tp / (2 tp + fp + fn)` and support, as
 * sklearn's `classification_report(..., labels=range(C), zero_division=0)`: a ratio whose denominator is 0 (a class
 * never predicted, or with no true samples) is 0, and that 0 enters the macro and weighted averages.
 */
export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  classes: number | readonly string[],
): ClassificationReport {
  const names = typeof classes === 'number' ? Array.from({ length: classes }, (_, i) => String(i)) : [...classes];
  const confusion = confusionMatrix(yTrue, yPred, names.length);
  const total = yTrue.length;
  const perClass = names.map((name, k) => {
    const tp = confusion[k]![k] as number;
    const support = confusion[k]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + (row[k] as number), 0);
    return { name, precision: divide(tp, predicted), recall: divide(tp, support), f1: divide(2 * tp, support + predicted), support };
  });
  const average = (weightOf: (c: ClassScores) => number): ClassScores => {
    const weightSum = perClass.reduce((a, c) => a + weightOf(c), 0);
    const mean = (key: 'precision' | 'recall' | 'f1'): number => divide(perClass.reduce((a, c) => a + c[key] * weightOf(c), 0), weightSum);
    return { precision: mean('precision'), recall: mean('recall'), f1: mean('f1'), support: total };
  };
  let hits = 0;
  for (let k = 0; k < names.length; k++) hits += confusion[k]![k] as number;
  return {
    classes: perClass,
    accuracy: divide(hits, total),
    macro: average(() => 1),
    weighted: average((c) => c.support),
    confusion,
  };
}

/** The report as sklearn prints it (columns precision, recall, f1-score, support). */
export function formatClassificationReport(report: ClassificationReport, digits = 2): string {
  const width = Math.max(12, ...report.classes.map((c) => c.name.length));
  const col = (v: string): string => v.padStart(10);
  const row = (name: string, s: ClassScores): string =>
    `${name.padStart(width)} ${col(s.precision.toFixed(digits))}${col(s.recall.toFixed(digits))}${col(s.f1.toFixed(digits))}${col(String(s.support))}`;
  const total = report.macro.support;
  return [
    `${''.padStart(width)} ${col('precision')}${col('recall')}${col('f1-score')}${col('support')}`,
    '',
    ...report.classes.map((c) => row(c.name, c)),
    '',
    `${'accuracy'.padStart(width)} ${col('')}${col('')}${col(report.accuracy.toFixed(digits))}${col(String(total))}`,
    row('macro avg', report.macro),
    row('weighted avg', report.weighted),
  ].join('\n');
}
