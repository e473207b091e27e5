// Stochastic gradient descent with momentum (heavy-ball or Nesterov), as PyTorch's SGD.
import * as tf from '@tensorflow/tfjs';
import { SlotStore } from './slots.js';
import type { GradientUpdate, Optimizer, OptimizerSnapshot } from './types.js';

/** Hyper-parameters of SGD (learning rate and decay come per parameter). */
export interface SgdOptions {
  /** Momentum factor mu; 0 disables the buffer. Default 0.9. */
  momentum?: number;
  /** Dampening of the gradient in the buffer. Default 0. */
  dampening?: number;
  /** Nesterov momentum. Default false. */
  nesterov?: boolean;
}

/**
 * SGD in PyTorch's form: `g += wd p` (for SGD, L2 and decoupled decay differ only by the momentum's memory;
 * this follows PyTorch); `b = g` on the first step, then `b = mu b + (1 - dampening) g`; the step is `b`, or
 * `g + mu b` with Nesterov; `p -= lr step`.
 */
export class Sgd implements Optimizer {
  readonly name = 'sgd';
  private readonly momentum: number;
  private readonly dampening: number;
  private readonly nesterov: boolean;
  private readonly slots = new SlotStore(['momentum']);
  private started = new Map<string, number>();

  constructor(options: SgdOptions = {}) {
    this.momentum = options.momentum ?? 0.9;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new Error('Nesterov momentum needs momentum > 0 and dampening 0');
  }

  /** One SGD update of every parameter in `updates`. */
  step(updates: readonly GradientUpdate[], lrScale: number): void {
    const mu = this.momentum;
    for (const { param, grad } of updates) {
      const lr = param.lr * lrScale;
      const first = !this.started.has(param.key);
      const buffer = mu > 0 ? this.slots.get(param.key, 'momentum', param.variable) : null;
      this.started.set(param.key, (this.started.get(param.key) ?? 0) + 1);
      tf.tidy(() => {
        let g: tf.Tensor = param.weightDecay > 0 ? tf.add(grad, tf.mul(param.variable, param.weightDecay)) : grad;
        if (buffer !== null) {
          const b = first ? g : tf.add(tf.mul(buffer, mu), tf.mul(g, 1 - this.dampening));
          buffer.assign(b);
          g = this.nesterov ? tf.add(g, tf.mul(b, mu)) : b;
        }
        param.variable.assign(tf.sub(param.variable, tf.mul(g, lr)));
      });
    }
  }

  /** Momentum buffers `<key>/momentum` and step counts by key. */
  saveState(): OptimizerSnapshot {
    return { tensors: this.slots.snapshot(), counters: Object.fromEntries(this.started) };
  }

  /** Restores buffers and step counts. */
  loadState(snapshot: { tensors: ReadonlyMap<string, tf.Tensor>; counters: Record<string, number> }): void {
    this.slots.load(snapshot.tensors);
    this.started = new Map(Object.entries(snapshot.counters));
  }

  /** Frees the buffers. */
  dispose(): void {
    this.slots.dispose();
  }
}
