// The training loop: epochs of batches, gradient accumulation, clipping, schedules, freezing, adversarial terms,
// evaluation with early stopping, checkpoints with exact resume, callbacks, progress and a run directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { assertCanTrainEmbeddings, Rng, seedDropout, type Batch, type JsonValue, type Model } from '@finmm/core';
import { FixedWeights, UncertaintyWeighting, type LossCombiner } from '@finmm/losses';
import { GradientAccumulator } from './accumulate.js';
import { disposeBatch } from './batch.js';
import {
  checkpointName,
  latestCheckpoint,
  loadCheckpoint,
  loadModelWeights,
  pruneCheckpoints,
  saveCheckpoint,
  saveModelWeights,
  type TrainerState,
} from './checkpoint.js';
import { parseTrainerConfig, type TrainerConfig, type TrainerConfigInput } from './config.js';
import { EarlyStopping } from './early-stopping.js';
import { evaluateModel } from './evaluate.js';
import { trainableAt } from './freeze.js';
import { GradientStep } from './grad-step.js';
import { MetricsLog } from './metrics-log.js';
import { AdamW } from './optim/adamw.js';
import { clipByGlobalNorm } from './optim/clip.js';
import { buildTrainableParams } from './optim/param-groups.js';
import { buildSchedule, type Schedule } from './optim/schedule.js';
import { Sgd } from './optim/sgd.js';
import type { GradientUpdate, Optimizer, TrainableParam } from './optim/types.js';
import type { Callbacks, FitOptions, FitResult, StepInfo, StopReason, TrainerControl } from './loop-types.js';
import { createProgress, type ProgressReporter } from './progress.js';
import { totalLoss } from './task-loss.js';

function createOptimizer(config: TrainerConfig['optimizer']): Optimizer {
  if (config.type === 'adamw' || config.type === 'adam') {
    return new AdamW({ beta1: config.beta1, beta2: config.beta2, epsilon: config.epsilon, decay: config.type === 'adam' ? 'l2' : 'decoupled' });
  }
  return new Sgd({ momentum: config.momentum, dampening: config.dampening, nesterov: config.nesterov });
}

/**
 * The combiner config to use: the trainer config's when it names one, else uncertainty weighting (default
 * convention) when the model asks for it through `Model.lossWeighting()`, else fixed weights.
 */
export function effectiveCombiner(input: TrainerConfigInput | undefined, parsed: TrainerConfig['combiner'], model: Model): TrainerConfig['combiner'] {
  if (input?.combiner !== undefined) return parsed;
  return model.lossWeighting?.() === 'uncertainty' ? { type: 'uncertainty', convention: 'uniform' } : parsed;
}

function createCombiner(config: TrainerConfig['combiner'], model: Model): LossCombiner {
  const tasks = model.tasks();
  if (config.type === 'uncertainty') return new UncertaintyWeighting({ tasks, convention: config.convention });
  return new FixedWeights(Object.fromEntries(tasks.map((t) => [t.name, t.weight])));
}

/**
 * Trains a core `Model`: `new Trainer(model, config, callbacks).fit({ train, validation })`.
 * A run resumed from a checkpoint ends with the same weights as an uninterrupted one when the data source derives
 * its order from `EpochContext.seed` only and the model draws its dropout masks through core's seeded stream
 * (`dropout`, `nextDropoutSeed`), which the trainer seeds before every micro-step.
 */
export class Trainer {
  readonly config: TrainerConfig;
  readonly combiner: LossCombiner;
  private readonly optimizer: Optimizer;
  private readonly gradStep: GradientStep;
  private readonly accumulator = new GradientAccumulator();

  constructor(
    readonly model: Model,
    config: TrainerConfigInput = {},
    private readonly callbacks: Callbacks = {},
  ) {
    const parsed = parseTrainerConfig(config);
    this.config = { ...parsed, combiner: effectiveCombiner(config, parsed.combiner, model) };
    this.combiner = createCombiner(this.config.combiner, model);
    this.optimizer = createOptimizer(this.config.optimizer);
    const tasks = model.tasks();
    this.gradStep = new GradientStep(model, (out, batch) => totalLoss(tasks, out, batch, this.combiner), this.config.adversarial);
  }

  /** Trains until the epochs or maxSteps are done, early stopping fires, or a callback stops it. */
  async fit(options: FitOptions): Promise<FitResult> {
    assertCanTrainEmbeddings('the model');
    return new Run(this, options, this.optimizer, this.gradStep, this.accumulator, this.callbacks).execute();
  }

  /** Frees the optimizer state and the loss combiner's parameters (not the model). */
  dispose(): void {
    this.optimizer.dispose();
    this.combiner.dispose();
    this.accumulator.dispose();
  }
}

/** One call of `fit`: the loop's mutable state. */
class Run {
  private readonly cfg: TrainerConfig;
  private readonly model: Model;
  private readonly runDir: string | null;
  private readonly checkpointsDir: string | null;
  private readonly log: MetricsLog;
  private readonly progress: ProgressReporter;
  private readonly params: TrainableParam[];
  private readonly stopper: EarlyStopping | null;
  private schedule: Schedule = () => 1;
  private totalSteps: number | null = null;
  private rng: Rng;
  private state: TrainerState;
  private stopReason: StopReason | null = null;
  private stopMessage: string | null = null;
  private readonly evaluations: FitResult['evaluations'] = [];
  private bestSnapshot: Map<string, tf.Tensor> | null = null;
  private hasBest = false;
  private lossWindow: tf.Scalar | null = null;
  private lossWindowSteps = 0;
  private lastCheckpointStep = -1;
  private startedAt = Date.now();
  private readonly control: TrainerControl = {
    stop: (reason?: string) => {
      this.stopReason ??= 'stopped';
      this.stopMessage = reason ?? null;
    },
  };

  constructor(
    private readonly trainer: Trainer,
    private readonly options: FitOptions,
    private readonly optimizer: Optimizer,
    private readonly gradStep: GradientStep,
    private readonly accumulator: GradientAccumulator,
    private readonly callbacks: Callbacks,
  ) {
    this.cfg = trainer.config;
    this.model = trainer.model;
    this.runDir = this.cfg.runDir ?? null;
    this.checkpointsDir = this.runDir === null ? null : join(this.runDir, 'checkpoints');
    this.log = new MetricsLog(this.runDir === null ? null : join(this.runDir, 'metrics.jsonl'));
    this.progress = createProgress(this.cfg.progress);
    const opt = this.cfg.optimizer;
    this.params = buildTrainableParams(
      this.model.parameterGroups(),
      { lr: opt.lr, weightDecay: opt.weightDecay, layerDecay: this.cfg.layerDecay, ...(this.cfg.groupLr ? { groupLr: this.cfg.groupLr } : {}) },
      trainer.combiner.parameters(),
    );
    const es = this.cfg.earlyStopping;
    this.stopper = es === undefined ? null : new EarlyStopping({ metric: es.metric, patience: es.patience, minDelta: es.minDelta, ...(es.mode ? { mode: es.mode } : {}) });
    this.rng = Rng.fromSeed(this.cfg.seed);
    this.state = {
      version: 1, step: 0, epoch: 0, batchInEpoch: 0, epochSeed: null, rngState: this.rng.state(),
      optimizerCounters: {}, optimizerName: optimizer.name, earlyStopping: null, elapsedMs: 0,
    };
  }

  async execute(): Promise<FitResult> {
    const cfg = this.cfg;
    const perEpoch = this.options.batchesPerEpoch === undefined ? null : Math.ceil(this.options.batchesPerEpoch / cfg.accumulate);
    this.totalSteps = cfg.maxSteps ?? (perEpoch === null ? null : perEpoch * cfg.epochs);
    this.schedule = buildSchedule(cfg.schedule, this.totalSteps);
    const resumedFrom = await this.resume();
    this.writeRunConfig(resumedFrom);
    this.log.write('event', { event: resumedFrom === null ? 'start' : 'resume', step: this.state.step, epoch: this.state.epoch, ...(resumedFrom ? { from: resumedFrom } : {}) });
    try {
      await this.loop();
      return await this.finish();
    } catch (error) {
      this.log.write('event', { event: 'error', step: this.state.step, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      this.progress.stop();
      this.accumulator.dispose();
      this.lossWindow?.dispose();
      this.lossWindow = null;
      if (this.bestSnapshot !== null) tf.dispose([...this.bestSnapshot.values()]);
    }
  }

  private async resume(): Promise<string | null> {
    const { resume } = this.options;
    if (resume === undefined) return null;
    let dir: string | null = resume;
    if (resume === 'latest') {
      if (this.checkpointsDir === null) throw new Error("resume: 'latest' needs a runDir");
      dir = await latestCheckpoint(this.checkpointsDir);
      if (dir === null) return null;
    }
    this.state = await loadCheckpoint(dir, { model: this.model, optimizer: this.optimizer, extra: this.trainer.combiner.parameters() });
    this.rng = Rng.fromState(this.state.rngState);
    if (this.stopper !== null && this.state.earlyStopping !== null) this.stopper.load(this.state.earlyStopping);
    this.hasBest = this.state.earlyStopping?.best !== null && this.state.earlyStopping?.best !== undefined;
    this.lastCheckpointStep = this.state.step;
    this.startedAt = Date.now() - this.state.elapsedMs;
    return dir;
  }

  private async loop(): Promise<void> {
    const cfg = this.cfg;
    const resumed = { epoch: this.state.epoch, seed: this.state.epochSeed, skip: this.state.batchInEpoch };
    if (this.stopper?.stopped) this.stopReason = 'early-stopping';
    if (cfg.maxSteps !== undefined && this.state.step >= cfg.maxSteps) this.stopReason = 'max-steps';
    for (let epoch = this.state.epoch; epoch < cfg.epochs && this.stopReason === null; epoch++) {
      const continuing = epoch === resumed.epoch && resumed.seed !== null;
      const seed = continuing ? (resumed.seed as number) : this.rng.int(0, 0x7fffffff);
      const skip = continuing ? resumed.skip : 0;
      Object.assign(this.state, { epoch, epochSeed: seed, batchInEpoch: skip, rngState: this.rng.state() });
      const active = trainableAt(this.params, epoch, cfg.freeze, cfg.gradualUnfreezing);
      if (active.length === 0) throw new Error(`nothing to train in epoch ${epoch}: every parameter is frozen`);
      let index = 0;
      for await (const batch of this.options.train({ epoch, seed, skip })) {
        if (index < skip || this.stopReason !== null) {
          disposeBatch(batch);
          index++;
          if (this.stopReason !== null) break;
          continue;
        }
        index++;
        try {
          seedDropout(cfg.seed, seed, index); // the same masks in a rerun and after a resume
          this.microStep(batch, active);
        } finally {
          disposeBatch(batch);
        }
        this.state.batchInEpoch = index;
        if (this.accumulator.count === cfg.accumulate) await this.optimizerStep(active);
        if (this.stopReason !== null) break;
      }
      if (this.stopReason !== null) break;
      if (this.accumulator.count > 0) await this.optimizerStep(active); // a last, partial accumulation
      Object.assign(this.state, { epoch: epoch + 1, batchInEpoch: 0, epochSeed: null });
      if (cfg.evalEvery === 'epoch') await this.evaluate();
      if (cfg.checkpointEvery === 'epoch' && this.stopReason === null) await this.checkpoint();
    }
    if (this.stopReason === null) this.stopReason = 'completed';
  }

  private microStep(batch: Batch, active: readonly TrainableParam[]): void {
    const { loss, grads } = this.gradStep.run(batch, active.map((p) => p.variable));
    const byKey = new Map<string, tf.Tensor>();
    grads.forEach((g, i) => {
      if (g !== null) byKey.set((active[i] as TrainableParam).key, g);
    });
    this.accumulator.add(byKey, loss);
  }

  private async optimizerStep(active: readonly TrainableParam[]): Promise<void> {
    const cfg = this.cfg;
    const { grads, loss } = this.accumulator.take();
    let updates: GradientUpdate[] = [];
    for (const p of active) {
      const grad = grads.get(p.key);
      if (grad !== undefined) updates.push({ param: p, grad });
    }
    let gradNorm: tf.Scalar | null = null;
    if (cfg.clipNorm !== undefined && updates.length > 0) {
      const clipped = clipByGlobalNorm(updates.map((u) => u.grad), cfg.clipNorm);
      tf.dispose(updates.map((u) => u.grad));
      updates = updates.map((u, i) => ({ param: u.param, grad: clipped.grads[i] as tf.Tensor }));
      gradNorm = clipped.norm;
    }
    const factor = this.schedule(this.state.step);
    this.optimizer.step(updates, factor);
    tf.dispose(updates.map((u) => u.grad));
    this.state.step++;
    const step = this.state.step;
    const lr = cfg.optimizer.lr * factor;
    const previous = this.lossWindow;
    this.lossWindow = previous === null ? tf.clone(loss) : (tf.add(previous, loss) as tf.Scalar);
    previous?.dispose();
    this.lossWindowSteps++;
    try {
      if (step % cfg.logEvery === 0) this.logTraining(lr);
      else this.progress.step({ epoch: this.state.epoch, epochs: cfg.epochs, step, totalSteps: this.totalSteps, lr });
      if (this.callbacks.onStep !== undefined) {
        const info: StepInfo = {
          step, epoch: this.state.epoch, batchInEpoch: this.state.batchInEpoch, lr,
          loss: () => loss.dataSync()[0] as number,
          gradNorm: () => (gradNorm === null ? null : (gradNorm.dataSync()[0] as number)),
        };
        await this.callbacks.onStep(info, this.control);
      }
    } finally {
      loss.dispose();
      gradNorm?.dispose();
    }
    if (typeof cfg.evalEvery === 'number' && step % cfg.evalEvery === 0) await this.evaluate();
    if (cfg.maxSteps !== undefined && step >= cfg.maxSteps) this.stopReason ??= 'max-steps';
    if (typeof cfg.checkpointEvery === 'number' && step % cfg.checkpointEvery === 0 && this.stopReason === null) await this.checkpoint();
  }

  private logTraining(lr: number): void {
    if (this.lossWindow === null) return;
    const mean = (this.lossWindow.dataSync()[0] as number) / this.lossWindowSteps;
    this.lossWindow.dispose();
    this.lossWindow = null;
    this.lossWindowSteps = 0;
    const record = { step: this.state.step, epoch: this.state.epoch, loss: mean, lr };
    this.log.write('train', record);
    this.progress.update({ epoch: this.state.epoch, epochs: this.cfg.epochs, step: this.state.step, totalSteps: this.totalSteps, loss: mean, lr });
  }

  private async evaluate(): Promise<void> {
    const validation = this.options.validation;
    if (validation === undefined) return;
    const at = { step: this.state.step, epoch: this.state.epoch };
    const metrics = 'batches' in validation ? (await evaluateModel(this.model, validation.batches())).metrics : await validation.evaluate(this.model, at);
    const improved = this.stopper?.update(metrics, this.state.step) ?? false;
    this.evaluations.push({ ...at, metrics: { ...metrics } });
    this.log.write('eval', { ...at, metrics: jsonMetrics(metrics), improved });
    this.progress.note(`eval step ${at.step}: ${Object.entries(metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`);
    if (improved && this.cfg.earlyStopping?.restoreBest) await this.saveBest();
    if (this.callbacks.onEval !== undefined) await this.callbacks.onEval({ ...at, metrics, improved }, this.control);
    if (this.stopper?.stopped) this.stopReason ??= 'early-stopping';
  }

  private async saveBest(): Promise<void> {
    this.hasBest = true;
    if (this.checkpointsDir === null) {
      if (this.bestSnapshot !== null) tf.dispose([...this.bestSnapshot.values()]);
      this.bestSnapshot = new Map(this.model.variables().map((v) => [v.name, v.clone()]));
      return;
    }
    const dir = join(this.checkpointsDir, 'best');
    await saveCheckpoint(dir, { model: this.model, optimizer: this.optimizer, extra: this.trainer.combiner.parameters() }, this.snapshotState());
    await this.callbacks.onSave?.({ step: this.state.step, epoch: this.state.epoch, dir, kind: 'best' }, this.control);
  }

  private snapshotState(): TrainerState {
    return {
      ...this.state,
      rngState: this.rng.state(),
      earlyStopping: this.stopper?.state() ?? null,
      elapsedMs: Date.now() - this.startedAt,
    };
  }

  private async checkpoint(kind: 'step' | 'final' = 'step'): Promise<void> {
    if (this.checkpointsDir === null || this.lastCheckpointStep === this.state.step) return;
    const dir = join(this.checkpointsDir, checkpointName(this.state.step));
    await saveCheckpoint(dir, { model: this.model, optimizer: this.optimizer, extra: this.trainer.combiner.parameters() }, this.snapshotState());
    this.lastCheckpointStep = this.state.step;
    await pruneCheckpoints(this.checkpointsDir, this.cfg.keepCheckpoints);
    this.log.write('event', { event: 'checkpoint', step: this.state.step, dir });
    await this.callbacks.onSave?.({ step: this.state.step, epoch: this.state.epoch, dir, kind }, this.control);
  }

  private async finish(): Promise<FitResult> {
    await this.checkpoint('final');
    let restoredBest = false;
    if (this.cfg.earlyStopping?.restoreBest && this.hasBest) {
      if (this.bestSnapshot !== null) {
        for (const v of this.model.variables()) {
          const t = this.bestSnapshot.get(v.name);
          if (t !== undefined) v.assign(t);
        }
      } else if (this.checkpointsDir !== null) {
        await loadModelWeights(join(this.checkpointsDir, 'best'), this.model);
      }
      restoredBest = true;
    }
    const es = this.stopper?.state();
    const result: FitResult = {
      steps: this.state.step,
      epochs: this.state.epoch,
      stopReason: this.stopReason ?? 'completed',
      stopMessage: this.stopMessage,
      best: es && es.best !== null && es.bestStep !== null && this.stopper ? { metric: this.stopper.config.metric, value: es.best, step: es.bestStep } : null,
      restoredBest,
      evaluations: this.evaluations,
      taskWeights: this.trainer.combiner.weights(),
      durationMs: Date.now() - this.startedAt,
      runDir: this.runDir,
    };
    if (this.runDir !== null) {
      const modelDir = join(this.runDir, 'model');
      await saveModelWeights(modelDir, this.model);
      await this.callbacks.onSave?.({ step: this.state.step, epoch: this.state.epoch, dir: modelDir, kind: 'model' }, this.control);
      writeFileSync(join(this.runDir, 'report.json'), `${JSON.stringify(jsonResult(result), null, 2)}\n`);
    }
    this.log.write('event', { event: 'end', step: this.state.step, stopReason: result.stopReason });
    return result;
  }

  private writeRunConfig(resumedFrom: string | null): void {
    if (this.runDir === null) return;
    mkdirSync(this.runDir, { recursive: true });
    const doc = { trainer: this.cfg as unknown as JsonValue, model: this.model.config(), tasks: this.model.tasks().map((t) => ({ name: t.name, kind: t.kind, outDim: t.outDim, loss: t.loss.name, weight: t.weight })), resumedFrom, writtenAt: new Date().toISOString() };
    writeFileSync(join(this.runDir, 'config.json'), `${JSON.stringify(doc, null, 2)}\n`);
  }
}

/** Metrics with NaN/Infinity as null (JSON has no NaN). */
function jsonMetrics(metrics: Record<string, number>): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, Number.isFinite(v) ? v : null]));
}

function jsonResult(result: FitResult): JsonValue {
  return JSON.parse(JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))) as JsonValue;
}
