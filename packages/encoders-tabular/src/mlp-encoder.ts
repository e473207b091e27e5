// `tabular/mlp`: numeric features and per-feature category embeddings, concatenated and encoded by an MLP.
import * as tf from '@tensorflow/tfjs';
import { activate, dense, dropout, ParamStore, tidyOutput, type Activation, type ComponentConfig, type DenseParams, type Encoder, type EncoderOutput, type TabularInput } from '@finmm/core';
import { checkTabularInput, lookupCategories, type FeatureLayout } from './features.js';
import { tabularInstances } from './instances.js';

/** The registered type name of the MLP tabular encoder. */
export const TABULAR_MLP_TYPE = 'tabular/mlp';

/** Everything `tabular/mlp` is built from (its config without `type`). */
export interface TabularMlpOptions extends FeatureLayout {
  /** Width of each categorical feature's embedding. */
  embeddingDim: number;
  /** Widths of the hidden layers (each followed by the activation and dropout). */
  hidden: number[];
  /** Width of `pooled`. */
  outDim: number;
  activation: Activation;
  /** Dropout after each hidden layer. */
  dropout: number;
  /** Seed of the initial weights; null for random. */
  seed: number | null;
}

/**
 * A tabular encoder: `[numeric, emb_1(c_1), ..., emb_k(c_k)]` through dense layers to `pooled` `[B, outDim]`.
 * Category index 0 of every feature is its unknown slot.
 *
 * ```ts
 * const enc = new TabularMlpEncoder({ numericFeatures: 3, cardinalities: [5], embeddingDim: 4, hidden: [32], outDim: 16,
 *   activation: 'relu', dropout: 0, seed: 1 });
 * const { pooled } = enc.encode({ numeric, categorical }, false); // [B, 16]
 * ```
 */
export class TabularMlpEncoder implements Encoder<'tabular'> {
  readonly modality = 'tabular' as const;
  readonly outDim: number;
  private readonly params: ParamStore;
  private readonly table: tf.Variable<tf.Rank.R2> | null;
  private readonly layers: DenseParams[];

  constructor(readonly options: TabularMlpOptions) {
    const { numericFeatures, cardinalities, embeddingDim, hidden, outDim } = options;
    if (numericFeatures + cardinalities.length === 0) throw new Error(`${TABULAR_MLP_TYPE}: needs at least one numeric or categorical feature`);
    this.outDim = outDim;
    this.params = new ParamStore(tabularInstances.nextPrefix(TABULAR_MLP_TYPE), options.seed);
    const rows = cardinalities.reduce((a, b) => a + b, 0);
    this.table = rows > 0 ? (this.params.normal('categories', [rows, embeddingDim], 0.1) as tf.Variable<tf.Rank.R2>) : null;
    const widths = [numericFeatures + cardinalities.length * embeddingDim, ...hidden, outDim];
    this.layers = widths.slice(1).map((w, i) => this.params.dense(`layer${i}`, widths[i] as number, w));
  }

  /** Encodes a batch; `embeddingDelta` `[B, Fn + Fc*E]` is added to the feature vector (adversarial training). */
  encode(input: TabularInput, training: boolean, options: { embeddingDelta?: tf.Tensor2D } = {}): EncoderOutput {
    return tidyOutput(() => {
      const features = this.embed(input);
      const delta = options.embeddingDelta;
      return this.encodeEmbeddings(input, delta === undefined ? features : tf.add(features, delta), training);
    });
  }

  /** The feature vector `[B, Fn + Fc*E]`: numeric values then each categorical feature's embedding. */
  embed(input: TabularInput): tf.Tensor2D {
    const batch = checkTabularInput(input, this.options, TABULAR_MLP_TYPE);
    return tf.tidy(() => {
      const parts: tf.Tensor2D[] = [];
      if (this.options.numericFeatures > 0) parts.push(tf.cast(input.numeric as tf.Tensor2D, 'float32'));
      if (this.table !== null) {
        const looked = lookupCategories(input.categorical as tf.Tensor2D, this.table, this.options.cardinalities); // [B, Fc, E]
        parts.push(tf.reshape(looked, [batch, -1])); // [B, Fc*E]
      }
      return parts.length === 1 ? tf.add(parts[0] as tf.Tensor2D, 0) : tf.concat(parts, 1);
    });
  }

  /** Encodes a given feature vector `[B, Fn + Fc*E]` (e.g. `embed(input)` plus a perturbation). */
  encodeEmbeddings(_input: TabularInput, features: tf.Tensor2D, training: boolean): EncoderOutput {
    return tidyOutput(() => {
      let x = features;
      this.layers.forEach((layer, i) => {
        x = dense(x, layer);
        if (i < this.layers.length - 1) x = dropout(activate(x, this.options.activation), this.options.dropout, training);
      });
      return { pooled: x };
    });
  }

  /** Bottom to top: the category table, then each dense layer. */
  layerGroups(): tf.Variable[][] {
    return [this.table === null ? [] : [this.table], ...this.layers.map((l) => [l.kernel, l.bias])];
  }

  /** Every variable, in creation order. */
  variables(): tf.Variable[] {
    return this.params.variables();
  }

  /** The config that rebuilds this encoder. */
  config(): ComponentConfig {
    const { seed, ...rest } = this.options;
    return { type: TABULAR_MLP_TYPE, ...rest, cardinalities: [...rest.cardinalities], hidden: [...rest.hidden], ...(seed === null ? {} : { seed }) };
  }

  /** Frees every variable. */
  dispose(): void {
    this.params.dispose();
  }
}
