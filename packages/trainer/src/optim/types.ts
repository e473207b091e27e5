// What the trainer's optimizers work on: trainable parameters with their group's learning rate and decay.
import type * as tf from '@tensorflow/tfjs';

/** One trainable variable with the hyper-parameters of its group. */
export interface TrainableParam {
  /** Stable name for optimizer state and checkpoints (the variable's own name for model variables). */
  key: string;
  variable: tf.Variable;
  /** Name of the parameter group it belongs to. */
  group: string;
  /** Depth of its group (ParameterGroup.depth), for freezing. */
  depth: number;
  /** Depth of the deepest group of its encoder (ParameterGroup.maxDepth). */
  maxDepth: number;
  /** Whether its group holds pretrained weights. */
  pretrained: boolean;
  /** Learning rate of its group before the schedule's factor (layer-wise decay already applied). */
  lr: number;
  /** Weight decay coefficient; 0 for parameters excluded from decay. */
  weightDecay: number;
}

/** A gradient for one parameter. */
export interface GradientUpdate {
  param: TrainableParam;
  grad: tf.Tensor;
}

/** An optimizer's state for checkpoints: named tensors plus JSON counters. */
export interface OptimizerSnapshot {
  /** Copies of the state tensors by `<param key>/<slot>`; the caller disposes them. */
  tensors: Record<string, tf.Tensor>;
  /** Per-parameter step counts and the like. */
  counters: Record<string, number>;
}

/** An optimizer over tf.Variables whose state can be saved and restored exactly. */
export interface Optimizer {
  readonly name: string;
  /** Applies one update; `lrScale` (the schedule's factor) multiplies every parameter's learning rate. */
  step(updates: readonly GradientUpdate[], lrScale: number): void;
  /** Copies of the state, for a checkpoint. */
  saveState(): OptimizerSnapshot;
  /** Restores a state written by `saveState` (tensors are copied; the caller keeps ownership). */
  loadState(snapshot: { tensors: ReadonlyMap<string, tf.Tensor>; counters: Record<string, number> }): void;
  /** Frees the state tensors. */
  dispose(): void;
}
