// The attentive LSTM of Adv-ALSTM (Feng et al., IJCAI 2019) as an encoder: `timeseries/alstm`.
import * as tf from '@tensorflow/tfjs';
import { dense, ParamStore, tidyOutput, uniqueScope, type ComponentConfig, type DenseParams, type Encoder, type EncoderOutput, type NamedVariable, type Registration, type TimeseriesInput } from '@finmm/core';
import { z } from 'zod';
import { applyMask, maskBias, prepareSeries, tokenMaskOf } from '../layers/ops.js';
import { cellVariables, createCell, scan, type CellParams } from '../layers/recurrent.js';
import { checkInt, commonConfig, commonFields, resolveInputDim, type CommonArgs } from './common.js';

/** Registered type of the attentive LSTM. */
export const ALSTM_TYPE = 'timeseries/alstm';

/** Arguments of the attentive LSTM. */
export interface AlstmArgs extends CommonArgs {
  /** LSTM units U; default 32 (Adv-ALSTM's ACL18 setting is 4). */
  units?: number;
  /** Width of the dense tanh feature mapping before the LSTM; default inputDim (as Adv-ALSTM's code). */
  projection?: number;
  /** Width of the attention's hidden tanh layer; default units. */
  attentionUnits?: number;
}

/**
 * Dense tanh feature mapping -> LSTM -> temporal attention. The latent `e = [h_T ; context]` (Adv-ALSTM's input
 * to its head, and what adversarial training perturbs) is `pooled` `[B, 2U]`; h_T is the state after the last
 * observed day, context = sum_t a_t h_t with a = softmax_t(u^T tanh(W h_t + b)) over observed days.
 * `tokens` `[B, T, 2U]` are `[h_t ; context]` per day (zero at masked days), so their width matches `pooled`.
 *
 * ```ts
 * const alstm = new AlstmEncoder({ inputDim: 11, units: 4 }); // ACL18 settings
 * const latent = alstm.encode({ values }, true).pooled; // [B, 8]
 * ```
 */
export class AlstmEncoder implements Encoder<'timeseries'> {
  readonly modality = 'timeseries' as const;
  readonly outDim: number;
  private readonly args: Required<Omit<AlstmArgs, 'scope' | 'seed'>> & CommonArgs;
  private readonly store: ParamStore;
  private readonly mapping: DenseParams;
  private readonly lstm: CellParams;
  private readonly attention: DenseParams;
  /** Attention scoring vector u `[A, 1]` (no bias, as Adv-ALSTM). */
  private readonly score: tf.Variable<tf.Rank.R2>;

  constructor(args: AlstmArgs) {
    const units = args.units ?? 32;
    this.args = { ...args, units, projection: args.projection ?? args.inputDim, attentionUnits: args.attentionUnits ?? units };
    const { inputDim, projection, attentionUnits } = this.args;
    checkInt(ALSTM_TYPE, 'inputDim', inputDim, 1);
    checkInt(ALSTM_TYPE, 'units', units, 1);
    checkInt(ALSTM_TYPE, 'projection', projection, 1);
    checkInt(ALSTM_TYPE, 'attentionUnits', attentionUnits, 1);
    this.outDim = 2 * units;
    this.store = new ParamStore(args.scope ?? uniqueScope(ALSTM_TYPE), args.seed ?? null);
    this.mapping = this.store.dense('mapping', inputDim, projection);
    this.lstm = createCell(this.store, 'lstm', 'lstm', projection, units);
    this.attention = this.store.dense('attention', units, attentionUnits);
    this.score = this.store.glorot('attention.score', attentionUnits, 1);
  }

  /** Encodes `[B, T, F]`: pooled = the latent `[h_T ; context]` `[B, 2U]`, tokens `[B, T, 2U]`. */
  encode(input: TimeseriesInput, training: boolean): EncoderOutput {
    void training; // no dropout: Adv-ALSTM regularises through adversarial training and the head's L2
    return tidyOutput(() => {
      const { x, mask } = prepareSeries(input, this.args.inputDim, ALSTM_TYPE);
      const [b, t] = x.shape;
      const mapped = tf.tanh(dense(x, this.mapping)) as tf.Tensor3D; // [B, T, P]
      const { sequence, final } = scan('lstm', this.lstm, mapped, mask, false); // [B, T, U], [B, U]
      const hiddenScores = tf.tanh(dense(sequence, this.attention)) as tf.Tensor3D; // [B, T, A]
      let scores = tf.reshape(tf.matMul(tf.reshape(hiddenScores, [b * t, -1]) as tf.Tensor2D, this.score), [b, 1, t]) as tf.Tensor3D; // [B*T, 1] -> [B, 1, T]
      if (mask !== null) scores = tf.add(scores, maskBias(mask));
      const weights = tf.softmax(scores); // [B, 1, T]
      const context = tf.reshape(tf.matMul(weights, sequence), [b, this.args.units]) as tf.Tensor2D; // [B, 1, U] -> [B, U]
      const pooled = tf.concat([final, context], 1) as tf.Tensor2D; // [B, 2U]
      const tiled = tf.tile(tf.expandDims(context, 1), [1, t, 1]) as tf.Tensor3D; // [B, T, U]
      const tokens = tf.concat([sequence, tiled], 2) as tf.Tensor3D; // [B, T, 2U]
      return { pooled, tokens: applyMask(tokens, mask), tokenMask: tokenMaskOf(mask, b, t) };
    });
  }

  /** Groups bottom to top: feature mapping, LSTM, attention. */
  layerGroups(): tf.Variable[][] {
    return [[this.mapping.kernel, this.mapping.bias], cellVariables(this.lstm), [this.attention.kernel, this.attention.bias, this.score]];
  }

  /** Every variable. */
  variables(): tf.Variable[] {
    return this.store.variables();
  }

  /** Variables with their names inside the encoder. */
  namedVariables(): readonly NamedVariable[] {
    return this.store.named;
  }

  /** The config that rebuilds this encoder (defaults filled in). */
  config(): ComponentConfig {
    const { units, projection, attentionUnits } = this.args;
    return { type: ALSTM_TYPE, ...commonConfig(this.args), units, projection, attentionUnits };
  }

  /** Frees every variable. */
  dispose(): void {
    this.store.dispose();
  }
}

/** Config schema of `timeseries/alstm`. */
export const alstmSchema = z.object({
  type: z.literal(ALSTM_TYPE),
  ...commonFields,
  units: z.number().int().positive().default(32).describe('LSTM units U; default 32 (ACL18: 4); pooled width is 2U'),
  projection: z.number().int().positive().optional().describe('dense tanh mapping width; default inputDim'),
  attentionUnits: z.number().int().positive().optional().describe('attention hidden width; default units'),
});

/** Registration of the attentive LSTM. */
export const alstmRegistration: Registration<'encoder', typeof alstmSchema> = {
  kind: 'encoder',
  type: ALSTM_TYPE,
  description: 'attentive LSTM of Adv-ALSTM: dense tanh, LSTM, temporal attention; pooled = [h_T ; context]',
  schema: alstmSchema,
  build: (config, context) => new AlstmEncoder({ ...config, inputDim: resolveInputDim(config, context, ALSTM_TYPE) }),
  examples: [
    { type: ALSTM_TYPE, inputDim: 3, units: 4 },
    { type: ALSTM_TYPE, inputDim: 2, units: 3, projection: 5, attentionUnits: 2 },
  ],
};
