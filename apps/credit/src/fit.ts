// Trains one credit model: preprocessing fitted on the fit's training rows only, early stopping on an inner
// validation split of those rows, the cost threshold chosen on that validation split, then (refit) retraining on
// all the fit's training rows for the early-stopped number of epochs. With an ensemble every member goes through
// the same steps on the same rows (own seed, own early stopping) and the members' mean logit is the model's logit.
// The test rows are never touched here.
import { Rng, type JsonValue } from '@finmm/core';
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

/** Seeds of a fit's ensemble members: member m trains with fitSeed + MEMBER_SEED_STRIDE * m. */
export const MEMBER_SEED_STRIDE = 1000;

/** One ensemble member of a fit: its model section, trainer fields, batch size, seed and rows sampling. */
export interface MemberPlan {
  /** 0-based position in the ensemble. */
  index: number;
  /** The member kind's name (`ensemble.members[k].name`, default `kind<k>`). */
  kind: string;
  seed: number;
  model: CreditConfig['model'];
  trainer: Record<string, unknown>;
  batchSize: number;
  bootstrap: boolean;
}

/** A trained ensemble member. */
export interface TrainedMember {
  plan: MemberPlan;
  model: FusedModel;
  /** Mean tabular embedding of this member over the final training rows (its explanation baseline). */
  baseline: { shape: number[]; values: number[] };
  epochs: number;
  stopReason: string;
}

/** A trained model (one or more members) and what was chosen on the fit's own validation rows. */
export interface TrainedFit {
  members: TrainedMember[];
  preprocessing: Preprocessing;
  posWeight: number;
  /** Cost-minimising threshold on P(positive), chosen on the validation rows. */
  threshold: { value: number; source: string };
  bayes: { value: number; source: string };
  rows: { train: number[]; valid: number[] };
  /** Epochs of the final weights (the members' mean, rounded). */
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

/** The fused-model config of a credit model (`model` defaults to the config's own model section). */
export function creditModelConfig(config: CreditConfig, data: CreditData, seed: number, posWeight: number, model: CreditConfig['model'] = config.model): JsonValue {
  return {
    seed,
    encoders: { tabular: model.encoder as JsonValue },
    fusion: model.fusion as JsonValue,
    tasks: [{ name: CREDIT_TASK, kind: 'binary', classes: [...data.classes], loss: { type: 'loss/bce', posWeight }, head: model.head as JsonValue }],
  };
}

/** The members of a fit with seed `fitSeed`: every member kind `ensemble.size` times (member 0 keeps the fit's seed). */
export function memberPlans(config: CreditConfig, fitSeed: number): MemberPlan[] {
  const kinds = config.ensemble.members.length === 0 ? [{}] : config.ensemble.members;
  const plans: MemberPlan[] = [];
  kinds.forEach((kind: CreditConfig['ensemble']['members'][number], k) => {
    for (let r = 0; r < config.ensemble.size; r++) {
      const index = plans.length;
      plans.push({
        index,
        kind: kind.name ?? `kind${k}`,
        seed: fitSeed + MEMBER_SEED_STRIDE * index,
        model: kind.model ?? config.model,
        trainer: kind.trainer ?? config.trainer,
        batchSize: kind.batchSize ?? config.batchSize,
        bootstrap: config.ensemble.bootstrap,
      });
    }
  });
  return plans;
}

/** A bootstrap resample (with replacement, same size) of `rows`, seeded. */
export function bootstrapRows(rows: readonly number[], seed: number): number[] {
  const rng = Rng.fromSeed(seed ^ 0x2545f491);
  return rows.map(() => rows[rng.int(0, rows.length - 1)] as number);
}

/** Preprocessing fitted on a fit's training rows, the batch source over it and the positive-class weight. */
export interface PreparedRows {
  preprocessing: Preprocessing;
  source: BatchSource;
  posWeight: number;
}

/** Fits preprocessing (and the class weight) on `rows` only. */
export function prepareRows(config: CreditConfig, data: CreditData, rows: readonly number[]): PreparedRows {
  const preprocessing = Preprocessing.fit(data.table, creditSchema(data.spec), rows, { numeric: config.preprocessing.numeric, minCount: config.preprocessing.minCount });
  return { preprocessing, source: creditSource(data, preprocessing), posWeight: positiveWeight(config, data, rows) };
}

/**
 * Trains one member on `rows.train` (a bootstrap resample of them when the member bags), early-stopping on
 * `rows.valid` when given. The preprocessing in `prepared` must have been fitted on rows.train only.
 */
export async function trainMember(
  config: CreditConfig,
  data: CreditData,
  member: MemberPlan,
  prepared: PreparedRows,
  rows: { train: readonly number[]; valid: readonly number[] | null },
  trainer: TrainerConfigInput,
): Promise<{ model: FusedModel; result: FitResult }> {
  const { preprocessing, source, posWeight } = prepared;
  const train = member.bootstrap ? bootstrapRows(rows.train, member.seed) : [...rows.train];
  const layout = { numericFeatures: data.spec.numeric.length, cardinalities: data.spec.categorical.map((c) => preprocessing.categorical(c).size) };
  const model = buildModel(creditModelConfig(config, data, member.seed, posWeight, member.model), { encoders: { tabular: layout } });
  const fitter = new Trainer(model, trainer);
  try {
    const valid = rows.valid;
    const result = await fitter.fit({
      train: (ctx) => source.batches({ batchSize: member.batchSize, rows: train, seed: ctx.seed, epoch: ctx.epoch }),
      ...(valid === null ? {} : { validation: { batches: () => source.batches({ batchSize: 256, rows: valid, shuffle: false }) } }),
      batchesPerEpoch: source.numBatches({ batchSize: member.batchSize, rows: train }),
    });
    return { model, result };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    fitter.dispose();
  }
}

/** The epoch of the best evaluation (the number of epochs to refit for); all epochs without early stopping. */
export function bestEpochs(result: FitResult): number {
  if (result.best === null) return Math.max(1, result.epochs);
  const at = result.evaluations.find((e) => e.step === result.best?.step);
  return Math.max(1, at?.epoch ?? result.epochs);
}

/** The trainer config of a member: its trainer fields with the member's seed, no progress, no checkpoints unless asked. */
export function memberTrainer(member: MemberPlan): Record<string, unknown> {
  return { ...member.trainer, seed: member.seed, progress: 'none', checkpointEvery: member.trainer['checkpointEvery'] ?? 'never' };
}

/** Trains the model of one plan; the trainer's logs go under `dir` (train/ and refit/; member<m>/train... for ensembles). */
export async function trainFit(config: CreditConfig, data: CreditData, plan: FitPlan, dir: RunDir): Promise<TrainedFit> {
  const started = Date.now();
  const inner = innerSplit(data.labels, plan.trainRows, config.validation, plan.seed);
  const plans = memberPlans(config, plan.seed);
  const logDir = (member: MemberPlan, stage: string): string => (plans.length === 1 ? dir.file(stage) : dir.file(`member${member.index}`, stage));
  const first = prepareRows(config, data, inner.train);
  const staged: Array<{ plan: MemberPlan; model: FusedModel; result: FitResult }> = [];
  const finals: TrainedMember[] = [];
  try {
    for (const member of plans) {
      const trained = await trainMember(config, data, member, first, inner, { ...memberTrainer(member), runDir: logDir(member, 'train') } as TrainerConfigInput);
      staged.push({ plan: member, ...trained });
    }
    const validScores = await scoreRows(staged.map((s) => s.model), first.source, inner.valid, first.posWeight);
    const chosen = chooseCostThreshold(inner.valid.map((r) => data.labels[r] as number), validScores, data.costMatrix);
    const what = plans.length === 1 ? '' : ` (mean logit of ${plans.length} members)`;
    const threshold = { value: chosen.threshold, source: `cost-minimising on ${inner.valid.length} validation rows${what} (cost ${chosen.cost.toFixed(4)})` };
    let finalRows = inner.train;
    let prepared = first;
    if (config.refit) {
      prepared = prepareRows(config, data, plan.trainRows);
      finalRows = plan.trainRows;
      for (const stage of staged) {
        const epochs = bestEpochs(stage.result);
        const { earlyStopping: _es, maxSteps: _ms, ...rest } = memberTrainer(stage.plan);
        const refitted = await trainMember(config, data, stage.plan, prepared, { train: plan.trainRows, valid: null }, { ...rest, epochs, runDir: logDir(stage.plan, 'refit') } as TrainerConfigInput);
        finals.push({ plan: stage.plan, model: refitted.model, baseline: { shape: [], values: [] }, epochs, stopReason: `${stage.result.stopReason} at epoch ${epochs}, refitted on all ${plan.trainRows.length} training rows` });
      }
      for (const stage of staged.splice(0)) stage.model.dispose();
    } else {
      for (const stage of staged.splice(0)) finals.push({ plan: stage.plan, model: stage.model, baseline: { shape: [], values: [] }, epochs: stage.result.epochs, stopReason: stage.result.stopReason });
    }
    for (const member of finals) {
      const mean = await meanEmbedding(member.model, prepared.source.batches({ batchSize: 256, rows: finalRows, shuffle: false }), 'tabular', disposeBatch);
      member.baseline = { shape: mean.shape, values: Array.from(mean.dataSync()) };
      mean.dispose();
    }
    const bayes = bayesThreshold(data.costMatrix);
    const epochs = Math.round(finals.reduce((a, m) => a + m.epochs, 0) / finals.length);
    return {
      members: finals,
      preprocessing: prepared.preprocessing,
      posWeight: prepared.posWeight,
      threshold,
      bayes: { value: bayes, source: `Bayes threshold of the cost matrix on calibrated P(${data.classes[1]})` },
      rows: { train: finalRows, valid: inner.valid },
      epochs,
      stopReason: finals.length === 1 ? (finals[0] as TrainedMember).stopReason : `${finals.length} members: ${finals.map((m) => `${m.plan.kind} ${m.epochs} epochs`).join(', ')}${config.refit ? `, refitted on all ${plan.trainRows.length} training rows` : ''}`,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (error) {
    for (const stage of staged) stage.model.dispose();
    for (const member of finals) member.model.dispose();
    throw error;
  }
}

/** The members' models of a fit. */
export function fitModels(fit: TrainedFit): FusedModel[] {
  return fit.members.map((m) => m.model);
}

/** Frees a trained fit's models. */
export function disposeFit(fit: TrainedFit): void {
  for (const member of fit.members) member.model.dispose();
}
