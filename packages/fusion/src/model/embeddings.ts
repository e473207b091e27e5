// The optional encoder capability the model uses for adversarial training on embeddings (FGM/PGD).
import type * as tf from '@tensorflow/tfjs';
import type { Encoder, EncoderOutput, Modality, ModalityInputs } from '@finmm/core';

/**
 * An encoder that exposes its embedding layer: `embed(input)` returns what `ForwardOptions.embeddingDeltas` perturbs
 * (e.g. text word vectors `[B, T, D]`, tabular feature tokens `[B, F, D]`), and `encodeEmbeddings` encodes given
 * (perturbed) embeddings. The text transformer and the tabular encoders implement it.
 */
export interface EmbeddingEncoder<M extends Modality = Modality> extends Encoder<M> {
  embed(input: ModalityInputs[M]): tf.Tensor;
  encodeEmbeddings(input: ModalityInputs[M], embeddings: tf.Tensor, training: boolean): EncoderOutput;
}

/** Whether an encoder exposes `embed` and `encodeEmbeddings`. */
export function hasEmbeddings<M extends Modality>(encoder: Encoder<M>): encoder is EmbeddingEncoder<M> {
  const e = encoder as Partial<EmbeddingEncoder<M>>;
  return typeof e.embed === 'function' && typeof e.encodeEmbeddings === 'function';
}
