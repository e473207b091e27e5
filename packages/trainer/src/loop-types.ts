// The types the training loop exchanges with its caller: data sources, validation, callbacks and the result.
import type { Batch, Model } from '@finmm/core';

/** What the trainer asks its data source for at the start of each epoch. */
export interface EpochContext {
  /** 0-based epoch. */
  epoch: number;
  /** Seed of this epoch's data order (e.g. `Rng.fromSeed(ctx.seed).permutation(n)`); identical after a resume. */
  seed: number;
  /** Leading batches consumed before an interruption; the trainer discards that many itself. */
  skip: number;
}

/** Yields an epoch's batches in order; the trainer disposes each batch's tensors after use. */
export type BatchSource = (ctx: EpochContext) => AsyncIterable<Batch> | Iterable<Batch>;

/** Validation: batches for the built-in evaluation, or a function returning metrics. */
export type Validation =
  | { batches: () => AsyncIterable<Batch> | Iterable<Batch> }
  | { evaluate: (model: Model, at: { step: number; epoch: number }) => Promise<Record<string, number>> | Record<string, number> };

/** What `fit` trains on. */
export interface FitOptions {
  train: BatchSource;
  validation?: Validation;
  /** Batches per epoch, when known: sets the schedule's length and the progress bar's total. */
  batchesPerEpoch?: number;
  /** A checkpoint directory to continue from, or `latest` (the newest in the run directory; a fresh start if none). */
  resume?: string;
}

/** Lets a callback end training after the current step (a final checkpoint is written). */
export interface TrainerControl {
  stop(reason?: string): void;
}

/** Passed to `onStep` after each optimizer step. */
export interface StepInfo {
  step: number;
  epoch: number;
  batchInEpoch: number;
  /** Base learning rate times the schedule's factor. */
  lr: number;
  /** The step's loss (reads it from the device; call only when needed). */
  loss(): number;
  /** The global gradient norm before clipping, when clipping is on. */
  gradNorm(): number | null;
}

/** Passed to `onEval`. */
export interface EvalInfo {
  step: number;
  epoch: number;
  metrics: Record<string, number>;
  /** Whether the early-stopping metric improved. */
  improved: boolean;
}

/** Passed to `onSave`. */
export interface SaveInfo {
  step: number;
  epoch: number;
  dir: string;
  kind: 'step' | 'best' | 'final' | 'model';
}

/** Hooks into the loop; each may be async. */
export interface Callbacks {
  onStep?(info: StepInfo, control: TrainerControl): void | Promise<void>;
  onEval?(info: EvalInfo, control: TrainerControl): void | Promise<void>;
  onSave?(info: SaveInfo, control: TrainerControl): void | Promise<void>;
}

/** Why training ended. */
export type StopReason = 'completed' | 'max-steps' | 'early-stopping' | 'stopped';

/** What `fit` returns (also written to `report.json` in the run directory). */
export interface FitResult {
  /** Optimizer steps taken (including those before a resume). */
  steps: number;
  /** Epochs completed. */
  epochs: number;
  stopReason: StopReason;
  stopMessage: string | null;
  /** Best value of the early-stopping metric and the step it was reached at. */
  best: { metric: string; value: number; step: number } | null;
  /** Whether the weights were restored to the best evaluation's. */
  restoredBest: boolean;
  /** Every evaluation, in order. */
  evaluations: Array<{ step: number; epoch: number; metrics: Record<string, number> }>;
  /** Effective task weights at the end (learned ones with uncertainty weighting). */
  taskWeights: Record<string, number>;
  durationMs: number;
  runDir: string | null;
}
