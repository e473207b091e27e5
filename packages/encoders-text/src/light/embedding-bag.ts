// `text/embedding-bag`: the masked mean of token (and hashed n-gram) embeddings, fastText's sentence vector.
import * as tf from '@tensorflow/tfjs';
import { dropout, maskedMean, ParamStore, tidyOutput, type ComponentConfig, type Encoder, type EncoderOutput, type TextInput } from '@finmm/core';
import { lightInstances } from './instances.js';
import { checkEmbeddings, checkTextInput, floatMask, lookup } from './ops.js';

/** The registered type name of the embedding bag. */
export const EMBEDDING_BAG_TYPE = 'text/embedding-bag';

/** Everything `text/embedding-bag` is built from (its config without `type`). */
export interface EmbeddingBagOptions {
  /** Rows of the table: every id the input may hold (a `HashedNgramTokenizer`'s vocabSize includes its buckets). */
  vocabSize: number;
  /** Width of each embedding and of `pooled`. */
  dim: number;
  /** Dropout on `pooled` in training. */
  dropout: number;
  /** Seed of the initial weights; null for random. */
  seed: number | null;
}

/** Per-call options of `encode`. */
export interface LightEncodeOptions {
  /** Added to the embeddings `[B, T, D]` before pooling (adversarial training, FGM/PGD); see `embed`. */
  embeddingDelta?: tf.Tensor3D;
}

/**
 * A bag of embeddings: `pooled` is the mean of the embeddings of the ids where attentionMask is 1, so padding never
 * changes it; `tokens` are the embeddings themselves `[B, T, D]`. Ids may include hashed n-gram ids (see
 * `HashedNgramTokenizer`); the encoder treats every id alike, as fastText averages word and n-gram vectors.
 *
 * ```ts
 * const bag = new EmbeddingBagEncoder({ vocabSize: featurizer.vocabSize, dim: 64, dropout: 0, seed: 1 });
 * const { pooled } = bag.encode({ ids, attentionMask }, true); // [B, 64]
 * ```
 */
export class EmbeddingBagEncoder implements Encoder<'text'> {
  readonly modality = 'text' as const;
  readonly outDim: number;
  private readonly params: ParamStore;
  private readonly table: tf.Variable;

  constructor(readonly options: EmbeddingBagOptions) {
    this.outDim = options.dim;
    this.params = new ParamStore(lightInstances.nextPrefix(EMBEDDING_BAG_TYPE), options.seed);
    this.table = this.params.normal('embeddings', [options.vocabSize, options.dim], 0.1);
  }

  /** Encodes ids; `embeddingDelta` `[B, T, D]` is added to the embeddings before pooling. */
  encode(input: TextInput, training: boolean, options: LightEncodeOptions = {}): EncoderOutput {
    return tidyOutput(() => {
      const vectors = this.embed(input); // [B, T, D]
      const delta = options.embeddingDelta;
      if (delta === undefined) return this.encodeEmbeddings(input, vectors, training);
      const [batch, seqLen] = vectors.shape;
      checkEmbeddings(delta, batch, seqLen, this.outDim, EMBEDDING_BAG_TYPE, 'embeddingDelta');
      return this.encodeEmbeddings(input, tf.add(vectors, delta), training);
    });
  }

  /** The embeddings of the ids `[B, T, D]`, what adversarial training perturbs. */
  embed(input: TextInput): tf.Tensor3D {
    checkTextInput(input, EMBEDDING_BAG_TYPE);
    return lookup(this.table, input.ids);
  }

  /** Pools given embeddings `[B, T, D]` (e.g. `embed(input)` plus a perturbation) with the input's mask. */
  encodeEmbeddings(input: TextInput, vectors: tf.Tensor3D, training: boolean): EncoderOutput {
    const [batch, seqLen] = checkTextInput(input, EMBEDDING_BAG_TYPE);
    checkEmbeddings(vectors, batch, seqLen, this.outDim, EMBEDDING_BAG_TYPE, 'the embeddings');
    return tidyOutput(() => {
      const mask = floatMask(input); // [B, T]
      return { pooled: dropout(maskedMean(vectors, mask), this.options.dropout, training), tokens: tf.clone(vectors), tokenMask: mask };
    });
  }

  /** One group: the embedding table. */
  layerGroups(): tf.Variable[][] {
    return [[this.table]];
  }

  /** Every variable. */
  variables(): tf.Variable[] {
    return this.params.variables();
  }

  /** The config that rebuilds this encoder. */
  config(): ComponentConfig {
    const { seed, ...rest } = this.options;
    return { type: EMBEDDING_BAG_TYPE, ...rest, ...(seed === null ? {} : { seed }) };
  }

  /** Frees every variable. */
  dispose(): void {
    this.params.dispose();
  }
}
