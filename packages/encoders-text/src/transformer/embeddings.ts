// Token embeddings of the transformer: word vectors + positions (+ segments), then LayerNorm and dropout.
import * as tf from '@tensorflow/tfjs';
import type { TextInput } from '@finmm/core';
import { maxSequenceLength, type TransformerConfig } from './config.js';
import { dropout, embeddingLookup, layerNorm } from './ops.js';
import { sinusoidalTable, type NormParams, type ParamStore } from './params.js';
import { embeddingNames } from './weight-names.js';

/** Word, position and segment embedding tables and their LayerNorm. */
export class Embeddings {
  readonly words: tf.Variable<tf.Rank.R2>;
  readonly positions: tf.Variable<tf.Rank.R2>;
  /** Segment table; null for DistilBERT. */
  readonly types: tf.Variable<tf.Rank.R2> | null;
  readonly norm: NormParams;

  constructor(
    store: ParamStore,
    private readonly config: TransformerConfig,
  ) {
    const names = embeddingNames(config.modelType);
    const d = config.hiddenSize;
    this.words = store.embedding(names.words, config.vocabSize, d, config.padTokenId);
    const positionPad = config.modelType === 'roberta' ? config.padTokenId : null;
    this.positions = config.sinusoidalPositions
      ? store.constant(names.positions, sinusoidalTable(config.maxPositions, d), [config.maxPositions, d])
      : store.embedding(names.positions, config.maxPositions, d, positionPad);
    this.types = names.types === null ? null : store.embedding(names.types, config.typeVocabSize, d);
    this.norm = store.norm(names.norm, d);
  }

  /** Word vectors of `ids` `[B, T]`: `[B, T, D]` (transformers' `inputs_embeds`). */
  lookup(ids: tf.Tensor2D): tf.Tensor3D {
    const [, seqLen] = ids.shape;
    const limit = maxSequenceLength(this.config);
    if (seqLen > limit) {
      throw new Error(`sequence length ${seqLen} exceeds the ${limit} positions of this ${this.config.modelType} encoder`);
    }
    return embeddingLookup<tf.Tensor3D>(this.words, ids.dtype === 'int32' ? ids : tf.cast(ids, 'int32')); // [B, T, D]
  }

  /** Adds positions and segments to word vectors `[B, T, D]`, normalises, drops out: `[B*T, D]`. */
  forward(wordVectors: tf.Tensor3D, input: TextInput, training: boolean): tf.Tensor2D {
    const [batch, seqLen, d] = wordVectors.shape;
    let x: tf.Tensor3D = tf.add(wordVectors, this.positionVectors(input.ids, seqLen)); // [B, T, D]
    if (this.types !== null) {
      const types =
        input.typeIds === undefined
          ? tf.slice(this.types, [0, 0], [1, d]) // [1, D]: every token is segment 0
          : embeddingLookup(this.types, input.typeIds.dtype === 'int32' ? input.typeIds : tf.cast(input.typeIds, 'int32')); // [B, T, D]
      x = tf.add(x, types);
    }
    const flat = tf.reshape(x, [batch * seqLen, d]) as tf.Tensor2D; // [B*T, D]
    return dropout(layerNorm(flat, this.norm, this.config.layerNormEps), this.config.hiddenDropout, training);
  }

  /** Position vectors: `[T, D]` for BERT/DistilBERT, `[B, T, D]` for RoBERTa (positions skip padding). */
  private positionVectors(ids: tf.Tensor2D, seqLen: number): tf.Tensor {
    if (this.config.modelType !== 'roberta') return tf.slice(this.positions, [0, 0], [seqLen, this.config.hiddenSize]);
    const pad = this.config.padTokenId;
    // transformers' create_position_ids_from_input_ids: pad + cumulative count of real tokens, pad on padding.
    const positionIds = tf.tidy(() => {
      const real = tf.cast(tf.notEqual(ids, pad), 'int32'); // [B, T]
      return tf.add(tf.mul(tf.cumsum(real, 1), real), tf.scalar(pad, 'int32')); // [B, T]
    });
    return embeddingLookup(this.positions, positionIds); // [B, T, D]
  }

  /** Every variable of the embeddings. */
  variables(): tf.Variable[] {
    const all: tf.Variable[] = [this.words, this.positions];
    if (this.types !== null) all.push(this.types);
    return [...all, this.norm.weight, this.norm.bias];
  }
}
