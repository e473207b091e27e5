// Trains one credit model: preprocessing fitted on the fit's training rows only, early stopping on an inner
// validation split of those rows, the cost threshold chosen on that validation split, then (refit) retraining on
// all the fit's training rows for the early-stopped number of epochs. The test rows are never touched here.
import type { JsonValue } from '@finmm/core';
import { BatchSource, disposeBatch, Preprocessing, tabularCollator } from '@finmm/data';
import { bayesThreshold, chooseCostThreshold, meanEmbedding, type RunDir } from '@finmm/finance-tasks';
import { buildModel, type FusedModel } from '@finmm/fusion';
import './register.js';
import { Trainer, type FitResult, type TrainerConfigInput } from '@finmm/trainer';
import type { CreditConfig } from './config.js';
import type { CreditData } from './data.js';
import { CREDIT_TASK, creditSchema } from './features.js';
import { innerSplit, type FitPlan } from './plan.js';
import { scoreRows } from './scoring.js';

/** A trained model and what was chosen on the fit's own validation rows. */
export interface TrainedFit {
  model: FusedModel;
  preprocessing: Preprocessing;
  posWeight: number;
  /** Cost-minimising threshold on P(positive), chosen on the validation rows. */
  threshold: { value: number; source: string };
  bayes: { value: number; source: string };
  /** Mean tabular embedding over the final training rows (the explanation baseline). */
  baseline: { shape: number[]; values: number[] };
  rows: { train: number[]; valid: number[] };
  epochs: number;
  stopReason: string;
  seconds: number;
}

/** A BatchSource over the data's table with preprocessing fitted on `rows`. */
export function creditSource(data: CreditData, preprocessing: Preprocessing): BatchSource {
  const { numeric, categorical } = data.spec;
  return new BatchSource({
    table: data.table,
    schema: creditSchema(data.spec),
    preprocessing,
    collators: { tabular: tabularCollator({ numeric, categorical, preprocessing, missing: 'error' }) },
    source: data.name,
  });
}

/** The positive-class BCE weight of the configured weighting on the given training rows. */
export function positiveWeight(config: CreditConfig, data: CreditData, rows: readonly number[]): number {
  if (config.weighting === 'none') return 1;
  if (config.weighting === 'cost') {
    const cost = data.costMatrix.cost;
    const falseNegative = (cost[1]?.[0] ?? 0) - (cost[1]?.[1] ?? 0);
    const falsePositive = (cost[0]?.[1] ?? 0) - (cost[0]?.[0] ?? 0);
    if (!(falseNegative > 0 && falsePositive > 0)) throw new Error(`weighting "cost" needs positive misclassification costs, got ${JSON.stringify(cost)}`);
    return falseNegative / falsePositive;
  }
  const positives = rows.filter((r) => data.labels[r] === 1).length;
  if (positives === 0 || positives === rows.length) throw new Error('weighting "balanced" needs both classes in the training rows');
  return (rows.length - positives) / positives;
}

/** The fused-model config of a credit model. */
export function creditModelConfig(config: CreditConfig, data: CreditData, seed: number, posWeight: number): JsonValue {
  return {
    seed,
    encoders: { tabular: config.model.encoder as JsonValue },
    fusion: config.model.fusion as JsonValue,
    tasks: [{ name: CREDIT_TASK, kind: 'binary', classes: [...data.classes], loss: { type: 'loss/bce', posWeight }, head: config.model.head as JsonValue }],
  };
}

interface Stage {
  model: FusedModel;
  preprocessing: Preprocessing;
  source: BatchSource;
  posWeight: number;
  result: FitResult;
}

async function trainStage(
  config: CreditConfig,
  data: CreditData,
  seed: number,
  rows: { train: number[]; valid: number[] | null },
  trainer: TrainerConfigInput,
): Promise<Stage> {
  const schema = creditSchema(data.spec);
  const preprocessing = Preprocessing.fit(data.table, schema, rows.train, { numeric: config.preprocessing.numeric, minCount: config.preprocessing.minCount });
  const source = creditSource(data, preprocessing);
  const posWeight = positiveWeight(config, data, rows.train);
  const layout = { numericFeatures: data.spec.numeric.length, cardinalities: data.spec.categorical.map((c) => preprocessing.categorical(c).size) };
  const model = buildModel(creditModelConfig(config, data, seed, posWeight), { encoders: { tabular: layout } });
  const fitter = new Trainer(model, trainer);
  try {
    const valid = rows.valid;
    const result = await fitter.fit({
      train: (ctx) => source.batches({ batchSize: config.batchSize, rows: rows.train, seed: ctx.seed, epoch: ctx.epoch }),
      ...(valid === null ? {} : { validation: { batches: () => source.batches({ batchSize: 256, rows: valid, shuffle: false }) } }),
      batchesPerEpoch: source.numBatches({ batchSize: config.batchSize, rows: rows.train }),
    });
    return { model, preprocessing, source, posWeight, result };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    fitter.dispose();
  }
}

/** The epoch of the best evaluation (the number of epochs to refit for); all epochs without early stopping. */
function bestEpochs(result: FitResult): number {
  if (result.best === null) return Math.max(1, result.epochs);
  const at = result.evaluations.find((e) => e.step === result.best?.step);
  return Math.max(1, at?.epoch ?? result.epochs);
}

/** Trains the model of one plan; the trainer's logs go under `dir` (train/, and refit/ when refitting). */
export async function trainFit(config: CreditConfig, data: CreditData, plan: FitPlan, dir: RunDir): Promise<TrainedFit> {
  const started = Date.now();
  const inner = innerSplit(data.labels, plan.trainRows, config.validation, plan.seed);
  const base = { ...config.trainer, seed: plan.seed, progress: 'none', checkpointEvery: config.trainer['checkpointEvery'] ?? 'never' } as TrainerConfigInput;
  let stage = await trainStage(config, data, plan.seed, inner, { ...base, runDir: dir.file('train') });
  try {
    const validScores = await scoreRows(stage.model, stage.source, inner.valid, stage.posWeight);
    const chosen = chooseCostThreshold(inner.valid.map((r) => data.labels[r] as number), validScores, data.costMatrix);
    const epochs = bestEpochs(stage.result);
    const threshold = { value: chosen.threshold, source: `cost-minimising on ${inner.valid.length} validation rows (cost ${chosen.cost.toFixed(4)})` };
    let finalRows = inner.train;
    let stopReason: string = stage.result.stopReason;
    if (config.refit) {
      const { earlyStopping: _es, maxSteps: _ms, ...rest } = base as Record<string, unknown>;
      const refitted = await trainStage(config, data, plan.seed, { train: plan.trainRows, valid: null }, { ...rest, epochs, runDir: dir.file('refit') } as TrainerConfigInput);
      stage.model.dispose();
      stage = refitted;
      finalRows = plan.trainRows;
      stopReason = `${stopReason} at epoch ${epochs}, refitted on all ${plan.trainRows.length} training rows`;
    }
    const mean = await meanEmbedding(stage.model, stage.source.batches({ batchSize: 256, rows: finalRows, shuffle: false }), 'tabular', disposeBatch);
    const baseline = { shape: mean.shape, values: Array.from(mean.dataSync()) };
    mean.dispose();
    const bayes = bayesThreshold(data.costMatrix);
    return {
      model: stage.model,
      preprocessing: stage.preprocessing,
      posWeight: stage.posWeight,
      threshold,
      bayes: { value: bayes, source: `Bayes threshold of the cost matrix on calibrated P(${data.classes[1]})` },
      baseline,
      rows: { train: finalRows, valid: inner.valid },
      epochs: config.refit ? epochs : stage.result.epochs,
      stopReason,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (error) {
    stage.model.dispose();
    throw error;
  }
}

/** Frees a trained fit's model. */
export function disposeFit(fit: TrainedFit): void {
  fit.model.dispose();
}
