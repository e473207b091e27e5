// Trains one stock model (one seed) on the training rows, evaluating on the validation rows after each epoch:
// early stopping and the restored best epoch are chosen there. The test rows are never touched here.
import fs from 'node:fs';
import path from 'node:path';
import type { RunDir, RunProgress } from '@finmm/finance-tasks';
import type { FusedModel } from '@finmm/fusion';
import { Trainer, type TrainerConfigInput } from '@finmm/trainer';
import { stockBatches } from './batches.js';
import type { StockConfig } from './config.js';
import { MOVEMENT_TASK, type StockInputs } from './inputs.js';
import { buildStockModel } from './model.js';

/** A trained model and how its training went. */
export interface TrainedSeed {
  seed: number;
  model: FusedModel;
  /** Epochs trained, and the epoch whose weights were kept (the best validation one with early stopping). */
  epochs: number;
  keptEpoch: number;
  stopReason: string;
  /** Validation metrics of the kept epoch (the trainer's: loss, movement.accuracy, movement.mcc, ...). */
  validation: Record<string, number>;
  seconds: number;
}

/** Rows and labels one seed trains on. */
export interface SeedRows {
  train: readonly number[];
  validation: readonly number[];
  labels: ReadonlyArray<number | null>;
}

const fmt = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(4));

/** Trains the model of one seed; the trainer's metrics log goes to `<dir>/train/` (its checkpoints are removed after). */
export async function trainSeed(config: StockConfig, inputs: StockInputs, rows: SeedRows, seed: number, dir: RunDir, progress: RunProgress): Promise<TrainedSeed> {
  const started = Date.now();
  const model = buildStockModel(config, seed, inputs);
  const runDir = dir.file('train');
  const trainerConfig = {
    ...config.trainer,
    seed,
    runDir,
    progress: 'none',
    checkpointEvery: config.trainer['checkpointEvery'] ?? 'never',
  } as TrainerConfigInput;
  const trainer = new Trainer(model, trainerConfig, {
    onEval: ({ epoch, metrics, improved }) => {
      progress.note(`  seed ${seed}, epoch ${epoch}: validation loss ${fmt(metrics['loss'])}, accuracy ${fmt(metrics[`${MOVEMENT_TASK}.accuracy`])}, MCC ${fmt(metrics[`${MOVEMENT_TASK}.mcc`])}${improved ? ' (best so far)' : ''}`);
    },
  });
  try {
    const batchSize = config.batchSize;
    const result = await trainer.fit({
      train: (ctx) => stockBatches(inputs, rows.train, rows.labels, { batchSize, seed: ctx.seed, epoch: ctx.epoch }),
      validation: { batches: () => stockBatches(inputs, rows.validation, rows.labels, { batchSize: 256, shuffle: false }) },
      batchesPerEpoch: Math.ceil(rows.train.length / batchSize),
    });
    const kept = result.restoredBest && result.best !== null ? result.evaluations.find((e) => e.step === result.best?.step) : result.evaluations[result.evaluations.length - 1];
    fs.rmSync(path.join(runDir, 'checkpoints'), { recursive: true, force: true }); // the model directory keeps the weights
    return {
      seed,
      model,
      epochs: result.epochs,
      keptEpoch: kept?.epoch ?? result.epochs,
      stopReason: result.stopMessage ?? result.stopReason,
      validation: kept?.metrics ?? {},
      seconds: (Date.now() - started) / 1000,
    };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    trainer.dispose();
  }
}
