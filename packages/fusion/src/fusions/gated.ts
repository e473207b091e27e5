// `fusion/gated`: per-modality projections weighted by learned gates, the gates softmax-renormalised over the
// modalities present for each sample, then an MLP.
import * as tf from '@tensorflow/tfjs';
import { dense, ParamStore, type Activation, type ComponentConfig, type DenseParams, type EncoderOutput, type Fusion, type Modality } from '@finmm/core';
import { fusionInstances } from '../nn/instances.js';
import { Mlp } from '../nn/mlp.js';
import { checkParts, column, layoutConfig, presenceMatrix, selectRows, type FusionLayout } from './layout.js';

/** The registered type name of gated fusion. */
export const GATED_FUSION_TYPE = 'fusion/gated';

/** Everything `fusion/gated` is built from (its config without `type`). */
export interface GatedFusionOptions extends FusionLayout {
  /** Width D of each modality's projection and of the gated sum. */
  dim: number;
  /** Hidden widths of the MLP after the gated sum; its last width is outDim (dim when empty). */
  hidden: number[];
  activation: Activation;
  dropout: number;
  seed: number | null;
}

/** Added to the gate scores of absent modalities. */
const ABSENT_SCORE = -1e9;

/**
 * Gated fusion (a gated multimodal unit): `u_m = tanh(W_m h_m)`, gate score `s_m = v_m . u_m + c_m`,
 * `a = softmax(s)` over the modalities present for the sample, `z = sum_m a_m u_m`, then `MLP(z)`.
 * A sample with no modality present gets a learned "empty" vector instead of z.
 */
export class GatedFusion implements Fusion {
  readonly outDim: number;
  private readonly params: ParamStore;
  private readonly projections: DenseParams[];
  private readonly gates: DenseParams[];
  private readonly empty: tf.Variable;
  private readonly mlp: Mlp;

  constructor(readonly options: GatedFusionOptions) {
    const { modalities, inputDims, dim, hidden } = options;
    this.params = new ParamStore(fusionInstances.nextPrefix(GATED_FUSION_TYPE), options.seed);
    this.projections = modalities.map((m) => this.params.dense(`project.${m}`, inputDims[m] as number, dim));
    this.gates = modalities.map((m) => this.params.dense(`gate.${m}`, dim, 1));
    this.empty = this.params.normal('empty', [1, dim], 0.02);
    this.mlp = new Mlp(this.params, 'mlp', { widths: [dim, ...hidden], activation: options.activation, dropout: options.dropout, activateLast: true });
    this.outDim = this.mlp.outDim;
  }

  /** Fuses the parts into `[B, outDim]`. */
  fuse(parts: Partial<Record<Modality, EncoderOutput>>, present: Partial<Record<Modality, tf.Tensor1D>>, training: boolean): tf.Tensor2D {
    const batch = checkParts(GATED_FUSION_TYPE, this.options, parts, present);
    return tf.tidy(() => {
      const presence = presenceMatrix(this.options, parts, present, batch); // [B, M]
      const { projected, weights } = this.gate(parts, presence, batch);
      const summed = tf.sum(tf.mul(projected, tf.expandDims(weights, 2)), 1) as tf.Tensor2D; // [B, M, D] -> [B, D]
      const anyPresent = tf.max(presence, 1, true) as tf.Tensor2D; // [B, 1]
      return this.mlp.forward(selectRows(anyPresent, summed, this.empty), training);
    });
  }

  /** The gate weights `[B, M]` (renormalised over the present modalities; 0 for absent ones), for inspection. */
  gateWeights(parts: Partial<Record<Modality, EncoderOutput>>, present: Partial<Record<Modality, tf.Tensor1D>>): tf.Tensor2D {
    const batch = checkParts(GATED_FUSION_TYPE, this.options, parts, present);
    return tf.tidy(() => this.gate(parts, presenceMatrix(this.options, parts, present, batch), batch).weights);
  }

  /** Projections `[B, M, D]` (0 where absent) and renormalised gate weights `[B, M]`. */
  private gate(parts: Partial<Record<Modality, EncoderOutput>>, presence: tf.Tensor2D, batch: number): { projected: tf.Tensor3D; weights: tf.Tensor2D } {
    const zeros = tf.zeros([1, this.options.dim]);
    const projected = this.options.modalities.map((m, i) => {
      const part = parts[m];
      if (part === undefined) return tf.zeros([batch, this.options.dim]) as tf.Tensor2D;
      const u = tf.tanh(dense(part.pooled, this.projections[i] as DenseParams)); // [B, D]
      return selectRows(column(presence, i), u, zeros);
    });
    const scores = tf.concat(projected.map((u, i) => dense(u, this.gates[i] as DenseParams)), 1); // [B, M]
    const masked = tf.add(scores, tf.mul(tf.sub(1, presence), ABSENT_SCORE));
    const weights = tf.mul(tf.softmax(masked, -1), presence); // [B, M]
    const normalised = tf.div(weights, tf.maximum(tf.sum(weights, 1, true), 1e-9)) as tf.Tensor2D; // renormalised over present
    return { projected: tf.stack(projected, 1) as tf.Tensor3D, weights: normalised }; // [B, M, D], [B, M]
  }

  /** Every variable: projections, gates, the empty vector, then the MLP. */
  variables(): tf.Variable[] {
    return this.params.variables();
  }

  /** The config that rebuilds this fusion. */
  config(): ComponentConfig {
    const { seed, dim, hidden, activation, dropout } = this.options;
    return { type: GATED_FUSION_TYPE, ...layoutConfig(this.options), dim, hidden: [...hidden], activation, dropout, ...(seed === null ? {} : { seed }) };
  }

  /** Frees every variable. */
  dispose(): void {
    this.params.dispose();
  }
}
