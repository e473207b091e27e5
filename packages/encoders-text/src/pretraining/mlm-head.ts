// BERT's masked-language-model head (transformers' BertLMPredictionHead): dense + activation + LayerNorm, then a
// decoder tied to the word embeddings with its own output bias.
import * as tf from '@tensorflow/tfjs';
import type { TransformerConfig } from '../transformer/config.js';
import { activate, layerNorm, linear } from '../transformer/ops.js';
import { ParamStore, type LinearParams, type NamedWeight, type NormParams } from '../transformer/params.js';

/** State-dict names (without `.weight` / `.bias`) of the head in a BertForMaskedLM checkpoint. */
export const MLM_HEAD_NAMES = {
  dense: 'cls.predictions.transform.dense',
  norm: 'cls.predictions.transform.LayerNorm',
  /** The output bias `[V]` (transformers ties `cls.predictions.decoder.bias` to it). */
  bias: 'cls.predictions.bias',
} as const;

/** How the head's weights are created. */
export interface MlmHeadOptions {
  /** Prefix of the variable names (the encoder's scope). */
  scope: string;
  /** Seed of the dense layer's initial weights; null for random. */
  seed: number | null;
  /** Standard deviation of the initial weights; default 0.02. */
  initStd?: number;
}

/** The MLM head's variables and forward pass. */
export class MlmHead {
  readonly dense: LinearParams;
  readonly norm: NormParams;
  /** Output bias `[V]`. */
  readonly bias: tf.Variable<tf.Rank.R1>;
  private readonly store: ParamStore;

  constructor(
    private readonly config: TransformerConfig,
    options: MlmHeadOptions,
  ) {
    this.store = new ParamStore(options.scope, { std: options.initStd ?? 0.02, seed: options.seed });
    const d = config.hiddenSize;
    this.dense = this.store.linear(MLM_HEAD_NAMES.dense, d, d);
    this.norm = this.store.norm(MLM_HEAD_NAMES.norm, d);
    // A zero-initialised `[V]` vector named like transformers' parameter (no `.weight` suffix).
    const biasName = `${options.scope}${MLM_HEAD_NAMES.bias}`;
    this.bias = tf.tidy(() => tf.variable(tf.zeros([config.vocabSize]), true, biasName)) as tf.Variable<tf.Rank.R1>;
  }

  /** Vocabulary logits `[N, V]` of hidden states `[N, D]`, decoding with the word embedding table `[V, D]`. */
  forward(hidden: tf.Tensor2D, wordEmbeddings: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const transformed = layerNorm(activate(linear(hidden, this.dense), this.config.activation), this.norm, this.config.layerNormEps); // [N, D]
      return linear(transformed, { weight: wordEmbeddings, bias: this.bias }); // [N, V]
    });
  }

  /** The head's variables with their state-dict names (without the scope). */
  namedWeights(): NamedWeight[] {
    return [...this.store.weights, { name: MLM_HEAD_NAMES.bias, variable: this.bias }];
  }

  /** Every variable of the head. */
  variables(): tf.Variable[] {
    return this.namedWeights().map((w) => w.variable);
  }

  /** Frees the head's variables. */
  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}
