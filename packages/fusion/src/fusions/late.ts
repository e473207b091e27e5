// `fusion/late`: each modality keeps its own representation ("view"); the model builder gives every view its own
// task heads and averages their logits over the modalities present, with auxiliary per-modality losses.
import * as tf from '@tensorflow/tfjs';
import { ParamStore, type Activation, type ComponentConfig, type EncoderOutput, type Fusion, type Modality } from '@finmm/core';
import { fusionInstances } from '../nn/instances.js';
import { Mlp } from '../nn/mlp.js';
import { checkParts, column, layoutConfig, presenceMatrix, repeatRows, selectRows, type FusionLayout } from './layout.js';

/** The registered type name of late fusion. */
export const LATE_FUSION_TYPE = 'fusion/late';

/** A fusion whose latent is a concatenation of per-modality views, each read by its own heads (late fusion). */
export interface ViewFusion extends Fusion {
  /** The modalities, in the order of the views. */
  readonly modalities: readonly Modality[];
  /** Width of each view; `outDim` is `modalities.length * viewDim`. */
  readonly viewDim: number;
  /** Weight of the per-modality auxiliary losses in the total loss. */
  readonly auxiliaryWeight: number;
  /** Splits a fused latent `[B, M * viewDim]` into the views `[B, viewDim]`, in modality order. */
  views(latent: tf.Tensor2D): tf.Tensor2D[];
  /** Presence `[B, M]` the fusion sees for these parts (1 = present). */
  presence(parts: Partial<Record<Modality, EncoderOutput>>, present: Partial<Record<Modality, tf.Tensor1D>>): tf.Tensor2D;
}

/** Whether a fusion is a view fusion (late fusion), whose heads are per modality. */
export function isViewFusion(fusion: Fusion): fusion is ViewFusion {
  const f = fusion as Partial<ViewFusion>;
  return typeof f.views === 'function' && typeof f.presence === 'function' && typeof f.viewDim === 'number';
}

/** Everything `fusion/late` is built from (its config without `type`). */
export interface LateFusionOptions extends FusionLayout {
  /** Width of each modality's view. */
  dim: number;
  /** Hidden widths of each modality's MLP before its view layer. */
  hidden: number[];
  activation: Activation;
  dropout: number;
  /** Weight of the auxiliary per-modality losses. */
  auxiliaryWeight: number;
  seed: number | null;
}

/**
 * Late fusion: view `v_m = MLP_m(h_m)` per modality; `fuse` returns `[v_1, ..., v_M]` `[B, M * dim]` with a learned
 * absent view where a modality is missing. The model builder puts one head per task on each view and averages the
 * logits over the modalities present, so modalities cannot interact (an XOR across two modalities stays unsolved).
 */
export class LateFusion implements ViewFusion {
  readonly outDim: number;
  readonly viewDim: number;
  readonly modalities: readonly Modality[];
  readonly auxiliaryWeight: number;
  private readonly params: ParamStore;
  private readonly mlps: Mlp[];
  private readonly absent: tf.Variable[];

  constructor(readonly options: LateFusionOptions) {
    const { modalities, inputDims, dim, hidden } = options;
    this.modalities = [...modalities];
    this.viewDim = dim;
    this.outDim = modalities.length * dim;
    this.auxiliaryWeight = options.auxiliaryWeight;
    this.params = new ParamStore(fusionInstances.nextPrefix(LATE_FUSION_TYPE), options.seed);
    this.mlps = modalities.map(
      (m) => new Mlp(this.params, `view.${m}`, { widths: [inputDims[m] as number, ...hidden, dim], activation: options.activation, dropout: options.dropout, activateLast: true }),
    );
    this.absent = modalities.map((m) => this.params.normal(`absent.${m}`, [1, dim], 0.02));
  }

  /** The views side by side `[B, M * dim]`. */
  fuse(parts: Partial<Record<Modality, EncoderOutput>>, present: Partial<Record<Modality, tf.Tensor1D>>, training: boolean): tf.Tensor2D {
    const batch = checkParts(LATE_FUSION_TYPE, this.options, parts, present);
    return tf.tidy(() => {
      const presence = presenceMatrix(this.options, parts, present, batch); // [B, M]
      const views = this.modalities.map((m, i) => {
        const absent = this.absent[i] as tf.Variable; // [1, dim]
        const part = parts[m];
        if (part === undefined) return repeatRows<tf.Tensor2D>(absent, batch);
        return selectRows(column(presence, i), (this.mlps[i] as Mlp).forward(part.pooled, training), absent); // [B, dim]
      });
      return tf.concat(views, 1) as tf.Tensor2D; // [B, M * dim]
    });
  }

  /** Splits `[B, M * dim]` into M views `[B, dim]`. */
  views(latent: tf.Tensor2D): tf.Tensor2D[] {
    if (latent.shape[1] !== this.outDim) throw new Error(`${LATE_FUSION_TYPE}: latent has width ${latent.shape[1]}, expected ${this.outDim}`);
    return tf.split(latent, this.modalities.length, 1) as tf.Tensor2D[];
  }

  /** Presence `[B, M]` of the parts. */
  presence(parts: Partial<Record<Modality, EncoderOutput>>, present: Partial<Record<Modality, tf.Tensor1D>>): tf.Tensor2D {
    const batch = checkParts(LATE_FUSION_TYPE, this.options, parts, present);
    return presenceMatrix(this.options, parts, present, batch);
  }

  /** Every variable: the per-modality MLPs, then the absent views. */
  variables(): tf.Variable[] {
    return this.params.variables();
  }

  /** The config that rebuilds this fusion. */
  config(): ComponentConfig {
    const { seed, dim, hidden, activation, dropout, auxiliaryWeight } = this.options;
    return {
      type: LATE_FUSION_TYPE,
      ...layoutConfig(this.options),
      dim,
      hidden: [...hidden],
      activation,
      dropout,
      auxiliaryWeight,
      ...(seed === null ? {} : { seed }),
    };
  }

  /** Frees every variable. */
  dispose(): void {
    this.params.dispose();
  }
}
