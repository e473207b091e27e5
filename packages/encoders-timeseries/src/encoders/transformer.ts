// A transformer encoder over trading days with sinusoidal positions and a step mask: `timeseries/transformer`.
import * as tf from '@tensorflow/tfjs';
import { dense, dropout, keyMaskBias, maskedMean, ParamStore, tidyOutput, uniqueScope, type ComponentConfig, type DenseParams, type Encoder, type EncoderOutput, type NamedVariable, type NormParams, type Registration, type TimeseriesInput } from '@finmm/core';
import { z } from 'zod';
import { AttentionBlock } from '../layers/attention-block.js';
import { applyMask, lastObserved, layerNorm, prepareSeries, tokenMaskOf } from '../layers/ops.js';
import { sinusoidalPositions } from '../layers/positional.js';
import { checkInt, checkRate, commonConfig, commonFields, resolveInputDim, withDefaults, type CommonArgs } from './common.js';

/** Registered type of the time-series transformer. */
export const SERIES_TRANSFORMER_TYPE = 'timeseries/transformer';

/** How `pooled` is made from the day tokens. */
export const SERIES_TRANSFORMER_POOLINGS = ['mean', 'last'] as const;
export type SeriesTransformerPooling = (typeof SERIES_TRANSFORMER_POOLINGS)[number];

/** Arguments of the time-series transformer. */
export interface SeriesTransformerArgs extends CommonArgs {
  /** Token width D; default 64. */
  dModel?: number;
  /** Attention heads, dividing dModel; default 4. */
  heads?: number;
  /** Encoder blocks; default 2. */
  layers?: number;
  /** Feed-forward width; default 4 x dModel. */
  ffnDim?: number;
  /** Dropout on attention weights, residual branches and the input while training; default 0.1. */
  dropout?: number;
  /** `pooled` = masked 'mean' of the day tokens (default) or the 'last' observed day's token. */
  pooling?: SeriesTransformerPooling;
}

const DEFAULTS = { dModel: 64, heads: 4, layers: 2, dropout: 0.1, pooling: 'mean' as SeriesTransformerPooling };

/**
 * Linear input projection plus sinusoidal positions (day index within the window), pre-LayerNorm blocks and a final
 * LayerNorm. Masked days are zeroed on input, never attended to, left out of the pooling and zero in `tokens`.
 *
 * ```ts
 * const encoder = new SeriesTransformerEncoder({ inputDim: 10, dModel: 32, heads: 4, layers: 2 });
 * ```
 */
export class SeriesTransformerEncoder implements Encoder<'timeseries'> {
  readonly modality = 'timeseries' as const;
  readonly outDim: number;
  private readonly args: Required<Omit<SeriesTransformerArgs, 'scope' | 'seed'>> & CommonArgs;
  private readonly store: ParamStore;
  private readonly input: DenseParams;
  private readonly blocks: AttentionBlock[];
  private readonly finalNorm: NormParams;

  constructor(args: SeriesTransformerArgs) {
    const dModel = args.dModel ?? DEFAULTS.dModel;
    this.args = withDefaults({ ...DEFAULTS, ffnDim: 4 * dModel }, args);
    const { inputDim, heads, layers, ffnDim } = this.args;
    const who = SERIES_TRANSFORMER_TYPE;
    checkInt(who, 'inputDim', inputDim, 1);
    checkInt(who, 'dModel', dModel, 1);
    checkInt(who, 'heads', heads, 1);
    checkInt(who, 'layers', layers, 1);
    checkInt(who, 'ffnDim', ffnDim, 1);
    checkRate(who, 'dropout', this.args.dropout);
    if (dModel % heads !== 0) throw new Error(`${who}: "heads" (${heads}) must divide "dModel" (${dModel})`);
    if (!(SERIES_TRANSFORMER_POOLINGS as readonly string[]).includes(this.args.pooling)) throw new Error(`${who}: "pooling" must be one of ${SERIES_TRANSFORMER_POOLINGS.join(', ')}`);
    this.outDim = dModel;
    this.store = new ParamStore(args.scope ?? uniqueScope(who), args.seed ?? null);
    this.input = this.store.dense('input', inputDim, dModel);
    this.blocks = Array.from({ length: layers }, (_, i) => new AttentionBlock(this.store, `block${i}`, { dModel, heads, ffnDim, dropout: this.args.dropout }));
    this.finalNorm = this.store.norm('final', dModel);
  }

  /** Encodes `[B, T, F]`: pooled `[B, D]`, tokens `[B, T, D]`. */
  encode(input: TimeseriesInput, training: boolean): EncoderOutput {
    return tidyOutput(() => {
      const { x, mask } = prepareSeries(input, this.args.inputDim, SERIES_TRANSFORMER_TYPE);
      const [b, t] = x.shape;
      const d = this.outDim;
      const positions = tf.tensor2d(sinusoidalPositions(t, d), [t, d]); // [T, D]
      let h = dropout(tf.add(dense(x, this.input), positions) as tf.Tensor3D, this.args.dropout, training); // [B, T, D]
      const bias = mask === null ? null : keyMaskBias(mask); // [B, 1, 1, T]
      for (const block of this.blocks) h = block.forward(h, bias, training);
      const tokens = applyMask(layerNorm(h, this.finalNorm), mask); // [B, T, D]
      const pooled = this.args.pooling === 'mean' ? maskedMean(tokens, mask) : lastObserved(tokens, mask);
      return { pooled, tokens, tokenMask: tokenMaskOf(mask, b, t) };
    });
  }

  /** Groups bottom to top: input projection, each block, final norm. */
  layerGroups(): tf.Variable[][] {
    return [[this.input.kernel, this.input.bias], ...this.blocks.map((bl) => bl.variables()), [this.finalNorm.gamma, this.finalNorm.beta]];
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
    const { dModel, heads, layers, ffnDim, dropout: rate, pooling } = this.args;
    return { type: SERIES_TRANSFORMER_TYPE, ...commonConfig(this.args), dModel, heads, layers, ffnDim, dropout: rate, pooling };
  }

  /** Frees every variable. */
  dispose(): void {
    this.store.dispose();
  }
}

/** Config schema of `timeseries/transformer`. */
export const seriesTransformerSchema = z.object({
  type: z.literal(SERIES_TRANSFORMER_TYPE),
  ...commonFields,
  dModel: z.number().int().positive().default(DEFAULTS.dModel).describe('token width; default 64'),
  heads: z.number().int().positive().default(DEFAULTS.heads).describe('attention heads dividing dModel; default 4'),
  layers: z.number().int().positive().default(DEFAULTS.layers).describe('encoder blocks; default 2'),
  ffnDim: z.number().int().positive().optional().describe('feed-forward width; default 4 x dModel'),
  dropout: z.number().min(0).lt(1).default(DEFAULTS.dropout).describe('dropout while training; default 0.1'),
  pooling: z.enum(SERIES_TRANSFORMER_POOLINGS).default(DEFAULTS.pooling).describe("'mean' (default) over observed days or 'last'"),
});

/** Registration of the time-series transformer. */
export const seriesTransformerRegistration: Registration<'encoder', typeof seriesTransformerSchema> = {
  kind: 'encoder',
  type: SERIES_TRANSFORMER_TYPE,
  description: 'transformer encoder over trading days with sinusoidal positions and a step mask',
  schema: seriesTransformerSchema,
  build: (config, context) => new SeriesTransformerEncoder({ ...config, inputDim: resolveInputDim(config, context, SERIES_TRANSFORMER_TYPE) }),
  examples: [
    { type: SERIES_TRANSFORMER_TYPE, inputDim: 3, dModel: 8, heads: 2, layers: 1, ffnDim: 16 },
    { type: SERIES_TRANSFORMER_TYPE, inputDim: 2, dModel: 4, heads: 1, layers: 2, dropout: 0, pooling: 'last' },
  ],
};
