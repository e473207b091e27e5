// Stacked (optionally bidirectional) LSTM and GRU encoders over daily feature sequences: `timeseries/lstm`
// and `timeseries/gru`.
import * as tf from '@tensorflow/tfjs';
import { dropout, ParamStore, tidyOutput, uniqueScope, type ComponentConfig, type Encoder, type EncoderOutput, type NamedVariable, type Registration, type TimeseriesInput } from '@finmm/core';
import { z } from 'zod';
import { applyMask, prepareSeries, tokenMaskOf } from '../layers/ops.js';
import { cellVariables, createCell, scan, type CellKind, type CellParams } from '../layers/recurrent.js';
import { checkInt, checkRate, commonConfig, commonFields, resolveInputDim, withDefaults, type CommonArgs } from './common.js';

/** Arguments of a recurrent encoder. */
export interface RecurrentArgs extends CommonArgs {
  /** Hidden units per direction; default 64. */
  hidden?: number;
  /** Stacked layers; default 1. */
  layers?: number;
  /** Also run every layer backwards in time and concatenate both directions; default false. */
  bidirectional?: boolean;
  /** Dropout on each layer's output sequence while training (between layers and on the tokens); default 0. */
  dropout?: number;
}

const DEFAULTS = { hidden: 64, layers: 1, bidirectional: false, dropout: 0 } as const;

/**
 * An LSTM or GRU stack. `pooled` is the final state of the top layer (both directions concatenated when
 * bidirectional: the forward state after the last observed day, the backward one after the first); `tokens` is
 * the top layer's state at every day, zero at masked days. outDim = hidden x directions.
 *
 * ```ts
 * const lstm = new RecurrentEncoder('lstm', { inputDim: 10, hidden: 32, layers: 2 });
 * const { pooled, tokens } = lstm.encode({ values, stepMask }, false); // [B, 32], [B, T, 32]
 * ```
 */
export class RecurrentEncoder implements Encoder<'timeseries'> {
  readonly modality = 'timeseries' as const;
  readonly outDim: number;
  readonly type: string;
  private readonly args: Required<Omit<RecurrentArgs, 'scope' | 'seed'>> & CommonArgs;
  private readonly store: ParamStore;
  /** Per layer, its directions' weights (forward, then backward). */
  private readonly cells: CellParams[][];

  constructor(
    readonly cell: CellKind,
    args: RecurrentArgs,
  ) {
    this.type = `timeseries/${cell}`;
    this.args = withDefaults(DEFAULTS, args);
    const { inputDim, hidden, layers, bidirectional } = this.args;
    checkInt(this.type, 'inputDim', inputDim, 1);
    checkInt(this.type, 'hidden', hidden, 1);
    checkInt(this.type, 'layers', layers, 1);
    checkRate(this.type, 'dropout', this.args.dropout);
    const directions = bidirectional ? 2 : 1;
    this.outDim = hidden * directions;
    this.store = new ParamStore(args.scope ?? uniqueScope(this.type), args.seed ?? null);
    this.cells = Array.from({ length: layers }, (_, l) =>
      Array.from({ length: directions }, (_, d) =>
        createCell(this.store, `layer${l}.${d === 0 ? 'forward' : 'backward'}`, cell, l === 0 ? inputDim : this.outDim, hidden),
      ),
    );
  }

  /** Encodes `[B, T, F]` with an optional step mask: pooled `[B, outDim]`, tokens `[B, T, outDim]`. */
  encode(input: TimeseriesInput, training: boolean): EncoderOutput {
    return tidyOutput(() => {
      const { x, mask } = prepareSeries(input, this.args.inputDim, this.type);
      const [b, t] = x.shape;
      let sequence: tf.Tensor3D = x;
      let finals: tf.Tensor2D[] = [];
      for (const directions of this.cells) {
        const results = directions.map((p, d) => scan(this.cell, p, sequence, mask, d === 1));
        sequence = results.length === 1 ? results[0]!.sequence : (tf.concat(results.map((r) => r.sequence), 2) as tf.Tensor3D); // [B, T, outDim]
        sequence = dropout(sequence, this.args.dropout, training);
        finals = results.map((r) => r.final);
      }
      const pooled = finals.length === 1 ? finals[0]! : (tf.concat(finals, 1) as tf.Tensor2D); // [B, outDim]
      return { pooled, tokens: applyMask(sequence, mask), tokenMask: tokenMaskOf(mask, b, t) };
    });
  }

  /** One group per stacked layer, bottom to top. */
  layerGroups(): tf.Variable[][] {
    return this.cells.map((directions) => directions.flatMap(cellVariables));
  }

  /** Every variable, layer by layer. */
  variables(): tf.Variable[] {
    return this.store.variables();
  }

  /** Variables with their names inside the encoder (e.g. `layer0.forward.kernel`). */
  namedVariables(): readonly NamedVariable[] {
    return this.store.named;
  }

  /** The config that rebuilds this encoder (defaults filled in). */
  config(): ComponentConfig {
    const { hidden, layers, bidirectional, dropout: rate } = this.args;
    return { type: this.type, ...commonConfig(this.args), hidden, layers, bidirectional, dropout: rate };
  }

  /** Frees every variable. */
  dispose(): void {
    this.store.dispose();
  }
}

function recurrentSchema<T extends string>(type: T) {
  return z.object({
    type: z.literal(type),
    ...commonFields,
    hidden: z.number().int().positive().default(DEFAULTS.hidden).describe('hidden units per direction; default 64'),
    layers: z.number().int().positive().default(DEFAULTS.layers).describe('stacked layers; default 1'),
    bidirectional: z.boolean().default(DEFAULTS.bidirectional).describe('run each layer both ways; default false'),
    dropout: z.number().min(0).lt(1).default(DEFAULTS.dropout).describe('dropout on layer outputs while training; default 0'),
  });
}

/** Config schema of `timeseries/lstm`. */
export const lstmSchema = recurrentSchema('timeseries/lstm');
/** Config schema of `timeseries/gru`. */
export const gruSchema = recurrentSchema('timeseries/gru');

function registration<S extends typeof lstmSchema | typeof gruSchema>(cell: CellKind, schema: S, description: string): Registration<'encoder', S> {
  const type = `timeseries/${cell}`;
  return {
    kind: 'encoder',
    type,
    description,
    schema,
    build: (config, context) => new RecurrentEncoder(cell, { ...config, inputDim: resolveInputDim(config, context, type) }),
    examples: [
      { type, inputDim: 3, hidden: 4 } as z.input<S>,
      { type, inputDim: 2, hidden: 3, layers: 2, bidirectional: true, dropout: 0.1 } as z.input<S>,
    ],
  };
}

/** Registration of the stacked LSTM encoder. */
export const lstmRegistration = registration('lstm', lstmSchema, 'stacked (optionally bidirectional) LSTM over daily features');
/** Registration of the stacked GRU encoder. */
export const gruRegistration = registration('gru', gruSchema, 'stacked (optionally bidirectional) GRU over daily features');
