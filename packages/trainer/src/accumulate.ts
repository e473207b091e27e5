// Gradient accumulation: sums gradients of several micro-batches and returns their mean for one optimizer step.
import * as tf from '@tensorflow/tfjs';

/** Sums per-key gradients and losses over micro-batches. */
export class GradientAccumulator {
  private readonly sums = new Map<string, tf.Tensor>();
  private lossSum: tf.Scalar | null = null;
  private micro = 0;

  /** Micro-batches added since the last `take`. */
  get count(): number {
    return this.micro;
  }

  /** Adds one micro-batch; takes ownership of `grads` and `loss` (disposes them). */
  add(grads: ReadonlyMap<string, tf.Tensor>, loss: tf.Scalar): void {
    for (const [key, g] of grads) {
      const old = this.sums.get(key);
      if (old === undefined) this.sums.set(key, g);
      else {
        this.sums.set(key, tf.add(old, g));
        old.dispose();
        g.dispose();
      }
    }
    if (this.lossSum === null) this.lossSum = loss;
    else {
      const old = this.lossSum;
      this.lossSum = tf.add(old, loss) as tf.Scalar;
      old.dispose();
      loss.dispose();
    }
    this.micro++;
  }

  /** The mean gradients and mean loss of the micro-batches added; resets. The caller owns the results. */
  take(): { grads: Map<string, tf.Tensor>; loss: tf.Scalar } {
    if (this.micro === 0 || this.lossSum === null) throw new Error('no gradients accumulated');
    const n = this.micro;
    const grads = new Map<string, tf.Tensor>();
    for (const [key, sum] of this.sums) {
      if (n === 1) grads.set(key, sum);
      else {
        grads.set(key, tf.div(sum, n));
        sum.dispose();
      }
    }
    const loss = n === 1 ? this.lossSum : (tf.div(this.lossSum, n) as tf.Scalar);
    if (n !== 1) this.lossSum.dispose();
    this.sums.clear();
    this.lossSum = null;
    this.micro = 0;
    return { grads, loss };
  }

  /** Frees anything accumulated. */
  dispose(): void {
    tf.dispose([...this.sums.values()]);
    this.sums.clear();
    this.lossSum?.dispose();
    this.lossSum = null;
    this.micro = 0;
  }
}
