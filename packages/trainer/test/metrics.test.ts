import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  averagePrecision,
  brierScore,
  brierScoreMulticlass,
  classificationReport,
  confusionMatrix,
  formatClassificationReport,
  gini,
  ksStatistic,
  matthewsCorrcoef,
  meanAbsoluteError,
  r2Score,
  rocAuc,
  rocAucOvr,
  rocCurve,
  rootMeanSquaredError,
} from '../src/metrics/index.js';

type Scores = [number, number, number, number];
interface Report {
  classes: Scores[];
  macro: Scores;
  weighted: Scores;
}
interface BinaryCase {
  name: string;
  kind: 'binary';
  yTrue: number[];
  scores: number[];
  yPred: number[];
  expected: {
    accuracy: number; mcc: number; confusion: number[][]; report: Report; rocAuc: number; averagePrecision: number;
    ks: number; gini: number; brier: number; roc: { fpr: number[]; tpr: number[]; thresholds: Array<number | null> };
  };
}
interface MulticlassCase {
  name: string;
  kind: 'multiclass';
  numClasses: number;
  yTrue: number[];
  probs: number[][];
  yPred: number[];
  expected: { accuracy: number; mcc: number; confusion: number[][]; report: Report; rocAucOvr: number; brier: number };
}
interface RegressionCase {
  name: string;
  kind: 'regression';
  yTrue: number[];
  yPred: number[];
  expected: { mae: number; rmse: number; r2: number };
}
type Case = BinaryCase | MulticlassCase | RegressionCase;

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/metrics.json', import.meta.url), 'utf8')) as { cases: Case[] };
const TOL = 1e-6;
const close = (actual: number, expected: number): void => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(TOL);

function checkReport(yTrue: number[], yPred: number[], classes: number, expected: Report): void {
  const report = classificationReport(yTrue, yPred, classes);
  report.classes.forEach((c, k) => {
    const [p, r, f, s] = expected.classes[k]!;
    close(c.precision, p);
    close(c.recall, r);
    close(c.f1, f);
    expect(c.support).toBe(s);
  });
  for (const key of ['macro', 'weighted'] as const) {
    const [p, r, f, s] = expected[key];
    close(report[key].precision, p);
    close(report[key].recall, r);
    close(report[key].f1, f);
    expect(report[key].support).toBe(s);
  }
}

const binary = fixtures.cases.filter((c): c is BinaryCase => c.kind === 'binary');
const multiclass = fixtures.cases.filter((c): c is MulticlassCase => c.kind === 'multiclass');
const regression = fixtures.cases.filter((c): c is RegressionCase => c.kind === 'regression');

describe('metrics match scikit-learn on the committed fixtures', () => {
  it('has every kind of case', () => {
    expect(binary.length).toBeGreaterThanOrEqual(3);
    expect(multiclass.length).toBeGreaterThanOrEqual(2);
    expect(regression.length).toBeGreaterThanOrEqual(2);
  });

  it.each(binary)('binary: $name', (c) => {
    const e = c.expected;
    close(accuracy(c.yTrue, c.yPred), e.accuracy);
    close(matthewsCorrcoef(c.yTrue, c.yPred, 2), e.mcc);
    expect(confusionMatrix(c.yTrue, c.yPred, 2)).toEqual(e.confusion);
    checkReport(c.yTrue, c.yPred, 2, e.report);
    close(rocAuc(c.yTrue, c.scores), e.rocAuc);
    close(averagePrecision(c.yTrue, c.scores), e.averagePrecision);
    close(ksStatistic(c.yTrue, c.scores), e.ks);
    close(gini(c.yTrue, c.scores), e.gini);
    close(brierScore(c.yTrue, c.scores), e.brier);
    const roc = rocCurve(c.yTrue, c.scores);
    expect(roc.fpr.length).toBe(e.roc.fpr.length);
    roc.fpr.forEach((v, k) => close(v, e.roc.fpr[k]!));
    roc.tpr.forEach((v, k) => close(v, e.roc.tpr[k]!));
    roc.thresholds.slice(1).forEach((v, k) => close(v, e.roc.thresholds[k + 1]!));
  });

  it.each(multiclass)('multiclass: $name', (c) => {
    const e = c.expected;
    close(accuracy(c.yTrue, c.yPred), e.accuracy);
    close(matthewsCorrcoef(c.yTrue, c.yPred, c.numClasses), e.mcc);
    expect(confusionMatrix(c.yTrue, c.yPred, c.numClasses)).toEqual(e.confusion);
    checkReport(c.yTrue, c.yPred, c.numClasses, e.report);
    close(rocAucOvr(c.yTrue, c.probs), e.rocAucOvr);
    close(brierScoreMulticlass(c.yTrue, c.probs), e.brier);
  });

  it.each(regression)('regression: $name', (c) => {
    close(meanAbsoluteError(c.yTrue, c.yPred), c.expected.mae);
    close(rootMeanSquaredError(c.yTrue, c.yPred), c.expected.rmse);
    close(r2Score(c.yTrue, c.yPred), c.expected.r2);
  });

  it('covers a class that is never predicted (zero_division = 0)', () => {
    const c = multiclass.find((x) => x.name === 'multiclass-never-predicted')!;
    expect(c.yPred.includes(3)).toBe(false);
    expect(c.yTrue.includes(3)).toBe(true);
    const report = classificationReport(c.yTrue, c.yPred, ['a', 'b', 'c', 'd']);
    expect(report.classes[3]).toMatchObject({ name: 'd', precision: 0, recall: 0, f1: 0 });
    const text = formatClassificationReport(report);
    expect(text).toMatch(/precision\s+recall\s+f1-score\s+support/);
    expect(text).toMatch(/\n\s+d\s+0\.00\s+0\.00\s+0\.00\s+\d+/);
    expect(text).toMatch(/macro avg/);
  });
});

describe('metric argument checks', () => {
  it('rejects mismatched lengths and bad labels', () => {
    expect(() => accuracy([0, 1], [0])).toThrow(/2 labels/);
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/yTrue\[1\] = 3/);
    expect(() => rocAuc([0, 2], [0.1, 0.2])).toThrow(/not 0 or 1/);
    expect(Number.isNaN(averagePrecision([0, 0], [0.1, 0.2]))).toBe(true);
  });
});
