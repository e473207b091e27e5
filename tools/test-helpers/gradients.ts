// Test helper (import it from tests by relative path): which variables a loss sends no gradient to.
import * as tf from '@tensorflow/tfjs';
import type { Encoder, EncoderOutput, Modality, ModalityInputs } from '@finmm/core';

/** Names of `vars` whose gradient of `loss` is missing or zero everywhere. */
export function variablesWithoutGradient(vars: tf.Variable[], loss: () => tf.Scalar): string[] {
  const { value, grads } = tf.variableGrads(loss, vars);
  const missing = vars.filter((v) => {
    const g = grads[v.name];
    return g === undefined || tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0] === 0);
  });
  tf.dispose([value, ...Object.values(grads)]);
  return missing.map((v) => v.name);
}

/** A scalar that every element of an encoder output reaches: `pooled` (and `tokens`) under fixed random projections. */
export function projectedOutput(out: EncoderOutput): tf.Scalar {
  const pooled = tf.sum(tf.mul(out.pooled, tf.randomNormal(out.pooled.shape, 0, 1, 'float32', 11)));
  const tokens = out.tokens === undefined ? tf.scalar(0) : tf.sum(tf.mul(out.tokens, tf.randomNormal(out.tokens.shape, 0, 1, 'float32', 12)));
  return tf.add(pooled, tokens);
}

/** Names of the encoder's variables whose gradient under a random projection of its (training) output is zero or missing. */
export function encoderVariablesWithoutGradient<M extends Modality>(encoder: Encoder<M>, input: ModalityInputs[M]): string[] {
  return variablesWithoutGradient(encoder.variables(), () => projectedOutput(encoder.encode(input, true)));
}
