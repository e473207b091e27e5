// One micro-batch's loss and gradients: clean, or clean plus beta times the adversarial loss (FGM/PGD).
import * as tf from '@tensorflow/tfjs';
import type { Batch, Model } from '@finmm/core';
import { adversarialDeltas, deltaList, forwardOptions, gradientsOf, zeroDeltas, type AdversarialConfig, type LossOf } from './adversarial.js';

/** Loss (scalar) and one gradient per variable (null where a variable did not reach the loss). */
export interface LossAndGrads {
  loss: tf.Scalar;
  grads: Array<tf.Tensor | null>;
}

/** Computes loss and gradients of a training forward pass; with `adversarial`, adds the adversarial term. */
export class GradientStep {
  private readonly cache: { latentDim?: number } = {};

  constructor(
    private readonly model: Model,
    private readonly lossOf: LossOf,
    private readonly adversarial: AdversarialConfig | undefined,
  ) {}

  /** Loss and gradients with respect to `variables` for one batch. */
  run(batch: Batch, variables: readonly tf.Variable[]): LossAndGrads {
    if (this.adversarial === undefined) {
      const { value, grads } = gradientsOf(() => this.lossOf(this.model.forward(batch, { training: true }), batch), variables);
      return { loss: value, grads };
    }
    return this.adversarialRun(batch, variables, this.adversarial);
  }

  private adversarialRun(batch: Batch, variables: readonly tf.Variable[], config: AdversarialConfig): LossAndGrads {
    const zero = zeroDeltas(this.model, batch, config, this.cache);
    const zeroList = deltaList(zero);
    // Clean pass with a zero perturbation: dLoss/dVariables and dLoss/dDelta in one backward pass.
    const clean = gradientsOf(() => this.lossOf(this.model.forward(batch, forwardOptions(true, zero)), batch), [...zeroList, ...variables]);
    const deltaGrads = clean.grads.slice(0, zeroList.length);
    if (deltaGrads.every((g) => g === null)) {
      throw new Error(`adversarial training: the loss does not depend on the ${config.target} perturbation; does the model's forward() apply ${config.target === 'latent' ? 'latentDelta' : 'embeddingDeltas'}?`);
    }
    const delta = adversarialDeltas(this.model, batch, this.lossOf, config, zero, true, deltaGrads);
    tf.dispose(zeroList);
    tf.dispose(deltaGrads.filter((g): g is tf.Tensor => g !== null));
    // Adversarial pass: the perturbation is a constant (detached); only the variables get gradients.
    const adv = gradientsOf(() => this.lossOf(this.model.forward(batch, forwardOptions(true, delta)), batch), variables);
    tf.dispose(deltaList(delta));
    const beta = config.beta ?? 1;
    const cleanGrads = clean.grads.slice(zeroList.length);
    const grads = cleanGrads.map((g, i) => {
      const a = adv.grads[i] ?? null;
      if (g === null) return a === null ? null : tf.tidy(() => tf.mul(a, beta));
      if (a === null) return g;
      return tf.tidy(() => tf.add(g, tf.mul(a, beta)));
    });
    const loss = tf.tidy(() => tf.add(clean.value, tf.mul(adv.value, beta)) as tf.Scalar);
    tf.dispose([clean.value, adv.value]);
    cleanGrads.forEach((g, i) => {
      if (g !== null && g !== grads[i]) g.dispose();
    });
    tf.dispose(adv.grads.filter((g): g is tf.Tensor => g !== null));
    return { loss, grads };
  }
}
