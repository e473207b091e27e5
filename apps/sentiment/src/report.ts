// The evaluation report of a sentiment model on one split: accuracy, macro-F1, weighted F1, MCC, log loss, the
// classification report and the confusion matrix, as JSON and Markdown.
import { markdownTable } from '@finmm/finance-tasks';
import { classificationReport, formatClassificationReport, matthewsCorrcoef, type ClassificationReport } from '@finmm/trainer';

/** Metrics of one split. */
export interface SentimentReport {
  /** Which rows, e.g. `test`. */
  split: string;
  n: number;
  classes: string[];
  accuracy: number;
  macroF1: number;
  weightedF1: number;
  mcc: number;
  /** Mean negative log-probability of the true class. */
  logLoss: number;
  report: ClassificationReport;
}

/** The class with the highest probability (the first of equals). */
export function argmax(probs: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < probs.length; k++) if ((probs[k] as number) > (probs[best] as number)) best = k;
  return best;
}

/** Mean negative log-probability of the true classes (probabilities floored at 1e-7). */
export function meanLogLoss(yTrue: readonly number[], probs: ReadonlyArray<ArrayLike<number>>): number {
  return -yTrue.reduce((acc, y, i) => acc + Math.log(Math.max(1e-7, (probs[i] as ArrayLike<number>)[y] as number)), 0) / yTrue.length;
}

/** The report of class probabilities `[n, K]` against true class indices. */
export function sentimentReport(yTrue: readonly number[], probs: ReadonlyArray<ArrayLike<number>>, classes: readonly string[], split: string): SentimentReport {
  if (yTrue.length !== probs.length) throw new Error(`sentimentReport: ${yTrue.length} labels but ${probs.length} predictions`);
  if (yTrue.length === 0) throw new Error(`sentimentReport: no ${split} rows to evaluate`);
  const yPred = probs.map(argmax);
  const report = classificationReport(yTrue, yPred, classes);
  const logLoss = meanLogLoss(yTrue, probs);
  return {
    split,
    n: yTrue.length,
    classes: [...classes],
    accuracy: report.accuracy,
    macroF1: report.macro.f1,
    weightedF1: report.weighted.f1,
    mcc: matthewsCorrcoef(yTrue, yPred, classes.length),
    logLoss,
    report,
  };
}

/** The report as Markdown under a `##` title. */
export function sentimentReportMarkdown(report: SentimentReport, title: string): string {
  const c = report.report.confusion;
  return [
    `## ${title}`,
    '',
    `${report.n} sentences (${report.report.classes.map((k) => `${k.support} ${k.name}`).join(', ')}).`,
    '',
    markdownTable(['metric', 'value'], [
      ['accuracy', report.accuracy.toFixed(4)],
      ['macro-F1', report.macroF1.toFixed(4)],
      ['weighted F1', report.weightedF1.toFixed(4)],
      ['MCC', report.mcc.toFixed(4)],
      ['log loss', report.logLoss.toFixed(4)],
    ]),
    '',
    '```',
    formatClassificationReport(report.report, 3),
    '```',
    '',
    markdownTable(['actual \\ predicted', ...report.classes], report.classes.map((name, i) => [name, ...(c[i] ?? [])])),
    '',
  ].join('\n');
}
