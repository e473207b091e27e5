// A small ResNet (He et al. 2016, basic blocks) for chart or document images: `vision/resnet`.
import * as tf from '@tensorflow/tfjs';
import { ParamStore, tidyOutput, uniqueScope, type ComponentConfig, type Encoder, type EncoderOutput, type ImageInput, type NamedVariable, type Registration } from '@finmm/core';
import { z } from 'zod';
import { BatchNorm, conv2d, convVariables, createConv, type Conv2d } from '../layers/conv.js';
import { PoolProjection } from '../layers/pool-projection.js';
import { checkInt, checkPixels, commonFields, resolveChannels, scopeAndSeed, withDefaults, type CommonArgs } from './common.js';

/** Registered type of the small ResNet. */
export const RESNET_TYPE = 'vision/resnet';

/** Arguments of the small ResNet. */
export interface ResNetArgs extends CommonArgs {
  /** Channels of each stage; every stage after the first halves the height and width; default [16, 32, 64]. */
  channels?: number[];
  /** Basic blocks per stage; default 1. */
  blocksPerStage?: number;
  /** Batch normalisation after each convolution; default true. */
  batchNorm?: boolean;
}

/** A conv, optionally followed by batch norm. */
interface ConvNorm {
  conv: Conv2d;
  norm: BatchNorm | null;
}

/** A basic block: two 3x3 conv-norms and a shortcut (1x1 conv-norm when the shape changes). */
interface BasicBlock {
  first: ConvNorm;
  second: ConvNorm;
  shortcut: ConvNorm | null;
}

function convNormVariables(c: ConvNorm): tf.Variable[] {
  return [...convVariables(c.conv), ...(c.norm?.trainable() ?? [])];
}

/**
 * Stem 3x3 conv-norm-ReLU, then stages of basic blocks `relu(shortcut(x) + norm(conv(relu(norm(conv(x))))))`
 * (stride 2 at the start of every stage after the first), then a global average pool projected to the embedding.
 * `tokens` are the last map's cells, projected: `[B, h*w, D]`.
 *
 * ```ts
 * const resnet = new ResNetEncoder({ inputChannels: 3, channels: [32, 64, 128], outDim: 128 });
 * ```
 */
export class ResNetEncoder implements Encoder<'image'> {
  readonly modality = 'image' as const;
  readonly outDim: number;
  private readonly args: Required<Omit<ResNetArgs, 'scope' | 'seed'>> & CommonArgs;
  private readonly store: ParamStore;
  private readonly stem: ConvNorm;
  private readonly stages: BasicBlock[][];
  private readonly projection: PoolProjection;

  constructor(args: ResNetArgs = {}) {
    const who = RESNET_TYPE;
    this.args = withDefaults({ inputChannels: 1, outDim: 64, channels: [16, 32, 64], blocksPerStage: 1, batchNorm: true }, args);
    const { inputChannels, outDim, channels, blocksPerStage, batchNorm } = this.args;
    for (const field of ['inputChannels', 'outDim', 'blocksPerStage'] as const) checkInt(who, field, this.args[field], 1);
    if (channels.length === 0) throw new Error(`${who}: "channels" must list at least one stage`);
    channels.forEach((c, i) => checkInt(who, `channels[${i}]`, c, 1));
    this.outDim = outDim;
    this.store = new ParamStore(args.scope ?? uniqueScope(who), args.seed ?? null);
    const convNorm = (name: string, size: number, inC: number, outC: number, stride: number): ConvNorm => ({
      conv: createConv(this.store, `${name}.conv`, [size, size], inC, outC, { stride: [stride, stride], bias: !batchNorm }),
      norm: batchNorm ? new BatchNorm(this.store, `${name}.norm`, outC) : null,
    });
    this.stem = convNorm('stem', 3, inputChannels, channels[0] as number, 1);
    let inC = channels[0] as number;
    this.stages = channels.map((outC, s) =>
      Array.from({ length: blocksPerStage }, (_, k) => {
        const stride = s > 0 && k === 0 ? 2 : 1;
        const name = `stage${s}.block${k}`;
        const block: BasicBlock = {
          first: convNorm(`${name}.conv1`, 3, inC, outC, stride),
          second: convNorm(`${name}.conv2`, 3, outC, outC, 1),
          shortcut: stride !== 1 || inC !== outC ? convNorm(`${name}.shortcut`, 1, inC, outC, stride) : null,
        };
        inC = outC;
        return block;
      }),
    );
    this.projection = new PoolProjection(this.store, 'global', [1, 1, inC], outDim, 0);
  }

  /** Encodes images `[B, H, W, C]` (any size): pooled `[B, D]`, tokens `[B, h*w, D]`. */
  encode(input: ImageInput, training: boolean): EncoderOutput {
    checkPixels(RESNET_TYPE, input, this.args.inputChannels, null);
    const apply = (c: ConvNorm, x: tf.Tensor4D): tf.Tensor4D => {
      const y = conv2d(x, c.conv);
      return c.norm === null ? y : c.norm.forward(y, training);
    };
    return tidyOutput(() => {
      let x = tf.relu(apply(this.stem, input.pixels)) as tf.Tensor4D; // [B, H, W, C0]
      for (const stage of this.stages) {
        for (const block of stage) {
          const inner = apply(block.second, tf.relu(apply(block.first, x)) as tf.Tensor4D);
          const shortcut = block.shortcut === null ? x : apply(block.shortcut, x);
          x = tf.relu(tf.add(inner, shortcut)) as tf.Tensor4D; // [B, h, w, C]
        }
      }
      return this.projection.forward(x, training);
    });
  }

  /** Groups bottom to top: stem, each stage, projection. */
  layerGroups(): tf.Variable[][] {
    const stages = this.stages.map((stage) => stage.flatMap((b) => [b.first, b.second, ...(b.shortcut === null ? [] : [b.shortcut])].flatMap(convNormVariables)));
    return [convNormVariables(this.stem), ...stages, this.projection.variables()];
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
    const { inputChannels, outDim, channels, blocksPerStage, batchNorm } = this.args;
    return { type: RESNET_TYPE, inputChannels, outDim, ...scopeAndSeed(this.args), channels: [...channels], blocksPerStage, batchNorm };
  }

  /** Frees every variable. */
  dispose(): void {
    this.store.dispose();
  }
}

/** Config schema of `vision/resnet`. */
export const resnetSchema = z.object({
  type: z.literal(RESNET_TYPE),
  ...commonFields,
  channels: z.array(z.number().int().positive()).min(1).default([16, 32, 64]).describe('channels per stage (stride 2 after the first); default [16, 32, 64]'),
  blocksPerStage: z.number().int().positive().default(1).describe('basic blocks per stage; default 1'),
  batchNorm: z.boolean().default(true).describe('batch norm after each convolution; default true'),
});

/** Registration of the small ResNet. */
export const resnetRegistration: Registration<'encoder', typeof resnetSchema> = {
  kind: 'encoder',
  type: RESNET_TYPE,
  description: 'small ResNet of basic blocks with a global-pool projection to the embedding',
  schema: resnetSchema,
  build: (config, context) => new ResNetEncoder({ ...config, inputChannels: resolveChannels(config, context) }),
  examples: [
    { type: RESNET_TYPE, channels: [4, 8], outDim: 6 },
    { type: RESNET_TYPE, inputChannels: 3, channels: [3, 5], blocksPerStage: 2, batchNorm: false, outDim: 4 },
  ],
};
