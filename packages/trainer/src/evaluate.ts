// Built-in evaluation: per-task loss and metrics (classification report, AUCs, MCC, Brier; MAE, RMSE, R^2).
import type { Batch, Model } from '@finmm/core';
import { collectPredictions, type TaskPredictions } from './predict.js';
import {
  accuracy,
  averagePrecision,
  brierScore,
  brierScoreMulticlass,
  classificationReport,
  gini,
  ksStatistic,
  matthewsCorrcoef,
  meanAbsoluteError,
  r2Score,
  rocAuc,
  rocAucOvr,
  rootMeanSquaredError,
  type ClassificationReport,
} from './metrics/index.js';

/** What `evaluateModel` returns. */
export interface EvalResult {
  /**
   * Flat metrics: `loss` (sum over tasks of weight x mean loss) and `<task>.<metric>`: `loss`, and for
   * classification `accuracy`, `f1_macro`, `f1_weighted`, `mcc`, `roc_auc`, `brier` (binary also `f1`, `pr_auc`,
   * `ks`, `gini`), for regression `mae`, `rmse`, `r2` (averaged over targets).
   */
  metrics: Record<string, number>;
  /** Classification reports by task. */
  reports: Record<string, ClassificationReport>;
}

function argmax(row: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < row.length; k++) if ((row[k] as number) > (row[best] as number)) best = k;
  return best;
}

function classificationMetrics(p: TaskPredictions, into: Record<string, number>): ClassificationReport {
  const name = p.task.name;
  const yTrue = p.yTrue.map((r) => r[0] as number);
  const oneOutput = (p.outputs[0]?.length ?? 1) === 1;
  const classes = oneOutput ? 2 : (p.outputs[0] as number[]).length;
  const yPred = p.outputs.map((r) => (oneOutput ? ((r[0] as number) >= 0.5 ? 1 : 0) : argmax(r)));
  const report = classificationReport(yTrue, yPred, p.task.classes ?? classes);
  into[`${name}.accuracy`] = accuracy(yTrue, yPred);
  into[`${name}.f1_macro`] = report.macro.f1;
  into[`${name}.f1_weighted`] = report.weighted.f1;
  into[`${name}.mcc`] = matthewsCorrcoef(yTrue, yPred, classes);
  if (classes === 2) {
    const scores = p.outputs.map((r) => (oneOutput ? (r[0] as number) : (r[1] as number)));
    into[`${name}.f1`] = report.classes[1]?.f1 ?? 0;
    into[`${name}.roc_auc`] = rocAuc(yTrue, scores);
    into[`${name}.pr_auc`] = averagePrecision(yTrue, scores);
    into[`${name}.ks`] = ksStatistic(yTrue, scores);
    into[`${name}.gini`] = gini(yTrue, scores);
    into[`${name}.brier`] = brierScore(yTrue, scores);
  } else {
    into[`${name}.roc_auc`] = rocAucOvr(yTrue, p.outputs);
    into[`${name}.brier`] = brierScoreMulticlass(yTrue, p.outputs);
  }
  return report;
}

function regressionMetrics(p: TaskPredictions, into: Record<string, number>): void {
  const targets = p.outputs[0]?.length ?? 1;
  let mae = 0;
  let rmse = 0;
  let r2 = 0;
  for (let k = 0; k < targets; k++) {
    const t = p.yTrue.map((r) => r[k] as number);
    const y = p.outputs.map((r) => r[k] as number);
    mae += meanAbsoluteError(t, y) / targets;
    rmse += rootMeanSquaredError(t, y) / targets;
    r2 += r2Score(t, y) / targets;
  }
  into[`${p.task.name}.mae`] = mae;
  into[`${p.task.name}.rmse`] = rmse;
  into[`${p.task.name}.r2`] = r2;
}

/** Evaluates `model` on `batches` (which it disposes): losses and metrics of every task with labels. */
export async function evaluateModel(model: Model, batches: AsyncIterable<Batch> | Iterable<Batch>): Promise<EvalResult> {
  const predictions = await collectPredictions(model, batches);
  const metrics: Record<string, number> = {};
  const reports: Record<string, ClassificationReport> = {};
  let loss = 0;
  for (const p of Object.values(predictions)) {
    if (p.count === 0) continue;
    const taskLoss = p.lossSum / p.count;
    metrics[`${p.task.name}.loss`] = taskLoss;
    loss += p.task.weight * taskLoss;
    if (p.task.kind === 'regression') regressionMetrics(p, metrics);
    else reports[p.task.name] = classificationMetrics(p, metrics);
  }
  metrics['loss'] = loss;
  return { metrics, reports };
}
