// The price-chart CNN of Jiang, Kelly & Xiu (2023, "(Re-)Imag(in)ing Price Trends"): `vision/jkx-cnn`.
import * as tf from '@tensorflow/tfjs';
import { ParamStore, tidyOutput, uniqueScope, type ComponentConfig, type Encoder, type EncoderOutput, type ImageInput, type NamedVariable, type Registration } from '@finmm/core';
import { z } from 'zod';
import { CHART_SIZES } from '../chart/layout.js';
import { BatchNorm, conv2d, convVariables, createConv, type Conv2d } from '../layers/conv.js';
import { POOLINGS, PoolProjection, type Pooling } from '../layers/pool-projection.js';
import { checkInt, checkPixels, commonFields, resolveChannels, scopeAndSeed, withDefaults, type CommonArgs } from './common.js';

/** Registered type of the chart CNN. */
export const JKX_CNN_TYPE = 'vision/jkx-cnn';

/** Blocks of the paper's model per chart length: 2 for 5-day, 3 for 20-day, 4 for 60-day images. */
export const JKX_BLOCKS: Readonly<Record<number, number>> = { 5: 2, 20: 3, 60: 4 };

/** Arguments of the chart CNN. */
export interface JkxCnnArgs extends CommonArgs {
  /** Chart length 5, 20 or 60: sets the image size (32x15, 64x60, 96x180) and the block count (2, 3, 4); default 20. */
  days?: number;
  /** Image height and width; default the paper's size for `days`. */
  height?: number;
  width?: number;
  /** Conv blocks; default the paper's for `days`. */
  blocks?: number;
  /** Channels of block 1; block i has baseChannels x 2^(i-1) (64, 128, 256, 512 in the paper); default 64. */
  baseChannels?: number;
  /** Batch normalisation after each convolution; default true (as the paper). */
  batchNorm?: boolean;
  /** Slope of the leaky ReLU; default 0.01. */
  leakySlope?: number;
  /** Dropout before the projection while training; default 0.5 (the paper's dropout before its fully connected layer). */
  dropout?: number;
  /** 'flatten' (default, the paper's fully connected layer) or 'global' (average pool; also gives tokens). */
  pooling?: Pooling;
}

/** One block: 5x3 convolution ('same' padding), optional batch norm, leaky ReLU, 2x1 max-pool. */
interface Block {
  conv: Conv2d;
  norm: BatchNorm | null;
}

/**
 * Blocks of [5x3 conv -> batch norm -> leaky ReLU -> 2x1 max-pool] on a chart image `[B, H, W, 1]`, then a
 * projection of the last map to the embedding. Differs from the paper in one point: the first layer of the 20- and
 * 60-day models has no vertical stride/dilation (tfjs has no gradient for dilated convolutions).
 *
 * ```ts
 * const cnn = new JkxCnnEncoder({ days: 20, outDim: 64 });
 * const { pooled } = cnn.encode({ pixels: renderCharts(windows, 20) }, true); // [B, 64]
 * ```
 */
export class JkxCnnEncoder implements Encoder<'image'> {
  readonly modality = 'image' as const;
  readonly outDim: number;
  private readonly args: Required<Omit<JkxCnnArgs, 'scope' | 'seed'>> & CommonArgs;
  private readonly store: ParamStore;
  private readonly blockList: Block[];
  private readonly projection: PoolProjection;

  constructor(args: JkxCnnArgs = {}) {
    const who = JKX_CNN_TYPE;
    const days = args.days ?? 20;
    const size = CHART_SIZES[days];
    const blocks = args.blocks ?? JKX_BLOCKS[days];
    const height = args.height ?? size?.height;
    const width = args.width ?? size?.width;
    if (blocks === undefined || height === undefined || width === undefined) {
      throw new Error(`${who}: "days" ${days} has no standard size; give "blocks", "height" and "width"`);
    }
    const defaults = { inputChannels: 1, outDim: 64, baseChannels: 64, batchNorm: true, leakySlope: 0.01, dropout: 0.5, pooling: 'flatten' as Pooling };
    this.args = { ...withDefaults(defaults, args), days, blocks, height, width };
    const { inputChannels, outDim, baseChannels, batchNorm, dropout } = this.args;
    for (const field of ['inputChannels', 'outDim', 'baseChannels', 'blocks', 'height', 'width'] as const) checkInt(who, field, this.args[field], 1);
    if (!(dropout >= 0 && dropout < 1)) throw new Error(`${who}: "dropout" must be in [0, 1), got ${dropout}`);
    if (!POOLINGS.includes(this.args.pooling)) throw new Error(`${who}: "pooling" must be one of ${POOLINGS.join(', ')}`);
    this.outDim = outDim;
    this.store = new ParamStore(args.scope ?? uniqueScope(who), args.seed ?? null);
    let channels = inputChannels;
    let h = height;
    this.blockList = Array.from({ length: blocks }, (_, i) => {
      const out = baseChannels * 2 ** i;
      const block: Block = {
        conv: createConv(this.store, `block${i}.conv`, [5, 3], channels, out, { bias: !batchNorm }),
        norm: batchNorm ? new BatchNorm(this.store, `block${i}.norm`, out) : null,
      };
      channels = out;
      h = Math.ceil(h / 2);
      return block;
    });
    this.projection = new PoolProjection(this.store, this.args.pooling, [h, width, channels], outDim, dropout);
  }

  /** Encodes chart images `[B, H, W, C]`: pooled `[B, D]` (and tokens `[B, h*w, D]` with 'global' pooling). */
  encode(input: ImageInput, training: boolean): EncoderOutput {
    const { inputChannels, height, width, pooling, leakySlope } = this.args;
    checkPixels(JKX_CNN_TYPE, input, inputChannels, pooling === 'flatten' ? [height, width] : null);
    return tidyOutput(() => {
      let x = input.pixels;
      for (const block of this.blockList) {
        let y = conv2d(x, block.conv); // [B, H, W, C]
        if (block.norm !== null) y = block.norm.forward(y, training);
        x = tf.maxPool(tf.leakyRelu(y, leakySlope), [2, 1], [2, 1], 'same'); // [B, ceil(H/2), W, C]
      }
      return this.projection.forward(x, training);
    });
  }

  /** One group per block, then the projection. */
  layerGroups(): tf.Variable[][] {
    return [...this.blockList.map((b) => [...convVariables(b.conv), ...(b.norm?.trainable() ?? [])]), this.projection.variables()];
  }

  /** Every variable, running batch-norm statistics included (non-trainable). */
  variables(): tf.Variable[] {
    return this.store.variables();
  }

  /** Variables with their names inside the encoder. */
  namedVariables(): readonly NamedVariable[] {
    return this.store.named;
  }

  /** The config that rebuilds this encoder (defaults filled in). */
  config(): ComponentConfig {
    const { inputChannels, outDim, days, height, width, blocks, baseChannels, batchNorm, leakySlope, dropout, pooling } = this.args;
    return { type: JKX_CNN_TYPE, inputChannels, outDim, ...scopeAndSeed(this.args), days, height, width, blocks, baseChannels, batchNorm, leakySlope, dropout, pooling };
  }

  /** Frees every variable. */
  dispose(): void {
    this.store.dispose();
  }
}

/** Config schema of `vision/jkx-cnn`. */
export const jkxCnnSchema = z.object({
  type: z.literal(JKX_CNN_TYPE),
  ...commonFields,
  days: z.number().int().positive().default(20).describe('chart length 5, 20 or 60: image size and block count; default 20'),
  height: z.number().int().positive().optional().describe("image height; default the paper's for days"),
  width: z.number().int().positive().optional().describe("image width; default the paper's for days"),
  blocks: z.number().int().positive().optional().describe('conv blocks; default 2 / 3 / 4 for 5 / 20 / 60 days'),
  baseChannels: z.number().int().positive().default(64).describe('channels of block 1, doubling per block; default 64'),
  batchNorm: z.boolean().default(true).describe('batch norm after each convolution; default true'),
  leakySlope: z.number().min(0).default(0.01).describe('leaky ReLU slope; default 0.01'),
  dropout: z.number().min(0).lt(1).default(0.5).describe('dropout before the projection while training; default 0.5'),
  pooling: z.enum(POOLINGS).default('flatten').describe("'flatten' (paper) or 'global' average pool (gives tokens)"),
});

/** Registration of the chart CNN. */
export const jkxCnnRegistration: Registration<'encoder', typeof jkxCnnSchema> = {
  kind: 'encoder',
  type: JKX_CNN_TYPE,
  description: 'Jiang-Kelly-Xiu price-chart CNN: 5x3 conv, batch norm, leaky ReLU, 2x1 max-pool blocks',
  schema: jkxCnnSchema,
  build: (config, context) => new JkxCnnEncoder({ ...config, inputChannels: resolveChannels(config, context) }),
  examples: [
    { type: JKX_CNN_TYPE, days: 5, baseChannels: 4, outDim: 8 },
    { type: JKX_CNN_TYPE, days: 5, baseChannels: 2, outDim: 6, batchNorm: false, pooling: 'global', dropout: 0 },
  ],
};
