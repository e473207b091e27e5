// `tabular/ft-transformer`: each feature becomes a D-vector token, a CLS token is prepended, transformer blocks
// mix them (Gorishniy et al. 2021, "Revisiting Deep Learning Models for Tabular Data").
import * as tf from '@tensorflow/tfjs';
import { layerNorm, ParamStore, tidyOutput, TransformerBlock, type ComponentConfig, type Encoder, type EncoderOutput, type NormParams, type TabularInput, type TransformerStackOptions } from '@finmm/core';
import { checkTabularInput, lookupCategories, type FeatureLayout } from './features.js';
import { tabularInstances } from './instances.js';

/** The registered type name of the feature-token transformer. */
export const FT_TRANSFORMER_TYPE = 'tabular/ft-transformer';

/** Everything `tabular/ft-transformer` is built from (its config without `type`); the token width `dim` is `outDim`. */
export interface FtTransformerOptions extends FeatureLayout, TransformerStackOptions {
  /** Seed of the initial weights; null for random. */
  seed: number | null;
}

/**
 * FT-Transformer: numeric feature i -> `x_i w_i + b_i`, categorical feature j -> `E_j[c_j] + b_j` (index 0 = unknown),
 * then `[CLS, tokens]` through pre-norm transformer blocks. `pooled` is the final CLS vector `[B, D]`, `tokens` all
 * `[B, F+1, D]`, for attention fusion.
 *
 * ```ts
 * const enc = new FtTransformerEncoder({ numericFeatures: 3, cardinalities: [4, 6], dim: 16, layers: 2, heads: 2,
 *   ffnDim: 32, activation: 'gelu', dropout: 0, attentionDropout: 0, seed: 1 });
 * const { pooled, tokens } = enc.encode({ numeric, categorical }, false); // [B, 16], [B, 6, 16]
 * ```
 */
export class FtTransformerEncoder implements Encoder<'tabular'> {
  readonly modality = 'tabular' as const;
  readonly outDim: number;
  private readonly params: ParamStore;
  private readonly numericWeight: tf.Variable | null;
  private readonly numericBias: tf.Variable | null;
  private readonly table: tf.Variable<tf.Rank.R2> | null;
  private readonly categoryBias: tf.Variable | null;
  private readonly cls: tf.Variable;
  private readonly blocks: TransformerBlock[];
  private readonly finalNorm: NormParams;

  constructor(readonly options: FtTransformerOptions) {
    const { numericFeatures: fn, cardinalities, dim, heads } = options;
    if (fn + cardinalities.length === 0) throw new Error(`${FT_TRANSFORMER_TYPE}: needs at least one numeric or categorical feature`);
    if (dim % heads !== 0) throw new Error(`${FT_TRANSFORMER_TYPE}: dim ${dim} is not divisible by heads ${heads}`);
    this.outDim = dim;
    this.params = new ParamStore(tabularInstances.nextPrefix(FT_TRANSFORMER_TYPE), options.seed);
    const p = this.params;
    const std = 1 / Math.sqrt(dim);
    this.numericWeight = fn > 0 ? p.normal('numeric.weight', [fn, dim], std) : null;
    this.numericBias = fn > 0 ? p.normal('numeric.bias', [fn, dim], std) : null;
    const rows = cardinalities.reduce((a, b) => a + b, 0);
    this.table = rows > 0 ? (p.normal('categories', [rows, dim], std) as tf.Variable<tf.Rank.R2>) : null;
    this.categoryBias = rows > 0 ? p.normal('categories.bias', [cardinalities.length, dim], std) : null;
    this.cls = p.normal('cls', [1, 1, dim], std);
    this.blocks = Array.from({ length: options.layers }, (_, i) => new TransformerBlock(p, `block${i}`, options));
    this.finalNorm = p.norm('final_norm', dim);
  }

  /** Encodes a batch; `embeddingDelta` `[B, F, D]` is added to the feature tokens (adversarial training). */
  encode(input: TabularInput, training: boolean, options: { embeddingDelta?: tf.Tensor3D } = {}): EncoderOutput {
    return tidyOutput(() => {
      const tokens = this.embed(input);
      const delta = options.embeddingDelta;
      return this.encodeEmbeddings(input, delta === undefined ? tokens : tf.add(tokens, delta), training);
    });
  }

  /** The feature tokens `[B, F, D]`: numeric features first, then categorical ones (no CLS). */
  embed(input: TabularInput): tf.Tensor3D {
    const batch = checkTabularInput(input, this.options, FT_TRANSFORMER_TYPE);
    return tf.tidy(() => {
      const parts: tf.Tensor3D[] = [];
      if (this.numericWeight !== null && this.numericBias !== null) {
        const x = tf.expandDims(tf.cast(input.numeric as tf.Tensor2D, 'float32'), 2); // [B, Fn, 1]
        parts.push(tf.add(tf.mul(x, this.numericWeight), this.numericBias)); // [B, Fn, D]
      }
      if (this.table !== null && this.categoryBias !== null) {
        const looked = lookupCategories(input.categorical as tf.Tensor2D, this.table, this.options.cardinalities); // [B, Fc, D]
        parts.push(tf.add(looked, this.categoryBias));
      }
      const tokens = parts.length === 1 ? tf.add(parts[0] as tf.Tensor3D, 0) : tf.concat(parts, 1); // [B, F, D]
      return tf.reshape(tokens, [batch, this.featureCount(), this.outDim]) as tf.Tensor3D; // [B, F, D]
    });
  }

  /** Encodes given feature tokens `[B, F, D]` (e.g. `embed(input)` plus a perturbation). */
  encodeEmbeddings(_input: TabularInput, featureTokens: tf.Tensor3D, training: boolean): EncoderOutput {
    return tidyOutput(() => {
      const [batch, features, d] = featureTokens.shape;
      const cls = tf.add(tf.zeros([batch, 1, d]), this.cls); // [B, 1, D] by broadcasting (tf.tile has a slow gradient)
      let x = tf.concat([cls, featureTokens], 1) as tf.Tensor3D; // [B, F+1, D]
      const mask = tf.ones([batch, features + 1]) as tf.Tensor2D; // [B, F+1]
      for (const block of this.blocks) x = block.forward(x, mask, training);
      const tokens = layerNorm(x, this.finalNorm); // [B, F+1, D]
      const pooled = tf.reshape(tf.slice(tokens, [0, 0, 0], [batch, 1, d]), [batch, d]) as tf.Tensor2D; // [B, 1, D] -> [B, D]
      return { pooled, tokens, tokenMask: mask };
    });
  }

  /** Number of feature tokens F (numeric + categorical). */
  featureCount(): number {
    return this.options.numericFeatures + this.options.cardinalities.length;
  }

  /** Bottom to top: feature tokenizer and CLS, each block, the final LayerNorm. */
  layerGroups(): tf.Variable[][] {
    const tokenizer = [this.numericWeight, this.numericBias, this.table, this.categoryBias, this.cls].filter(
      (v): v is tf.Variable => v !== null,
    );
    return [tokenizer, ...this.blocks.map((b) => b.variables()), [this.finalNorm.gamma, this.finalNorm.beta]];
  }

  /** Every variable, in creation order. */
  variables(): tf.Variable[] {
    return this.params.variables();
  }

  /** The config that rebuilds this encoder. */
  config(): ComponentConfig {
    const { seed, ...rest } = this.options;
    return { type: FT_TRANSFORMER_TYPE, ...rest, cardinalities: [...rest.cardinalities], ...(seed === null ? {} : { seed }) };
  }

  /** Frees every variable. */
  dispose(): void {
    this.params.dispose();
  }
}
