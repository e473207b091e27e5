// `fusion/attention`: a transformer over modality tokens (one per modality, or every encoder token) with a CLS
// token; absent modalities are masked out of the attention.
import * as tf from '@tensorflow/tfjs';
import { dense, layerNorm, ParamStore, TransformerBlock, type ComponentConfig, type DenseParams, type EncoderOutput, type Fusion, type Modality, type NormParams, type TransformerStackOptions } from '@finmm/core';
import { fusionInstances } from '../nn/instances.js';
import { checkParts, column, layoutConfig, presenceMatrix, repeatRows, type FusionLayout } from './layout.js';

/** The registered type name of attention fusion. */
export const ATTENTION_FUSION_TYPE = 'fusion/attention';

/** Everything `fusion/attention` is built from (its config without `type`); the token width `dim` is `outDim`. */
export interface AttentionFusionOptions extends FusionLayout, TransformerStackOptions {
  /** Attend over every token of encoders that produce token sequences (else one pooled token per modality). */
  sequence: boolean;
  seed: number | null;
}

/**
 * Fusion transformer: each modality gives one token (its projected pooled embedding) or, with `sequence`, all its
 * projected tokens, plus a learned modality-type vector; a CLS token is prepended; pre-norm transformer blocks run
 * with absent modalities' (and padding) keys masked; the fused representation is the final CLS vector `[B, D]`.
 */
export class AttentionFusion implements Fusion {
  readonly outDim: number;
  private readonly params: ParamStore;
  private readonly projections: DenseParams[];
  private readonly typeVectors: tf.Variable[];
  private readonly cls: tf.Variable;
  private readonly blocks: TransformerBlock[];
  private readonly finalNorm: NormParams;

  constructor(readonly options: AttentionFusionOptions) {
    const { modalities, inputDims, dim, heads } = options;
    if (dim % heads !== 0) throw new Error(`${ATTENTION_FUSION_TYPE}: dim ${dim} is not divisible by heads ${heads}`);
    this.outDim = dim;
    const p = (this.params = new ParamStore(fusionInstances.nextPrefix(ATTENTION_FUSION_TYPE), options.seed));
    this.projections = modalities.map((m) => p.dense(`project.${m}`, inputDims[m] as number, dim));
    this.typeVectors = modalities.map((m) => p.normal(`type.${m}`, [1, 1, dim], 0.02));
    this.cls = p.normal('cls', [1, 1, dim], 0.02);
    this.blocks = Array.from({ length: options.layers }, (_, i) => new TransformerBlock(p, `block${i}`, options));
    this.finalNorm = p.norm('final_norm', dim);
  }

  /** Fuses the parts into `[B, dim]`. */
  fuse(parts: Partial<Record<Modality, EncoderOutput>>, present: Partial<Record<Modality, tf.Tensor1D>>, training: boolean): tf.Tensor2D {
    const batch = checkParts(ATTENTION_FUSION_TYPE, this.options, parts, present);
    return tf.tidy(() => {
      const d = this.options.dim;
      const presence = presenceMatrix(this.options, parts, present, batch); // [B, M]
      const tokens: tf.Tensor3D[] = [repeatRows<tf.Tensor3D>(this.cls, batch)]; // [B, 1, D]
      const masks: tf.Tensor2D[] = [tf.ones([batch, 1]) as tf.Tensor2D]; // CLS is always attended to
      this.options.modalities.forEach((m, i) => {
        const part = parts[m];
        if (part === undefined) return; // absent for every sample: no tokens at all
        const { values, mask } = this.modalityTokens(part, i, column(presence, i));
        tokens.push(values);
        masks.push(mask);
      });
      let x = tf.concat(tokens, 1) as tf.Tensor3D; // [B, 1 + N, D]
      const keyMask = tf.concat(masks, 1) as tf.Tensor2D; // [B, 1 + N]
      for (const block of this.blocks) x = block.forward(x, keyMask, training);
      const first = tf.slice(layerNorm(x, this.finalNorm), [0, 0, 0], [batch, 1, d]);
      return tf.reshape(first, [batch, d]) as tf.Tensor2D; // [B, 1, D] -> [B, D]
    });
  }

  /** Projected tokens `[B, N_m, D]` of one modality (zeroed where masked) and their key mask `[B, N_m]`. */
  private modalityTokens(part: EncoderOutput, i: number, present: tf.Tensor2D): { values: tf.Tensor3D; mask: tf.Tensor2D } {
    const [batch] = part.pooled.shape;
    const d = this.options.dim;
    const projection = this.projections[i] as DenseParams;
    let values: tf.Tensor3D;
    let mask: tf.Tensor2D;
    if (this.options.sequence && part.tokens !== undefined) {
      const [, n, dm] = part.tokens.shape;
      const flat = tf.reshape(part.tokens, [batch * n, dm]) as tf.Tensor2D; // [B*N, D_m]
      values = tf.reshape(dense(flat, projection), [batch, n, d]) as tf.Tensor3D; // [B*N, D] -> [B, N, D]
      const tokenMask = part.tokenMask === undefined ? tf.ones([batch, n]) : tf.cast(tf.greater(part.tokenMask, 0), 'float32');
      mask = tf.mul(tokenMask, present) as tf.Tensor2D; // [B, N]
    } else {
      values = tf.reshape(dense(part.pooled, projection), [batch, 1, d]) as tf.Tensor3D; // [B, D] -> [B, 1, D]
      mask = present; // [B, 1]
    }
    const typed = tf.add(values, this.typeVectors[i] as tf.Variable); // [B, N, D]
    const keep = tf.broadcastTo(tf.expandDims(tf.greater(mask, 0), 2), typed.shape); // [B, N, D]; no gradient
    return { values: tf.where(keep, typed, tf.zerosLike(typed)) as tf.Tensor3D, mask };
  }

  /** Every variable: projections, type vectors, CLS, blocks, final LayerNorm. */
  variables(): tf.Variable[] {
    return this.params.variables();
  }

  /** The config that rebuilds this fusion. */
  config(): ComponentConfig {
    const { seed, dim, layers, heads, ffnDim, activation, dropout, attentionDropout, sequence } = this.options;
    return {
      type: ATTENTION_FUSION_TYPE,
      ...layoutConfig(this.options),
      dim,
      layers,
      heads,
      ffnDim,
      activation,
      dropout,
      attentionDropout,
      sequence,
      ...(seed === null ? {} : { seed }),
    };
  }

  /** Frees every variable. */
  dispose(): void {
    this.params.dispose();
  }
}
