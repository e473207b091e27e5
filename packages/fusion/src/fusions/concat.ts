// `fusion/concat`: each modality's embedding (or its learned "absent" embedding) and the presence indicators,
// concatenated and mixed by an MLP.
import * as tf from '@tensorflow/tfjs';
import { ParamStore, type Activation, type ComponentConfig, type EncoderOutput, type Fusion, type Modality } from '@finmm/core';
import { fusionInstances } from '../nn/instances.js';
import { Mlp } from '../nn/mlp.js';
import { checkParts, column, layoutConfig, presenceMatrix, repeatRows, selectRows, type FusionLayout } from './layout.js';

/** The registered type name of concatenation fusion. */
export const CONCAT_FUSION_TYPE = 'fusion/concat';

/** Everything `fusion/concat` is built from (its config without `type`). */
export interface ConcatFusionOptions extends FusionLayout {
  /** Hidden layer widths of the MLP after the concatenation. */
  hidden: number[];
  /** Width of the fused representation (the MLP's last, activated, layer). */
  outDim: number;
  activation: Activation;
  dropout: number;
  seed: number | null;
}

/**
 * Concatenation fusion: `MLP([h_1, ..., h_M, p_1, ..., p_M])`, where `h_m` is the modality's embedding when present
 * and a learned absent embedding when not, and `p_m` the presence indicator (never a silent zero vector).
 */
export class ConcatFusion implements Fusion {
  readonly outDim: number;
  private readonly params: ParamStore;
  private readonly absent: tf.Variable[];
  private readonly mlp: Mlp;

  constructor(readonly options: ConcatFusionOptions) {
    const { modalities, inputDims, hidden, outDim } = options;
    this.outDim = outDim;
    this.params = new ParamStore(fusionInstances.nextPrefix(CONCAT_FUSION_TYPE), options.seed);
    this.absent = modalities.map((m) => this.params.normal(`absent.${m}`, [1, inputDims[m] as number], 0.02));
    const width = modalities.reduce((sum, m) => sum + (inputDims[m] as number), 0) + modalities.length;
    this.mlp = new Mlp(this.params, 'mlp', { widths: [width, ...hidden, outDim], activation: options.activation, dropout: options.dropout, activateLast: true });
  }

  /** Fuses the parts into `[B, outDim]`. */
  fuse(parts: Partial<Record<Modality, EncoderOutput>>, present: Partial<Record<Modality, tf.Tensor1D>>, training: boolean): tf.Tensor2D {
    const batch = checkParts(CONCAT_FUSION_TYPE, this.options, parts, present);
    return tf.tidy(() => {
      const presence = presenceMatrix(this.options, parts, present, batch); // [B, M]
      const pieces = this.options.modalities.map((m, i) => {
        const absent = this.absent[i] as tf.Variable; // [1, D_m]
        const part = parts[m];
        if (part === undefined) return repeatRows<tf.Tensor2D>(absent, batch); // [B, D_m]
        return selectRows(column(presence, i), part.pooled, absent); // [B, D_m]
      });
      return this.mlp.forward(tf.concat([...pieces, presence], 1), training); // [B, sum D_m + M] -> [B, outDim]
    });
  }

  /** Every variable: absent embeddings, then the MLP. */
  variables(): tf.Variable[] {
    return this.params.variables();
  }

  /** The config that rebuilds this fusion. */
  config(): ComponentConfig {
    const { seed, hidden, outDim, activation, dropout } = this.options;
    return { type: CONCAT_FUSION_TYPE, ...layoutConfig(this.options), hidden: [...hidden], outDim, activation, dropout, ...(seed === null ? {} : { seed }) };
  }

  /** Frees every variable. */
  dispose(): void {
    this.params.dispose();
  }
}
