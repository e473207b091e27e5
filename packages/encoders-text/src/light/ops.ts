// Tensor helpers the light text encoders share: input checks, embedding lookup and the float mask.
import * as tf from '@tensorflow/tfjs';
import type { TextInput } from '@finmm/core';

/** Checks that ids and attentionMask are `[B, T]` of the same shape; returns [B, T]. */
export function checkTextInput(input: TextInput, type: string): [number, number] {
  const { ids, attentionMask } = input;
  if (ids.rank !== 2) throw new Error(`${type}: "text.ids" must be [B, T], got shape [${ids.shape.join(', ')}]`);
  if (attentionMask.shape[0] !== ids.shape[0] || attentionMask.shape[1] !== ids.shape[1]) {
    throw new Error(`${type}: "text.attentionMask" has shape [${attentionMask.shape.join(', ')}]; expected [${ids.shape.join(', ')}] like "text.ids"`);
  }
  return [ids.shape[0], ids.shape[1]];
}

/** Rows of `table` `[V, D]` for ids `[B, T]`: `[B, T, D]`. */
export function lookup(table: tf.Variable, ids: tf.Tensor2D): tf.Tensor3D {
  return tf.gather(table, tf.cast(ids, 'int32')) as tf.Tensor3D; // [B, T, D]
}

/** Checks that a given embedding (or perturbation) is `[B, T, D]` for the input. */
export function checkEmbeddings(vectors: tf.Tensor, batch: number, seqLen: number, dim: number, type: string, what: string): void {
  const [b, t, d] = vectors.shape;
  if (vectors.rank !== 3 || b !== batch || t !== seqLen || d !== dim) {
    throw new Error(`${type}: ${what} has shape [${vectors.shape.join(', ')}]; expected [${batch}, ${seqLen}, ${dim}]`);
  }
}

/** The attention mask as float32 `[B, T]`. */
export function floatMask(input: TextInput): tf.Tensor2D {
  return tf.cast(input.attentionMask, 'float32');
}
