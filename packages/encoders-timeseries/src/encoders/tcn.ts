// Temporal convolution network (Bai, Kolter & Koltun 2018): residual blocks of dilated causal convolutions,
// `timeseries/tcn`.
import * as tf from '@tensorflow/tfjs';
import { dense, dropout, maskedMean, ParamStore, tidyOutput, uniqueScope, type ComponentConfig, type DenseParams, type Encoder, type EncoderOutput, type NamedVariable, type Registration, type TimeseriesInput } from '@finmm/core';
import { z } from 'zod';
import { causalConv } from '../layers/causal-conv.js';
import { applyMask, lastObserved, maskedMax, prepareSeries, tokenMaskOf } from '../layers/ops.js';
import { checkInt, checkRate, commonConfig, commonFields, resolveInputDim, withDefaults, type CommonArgs } from './common.js';

/** Registered type of the TCN. */
export const TCN_TYPE = 'timeseries/tcn';

/** How the TCN makes `pooled` from its output sequence. */
export const TCN_POOLINGS = ['last', 'mean', 'max'] as const;
export type TcnPooling = (typeof TCN_POOLINGS)[number];

/** Arguments of the TCN. */
export interface TcnArgs extends CommonArgs {
  /** Output channels of each residual block; block i has dilation 2^i; default [32, 32, 32]. */
  channels?: number[];
  /** Taps of each causal convolution; default 3. Receptive field: 1 + 2 (k - 1)(2^L - 1) days. */
  kernelSize?: number;
  /** Dropout after each convolution while training; default 0. */
  dropout?: number;
  /** `pooled` = the last observed day's output ('last', default), or a masked 'mean' or 'max' over days. */
  pooling?: TcnPooling;
}

const DEFAULTS = { channels: [32, 32, 32], kernelSize: 3, dropout: 0, pooling: 'last' as TcnPooling };

/** One residual block's weights: two causal convolutions and, when the width changes, a 1x1 projection. */
interface Block {
  conv1: DenseParams;
  conv2: DenseParams;
  residual: DenseParams | null;
  dilation: number;
}

/**
 * A stack of residual blocks `relu(x W_res + conv2(relu(conv1(x))))` with dilations 1, 2, 4, ... Masked days are
 * zeroed before every convolution (so their values never reach observed days) and in the tokens.
 *
 * ```ts
 * const tcn = new TcnEncoder({ inputDim: 5, channels: [16, 16, 16], pooling: 'max' });
 * ```
 */
export class TcnEncoder implements Encoder<'timeseries'> {
  readonly modality = 'timeseries' as const;
  readonly outDim: number;
  private readonly args: Required<Omit<TcnArgs, 'scope' | 'seed'>> & CommonArgs;
  private readonly store: ParamStore;
  private readonly blocks: Block[];

  constructor(args: TcnArgs) {
    this.args = withDefaults(DEFAULTS, args);
    const { inputDim, channels, kernelSize } = this.args;
    checkInt(TCN_TYPE, 'inputDim', inputDim, 1);
    checkInt(TCN_TYPE, 'kernelSize', kernelSize, 1);
    checkRate(TCN_TYPE, 'dropout', this.args.dropout);
    if (channels.length === 0) throw new Error(`${TCN_TYPE}: "channels" must list at least one block`);
    channels.forEach((c, i) => checkInt(TCN_TYPE, `channels[${i}]`, c, 1));
    if (!(TCN_POOLINGS as readonly string[]).includes(this.args.pooling)) throw new Error(`${TCN_TYPE}: "pooling" must be one of ${TCN_POOLINGS.join(', ')}`);
    this.outDim = channels[channels.length - 1] as number;
    this.store = new ParamStore(args.scope ?? uniqueScope(TCN_TYPE), args.seed ?? null);
    let inDim = inputDim;
    this.blocks = channels.map((out, i) => {
      const block: Block = {
        conv1: this.store.dense(`block${i}.conv1`, kernelSize * inDim, out), // kernel [k*in, out], see causalConv
        conv2: this.store.dense(`block${i}.conv2`, kernelSize * out, out),
        residual: inDim === out ? null : this.store.dense(`block${i}.residual`, inDim, out),
        dilation: 2 ** i,
      };
      inDim = out;
      return block;
    });
  }

  /** Days one output step sees: 1 + 2 (k - 1)(2^L - 1). */
  receptiveField(): number {
    return 1 + 2 * (this.args.kernelSize - 1) * (2 ** this.blocks.length - 1);
  }

  /** Encodes `[B, T, F]`: pooled `[B, C_last]`, tokens `[B, T, C_last]`. */
  encode(input: TimeseriesInput, training: boolean): EncoderOutput {
    return tidyOutput(() => {
      const { x, mask } = prepareSeries(input, this.args.inputDim, TCN_TYPE);
      const [b, t] = x.shape;
      const k = this.args.kernelSize;
      const rate = this.args.dropout;
      let h: tf.Tensor3D = x;
      for (const block of this.blocks) {
        const c1 = dropout(applyMask(tf.relu(causalConv(h, block.conv1, k, block.dilation)) as tf.Tensor3D, mask), rate, training); // [B, T, C]
        const c2 = dropout(tf.relu(causalConv(c1, block.conv2, k, block.dilation)), rate, training); // [B, T, C]
        const residual = block.residual === null ? h : dense(h, block.residual); // [B, T, C]
        h = applyMask(tf.relu(tf.add(c2, residual)) as tf.Tensor3D, mask);
      }
      const pooled = this.args.pooling === 'last' ? lastObserved(h, mask) : this.args.pooling === 'mean' ? maskedMean(h, mask) : maskedMax(h, mask);
      return { pooled, tokens: h, tokenMask: tokenMaskOf(mask, b, t) };
    });
  }

  /** One group per residual block, bottom to top. */
  layerGroups(): tf.Variable[][] {
    return this.blocks.map((bl) => [bl.conv1, bl.conv2, ...(bl.residual === null ? [] : [bl.residual])].flatMap((d) => [d.kernel, d.bias]));
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
    const { channels, kernelSize, dropout: rate, pooling } = this.args;
    return { type: TCN_TYPE, ...commonConfig(this.args), channels: [...channels], kernelSize, dropout: rate, pooling };
  }

  /** Frees every variable. */
  dispose(): void {
    this.store.dispose();
  }
}

/** Config schema of `timeseries/tcn`. */
export const tcnSchema = z.object({
  type: z.literal(TCN_TYPE),
  ...commonFields,
  channels: z.array(z.number().int().positive()).min(1).default(DEFAULTS.channels).describe('channels of each residual block (dilation 2^i); default [32, 32, 32]'),
  kernelSize: z.number().int().positive().default(DEFAULTS.kernelSize).describe('taps per causal convolution; default 3'),
  dropout: z.number().min(0).lt(1).default(DEFAULTS.dropout).describe('dropout after each convolution while training; default 0'),
  pooling: z.enum(TCN_POOLINGS).default(DEFAULTS.pooling).describe("'last' (default) observed day, or masked 'mean' / 'max'"),
});

/** Registration of the TCN. */
export const tcnRegistration: Registration<'encoder', typeof tcnSchema> = {
  kind: 'encoder',
  type: TCN_TYPE,
  description: 'temporal convolution network: residual blocks of dilated causal convolutions',
  schema: tcnSchema,
  build: (config, context) => new TcnEncoder({ ...config, inputDim: resolveInputDim(config, context, TCN_TYPE) }),
  examples: [
    { type: TCN_TYPE, inputDim: 3, channels: [4, 4], kernelSize: 2 },
    { type: TCN_TYPE, inputDim: 2, channels: [3, 5], dropout: 0.1, pooling: 'max' },
  ],
};
