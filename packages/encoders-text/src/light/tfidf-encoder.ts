// `text/tfidf`: the "wide" path of a text model (Cheng et al. 2016): a linear layer over a sparse feature vector
// such as a TF-IDF row, `pooled = x W + b`, computed from the row's non-zero entries only.
import * as tf from '@tensorflow/tfjs';
import { dropout, ParamStore, tidyOutput, type ComponentConfig, type Encoder, type EncoderOutput, type TextInput } from '@finmm/core';
import { lightInstances } from './instances.js';
import { checkTextInput, floatMask, lookup } from './ops.js';

/** The registered type name of the TF-IDF (sparse linear) encoder. */
export const TFIDF_ENCODER_TYPE = 'text/tfidf';

/** Everything `text/tfidf` is built from (its config without `type`). */
export interface TfidfEncoderOptions {
  /** Number of features (columns of the sparse vector, e.g. a `TfidfVectorizer`'s size). */
  vocabSize: number;
  /** Width of `pooled`. */
  dim: number;
  /** Dropout on the non-zero features of each row in training (each kept one is scaled by 1 / (1 - rate)). */
  featureDropout: number;
  /** Standard deviation of the initial weights. */
  initStd: number;
  /** Seed of the initial weights; null for random. */
  seed: number | null;
}

/**
 * A linear layer over sparse rows: the input's `ids` `[B, T]` are the column indices of each row's non-zero
 * features and its `attentionMask` `[B, T]` their values (0 for padding), so `pooled = sum_t mask[b, t]
 * W[ids[b, t]] + bias` `[B, D]`, the product of the dense row `[B, V]` with `W` `[V, D]` without building it.
 * With a `TfidfVectorizer`'s rows this is the linear model of TF-IDF features (logistic regression's input layer).
 *
 * ```ts
 * const wide = new TfidfEncoder({ vocabSize: tfidf.size, dim: 32, featureDropout: 0, initStd: 0.1, seed: 1 });
 * const { pooled } = wide.encode({ ids: columns, attentionMask: values }, true); // [B, 32]
 * ```
 */
export class TfidfEncoder implements Encoder<'text'> {
  readonly modality = 'text' as const;
  readonly outDim: number;
  private readonly params: ParamStore;
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;

  constructor(readonly options: TfidfEncoderOptions) {
    this.outDim = options.dim;
    this.params = new ParamStore(lightInstances.nextPrefix(TFIDF_ENCODER_TYPE), options.seed);
    this.weight = this.params.normal('weight', [options.vocabSize, options.dim], options.initStd);
    this.bias = this.params.zeros('bias', [options.dim]);
  }

  /** `x W + b` `[B, D]` of the sparse rows in `input` (ids = columns, attentionMask = values). */
  encode(input: TextInput, training: boolean): EncoderOutput {
    const [batch, length] = checkTextInput(input, TFIDF_ENCODER_TYPE);
    return tidyOutput(() => {
      const values = floatMask(input); // [B, T]
      const kept = training && this.options.featureDropout > 0 ? dropout(values, this.options.featureDropout, true) : values; // [B, T]
      if (length === 0) return { pooled: tf.add(tf.zeros([batch, this.outDim]), this.bias) as tf.Tensor2D };
      const rows = lookup(this.weight, input.ids); // [B, T, D]
      const summed = tf.sum(tf.mul(rows, tf.expandDims(kept, 2)), 1); // [B, T, D] * [B, T, 1] -> [B, D]
      return { pooled: tf.add(summed, this.bias) as tf.Tensor2D };
    });
  }

  /** One group: the weights and the bias. */
  layerGroups(): tf.Variable[][] {
    return [[this.weight, this.bias]];
  }

  /** Every variable. */
  variables(): tf.Variable[] {
    return this.params.variables();
  }

  /** The config that rebuilds this encoder. */
  config(): ComponentConfig {
    const { seed, ...rest } = this.options;
    return { type: TFIDF_ENCODER_TYPE, ...rest, ...(seed === null ? {} : { seed }) };
  }

  /** Frees every variable. */
  dispose(): void {
    this.params.dispose();
  }
}
