// AdamW (Loshchilov & Hutter 2019): Adam with weight decay decoupled from the gradient, as PyTorch's AdamW; or,
// with `decay: 'l2'`, Adam with the decay added to the gradient as an L2 penalty, as PyTorch's Adam.
import * as tf from '@tensorflow/tfjs';
import { hasFusedKernel, runFusedKernel } from '@finmm/core';
import { SlotStore } from './slots.js';
import type { GradientUpdate, Optimizer, OptimizerSnapshot } from './types.js';

/** Hyper-parameters of AdamW (learning rate and decay come per parameter). */
export interface AdamWOptions {
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  epsilon?: number;
  /**
   * How a parameter's weight decay acts: 'decoupled' (AdamW, default) shrinks the weight apart from the moments;
   * 'l2' adds `wd p` to the gradient (Adam with an L2 penalty `wd/2 |p|^2` in the loss), so the decay enters the
   * moments and training converges to the L2-regularised optimum, as a convex model (logistic regression) needs.
   */
  decay?: 'decoupled' | 'l2';
}

/**
 * AdamW with per-parameter step counts (a parameter unfrozen later starts its own bias correction), in PyTorch's
 * order: `p *= 1 - lr wd`; `m = b1 m + (1-b1) g`; `v = b2 v + (1-b2) g^2`;
 * `p -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)`. The decay never enters the moments.
 * With `decay: 'l2'` (named 'adam') it is PyTorch's Adam instead: `g += wd p`, then the same moments and step.
 */
export class AdamW implements Optimizer {
  readonly name: 'adamw' | 'adam';
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly l2: boolean;
  private readonly slots = new SlotStore(['m', 'v']);
  private steps = new Map<string, number>();

  constructor(options: AdamWOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.l2 = options.decay === 'l2';
    this.name = this.l2 ? 'adam' : 'adamw';
  }

  /** One AdamW (or Adam + L2) update of every parameter in `updates`. */
  step(updates: readonly GradientUpdate[], lrScale: number): void {
    for (const update of updates) {
      const { param } = update;
      const l2 = this.l2 && param.weightDecay > 0;
      const grad = l2 ? tf.tidy(() => tf.add(update.grad, tf.mul(param.variable, param.weightDecay))) : update.grad;
      try {
        this.update(param, grad, l2 ? 0 : param.weightDecay, lrScale);
      } finally {
        if (grad !== update.grad) grad.dispose();
      }
    }
  }

  /** The Adam update of one parameter, with decoupled decay `weightDecay` (0 for none). */
  private update(param: GradientUpdate['param'], grad: tf.Tensor, weightDecay: number, lrScale: number): void {
    const { beta1, beta2, epsilon } = this;
    const m = this.slots.get(param.key, 'm', param.variable);
    const v = this.slots.get(param.key, 'v', param.variable);
    const t = (this.steps.get(param.key) ?? 0) + 1;
    this.steps.set(param.key, t);
    const lr = param.lr * lrScale;
    const stepSize = lr / (1 - beta1 ** t);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
    const decay = weightDecay > 0 ? 1 - lr * weightDecay : 1;
    if (hasFusedKernel('FinmmAdamW')) {
      // The same update in one pass over memory (finmm's fused kernel), instead of 12 TensorFlow ops.
      const [pNew, mNew, vNew] = tf.tidy(() => {
        const hyper = tf.tensor1d([beta1, 1 - beta1, beta2, 1 - beta2, epsilon, stepSize, bc2Sqrt, decay]);
        return runFusedKernel('FinmmAdamW', [param.variable, m, v, grad, hyper], 3);
      }) as [tf.Tensor, tf.Tensor, tf.Tensor];
      param.variable.assign(pNew);
      m.assign(mNew);
      v.assign(vNew);
      tf.dispose([pNew, mNew, vNew]);
      return;
    }
    tf.tidy(() => {
      const mNew = tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1));
      const vNew = tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2));
      m.assign(mNew);
      v.assign(vNew);
      const decayed = weightDecay > 0 ? tf.mul(param.variable, decay) : param.variable;
      const denom = tf.add(tf.div(tf.sqrt(vNew), bc2Sqrt), epsilon);
      param.variable.assign(tf.sub(decayed, tf.mul(tf.div(mNew, denom), stepSize)));
    });
  }

  /** Moments `<key>/m`, `<key>/v` and step counts by key. */
  saveState(): OptimizerSnapshot {
    return { tensors: this.slots.snapshot(), counters: Object.fromEntries(this.steps) };
  }

  /** Restores moments and step counts. */
  loadState(snapshot: { tensors: ReadonlyMap<string, tf.Tensor>; counters: Record<string, number> }): void {
    this.slots.load(snapshot.tensors);
    this.steps = new Map(Object.entries(snapshot.counters));
  }

  /** Frees the moments. */
  dispose(): void {
    this.slots.dispose();
  }
}
