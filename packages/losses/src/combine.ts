// Multi-task loss combination: fixed weights, or weights learned from each task's uncertainty.
import * as tf from '@tensorflow/tfjs';
import type { TaskKind } from '@finmm/core';

/** One task's term for a batch. */
export interface TaskLossTerm {
  /** The task's masked mean loss. */
  loss: tf.Scalar;
  /** 1 when at least one sample of the batch has a label for the task, else 0. */
  labelled: tf.Scalar;
}

/** Combines per-task losses into the training loss; may own trainable parameters. */
export interface LossCombiner {
  readonly name: string;
  /** The total loss; tasks absent from `terms` are skipped. */
  combine(terms: Readonly<Record<string, TaskLossTerm>>): tf.Scalar;
  /** Trainable parameters by stable name (for the optimizer and checkpoints); empty for fixed weights. */
  parameters(): Record<string, tf.Variable>;
  /** Current effective weight of each task's loss. */
  weights(): Record<string, number>;
  /** Frees the parameters. */
  dispose(): void;
}

/** Fixed weights: `L = sum_t w_t L_t` (a task without a weight gets 1). */
export class FixedWeights implements LossCombiner {
  readonly name = 'fixed';
  constructor(private readonly taskWeights: Readonly<Record<string, number>>) {}

  /** Weighted sum of the task losses. */
  combine(terms: Readonly<Record<string, TaskLossTerm>>): tf.Scalar {
    return tf.tidy(() => {
      let total: tf.Scalar = tf.scalar(0);
      for (const [task, term] of Object.entries(terms)) total = tf.add(total, tf.mul(term.loss, this.taskWeights[task] ?? 1));
      return total;
    });
  }

  /** No trainable parameters. */
  parameters(): Record<string, tf.Variable> {
    return {};
  }

  /** The fixed weights. */
  weights(): Record<string, number> {
    return { ...this.taskWeights };
  }

  /** Nothing to free. */
  dispose(): void {}
}

/**
 * How the uncertainty-weighted terms are scaled, with s_t = log sigma_t^2:
 * - `uniform`: `exp(-s_t) L_t + s_t` for every task (the common simplification; weight exp(-s_t), optimum
 *   exp(-s_t) = 1 / L_t).
 * - `kendall`: Kendall, Gal & Cipolla 2018 exactly: regression (Gaussian likelihood, eq. 7)
 *   `0.5 exp(-s_t) L_t + 0.5 s_t`; classification (scaled softmax, eq. 10) `exp(-s_t) L_t + 0.5 s_t`.
 */
export type UncertaintyConvention = 'uniform' | 'kendall';

/** Options of uncertainty weighting. */
export interface UncertaintyWeightingOptions {
  /** The tasks, with their kind (which decides the factor under the `kendall` convention). */
  tasks: ReadonlyArray<{ name: string; kind: TaskKind }>;
  /** Scaling convention; default `uniform`. */
  convention?: UncertaintyConvention;
  /** Initial log-variance of every task; default 0 (weight 1). */
  initLogVariance?: number;
}

/**
 * Learned uncertainty weighting (Kendall et al. 2018): one trainable log-variance s_t per task; a noisier task
 * learns a larger s_t and so a smaller weight. The regulariser of a task counts only in batches where it has labels.
 */
export class UncertaintyWeighting implements LossCombiner {
  readonly name = 'uncertainty';
  private readonly logVariance = new Map<string, tf.Variable>();
  private readonly factors = new Map<string, { loss: number; reg: number }>();

  constructor(options: UncertaintyWeightingOptions) {
    const convention = options.convention ?? 'uniform';
    for (const task of options.tasks) {
      this.logVariance.set(task.name, tf.variable(tf.scalar(options.initLogVariance ?? 0), true));
      const regression = task.kind === 'regression';
      this.factors.set(task.name, convention === 'uniform' ? { loss: 1, reg: 1 } : { loss: regression ? 0.5 : 1, reg: 0.5 });
    }
  }

  /** `sum_t f_t exp(-s_t) L_t + r_t s_t` over the tasks present in `terms`. */
  combine(terms: Readonly<Record<string, TaskLossTerm>>): tf.Scalar {
    return tf.tidy(() => {
      let total: tf.Scalar = tf.scalar(0);
      for (const [task, term] of Object.entries(terms)) {
        const s = this.logVariance.get(task);
        const f = this.factors.get(task);
        if (s === undefined || f === undefined) throw new Error(`uncertainty weighting: unknown task '${task}'`);
        const weighted = tf.mul(tf.mul(tf.exp(tf.neg(s)), f.loss), term.loss);
        const regulariser = tf.mul(tf.mul(s, f.reg), term.labelled);
        total = tf.add(total, tf.add(weighted, regulariser));
      }
      return total;
    });
  }

  /** The log-variances, named `uncertainty.log_var.<task>`. */
  parameters(): Record<string, tf.Variable> {
    return Object.fromEntries([...this.logVariance].map(([task, v]) => [`uncertainty.log_var.${task}`, v]));
  }

  /** Effective weight f_t exp(-s_t) of each task's loss. */
  weights(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [task, s] of this.logVariance) out[task] = (this.factors.get(task)?.loss ?? 1) * Math.exp(-(s.dataSync()[0] as number));
    return out;
  }

  /** Frees the log-variances. */
  dispose(): void {
    for (const v of this.logVariance.values()) v.dispose();
  }
}
