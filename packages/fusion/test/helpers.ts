// Test helpers: small encoders and masked losses registered in a private registry (the real ones live in packages
// fusion must not import), synthetic two-modality data, an Adam training loop and accuracy.
import * as tf from '@tensorflow/tfjs';
import {
  Registry,
  type Batch,
  type ComponentConfig,
  type Encoder,
  type EncoderOutput,
  type Loss,
  type Model,
  type TabularInput,
  type TaskLabels,
  type TimeseriesInput,
} from '@finmm/core';
import { z } from 'zod';
import { registerFusionComponents, weightedTaskLoss } from '../src/index.js';

let instances = 0;
function variable(shape: number[], seed: number, name: string): tf.Variable {
  instances += 1;
  const limit = Math.sqrt(6 / (shape[0] as number + (shape[1] ?? 1)));
  return tf.tidy(() => tf.variable(tf.randomUniform(shape, -limit, limit, 'float32', seed), true, `test#${instances}/${name}`));
}

function zeroVariable(size: number, name: string): tf.Variable {
  instances += 1;
  return tf.tidy(() => tf.variable(tf.zeros([size]), true, `test#${instances}/${name}`));
}

/** A tabular test encoder: `tanh(numeric W1 + b1)` is the embedding, `tanh(e W2 + b2)` the pooled output. */
class TestTabularEncoder implements Encoder<'tabular'> {
  readonly modality = 'tabular' as const;
  private readonly w1: tf.Variable;
  private readonly b1: tf.Variable;
  private readonly w2: tf.Variable;
  private readonly b2: tf.Variable;
  constructor(
    private readonly features: number,
    readonly outDim: number,
    private readonly seed: number,
  ) {
    this.w1 = variable([features, outDim], seed, 'w1');
    this.b1 = zeroVariable(outDim, 'b1');
    this.w2 = variable([outDim, outDim], seed + 1, 'w2');
    this.b2 = zeroVariable(outDim, 'b2');
  }
  encode(input: TabularInput, training: boolean): EncoderOutput {
    return tf.tidy(() => {
      const e = this.embed(input);
      return this.encodeEmbeddings(input, e, training) as unknown as tf.TensorContainerObject;
    }) as unknown as EncoderOutput;
  }
  embed(input: TabularInput): tf.Tensor2D {
    return tf.tidy(() => tf.tanh(tf.add(tf.matMul(input.numeric as tf.Tensor2D, this.w1 as tf.Tensor2D), this.b1)) as tf.Tensor2D);
  }
  encodeEmbeddings(_input: TabularInput, e: tf.Tensor, _training: boolean): EncoderOutput {
    return { pooled: tf.tidy(() => tf.tanh(tf.add(tf.matMul(e as tf.Tensor2D, this.w2 as tf.Tensor2D), this.b2)) as tf.Tensor2D) };
  }
  layerGroups(): tf.Variable[][] {
    return [[this.w1, this.b1], [this.w2, this.b2]];
  }
  variables(): tf.Variable[] {
    return [this.w1, this.b1, this.w2, this.b2];
  }
  config(): ComponentConfig {
    return { type: 'test/tabular', features: this.features, outDim: this.outDim, seed: this.seed };
  }
  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}

/** A time-series test encoder: per-step `tanh(x W + b)` tokens `[B, T, D]`, pooled by the masked mean; no embed(). */
class TestSeriesEncoder implements Encoder<'timeseries'> {
  readonly modality = 'timeseries' as const;
  private readonly w: tf.Variable;
  private readonly b: tf.Variable;
  private readonly w2: tf.Variable;
  constructor(
    private readonly features: number,
    readonly outDim: number,
    private readonly seed: number,
  ) {
    this.w = variable([features, outDim], seed, 'w');
    this.b = zeroVariable(outDim, 'b');
    this.w2 = variable([outDim, outDim], seed + 1, 'w2');
  }
  encode(input: TimeseriesInput, _training: boolean): EncoderOutput {
    return tf.tidy(() => {
      const [batch, steps, f] = input.values.shape;
      const flat = tf.reshape(input.values, [batch * steps, f]); // [B*T, F]
      const tokens = tf.reshape(tf.tanh(tf.add(tf.matMul(flat, this.w as tf.Tensor2D), this.b)), [batch, steps, this.outDim]); // [B, T, D]
      const mask = input.stepMask ?? tf.ones([batch, steps]);
      const mean = tf.div(tf.sum(tf.mul(tokens, tf.expandDims(mask, 2)), 1), tf.maximum(tf.sum(mask, 1, true), 1)); // [B, D]
      const pooled = tf.tanh(tf.matMul(mean as tf.Tensor2D, this.w2 as tf.Tensor2D));
      return { pooled, tokens, tokenMask: tf.add(mask, 0) } as unknown as tf.TensorContainerObject;
    }) as unknown as EncoderOutput;
  }
  layerGroups(): tf.Variable[][] {
    return [[this.w, this.b], [this.w2]];
  }
  variables(): tf.Variable[] {
    return [this.w, this.b, this.w2];
  }
  config(): ComponentConfig {
    return { type: 'test/series', features: this.features, outDim: this.outDim, seed: this.seed };
  }
  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}

/** Per-sample losses `[B]` reduced over the mask; masked-out rows are replaced before the reduction (no NaN leaks). */
function maskedMean(perSample: tf.Tensor1D, mask: tf.Tensor1D): tf.Scalar {
  const keep = tf.greater(mask, 0);
  const safe = tf.where(keep, perSample, tf.zerosLike(perSample));
  return tf.div(tf.sum(safe), tf.maximum(tf.sum(tf.cast(keep, 'float32')), 1)) as tf.Scalar;
}

function cleanLabels(y: tf.Tensor, mask: tf.Tensor1D): tf.Tensor {
  const flat = tf.reshape(tf.cast(y, 'float32'), [mask.shape[0], -1]); // [B, K]
  const keep = tf.broadcastTo(tf.expandDims(tf.greater(mask, 0), 1), flat.shape);
  return tf.where(keep, flat, tf.zerosLike(flat));
}

const lossImpls: Record<string, (out: tf.Tensor2D, l: TaskLabels) => tf.Scalar> = {
  'loss/cross-entropy': (out, l) => {
    const y = tf.cast(tf.reshape(cleanLabels(l.y, l.mask), [-1]), 'int32') as tf.Tensor1D;
    const nll = tf.neg(tf.sum(tf.mul(tf.oneHot(y, out.shape[1]), tf.logSoftmax(out)), 1)) as tf.Tensor1D; // [B]
    return maskedMean(nll, l.mask);
  },
  'loss/bce': (out, l) => {
    const y = cleanLabels(l.y, l.mask) as tf.Tensor2D; // [B, 1]
    const per = tf.add(tf.sub(tf.relu(out), tf.mul(out, y)), tf.log1p(tf.exp(tf.neg(tf.abs(out))))); // [B, 1]
    return maskedMean(tf.mean(per, 1) as tf.Tensor1D, l.mask);
  },
  'loss/mse': (out, l) => maskedMean(tf.mean(tf.square(tf.sub(out, cleanLabels(l.y, l.mask))), 1) as tf.Tensor1D, l.mask),
};

/** A registry with the fusions and heads, test encoders (`test/tabular`, `test/series`) and masked test losses. */
export function testRegistry(): Registry {
  const reg = new Registry();
  registerFusionComponents(reg);
  const encoderFields = { features: z.number().int().positive(), outDim: z.number().int().positive().default(8), seed: z.number().int().default(0) };
  reg.register({
    kind: 'encoder',
    type: 'test/tabular',
    description: 'test tabular encoder',
    schema: z.object({ type: z.literal('test/tabular'), ...encoderFields }),
    build: (c) => new TestTabularEncoder(c.features, c.outDim, c.seed),
    examples: [],
  });
  reg.register({
    kind: 'encoder',
    type: 'test/series',
    description: 'test time-series encoder',
    schema: z.object({ type: z.literal('test/series'), ...encoderFields }),
    build: (c) => new TestSeriesEncoder(c.features, c.outDim, c.seed),
    examples: [],
  });
  for (const [type, impl] of Object.entries(lossImpls)) {
    reg.register({
      kind: 'loss',
      type,
      description: `test ${type}`,
      schema: z.object({ type: z.literal(type) }),
      build: (): Loss => ({ name: type, compute: (out, labels) => tf.tidy(() => impl(out, labels)) }),
      examples: [],
    });
  }
  return reg;
}

/** Synthetic two-modality samples: modality A (tabular, 3 features, the first is `a`) and B (a 4-step series around `b`). */
export interface TwoViewData {
  a: number[];
  b: number[];
  /** Noise features of A `[n, 2]` and per-step noise of B `[n, 4]`. */
  noiseA: number[][];
  noiseB: number[][];
}

/** Draws n samples with |a|, |b| in [0.25, 1.5] and random signs (a margin around 0), from a seeded generator. */
export function drawTwoViews(n: number, seed: number): TwoViewData {
  let s = seed >>> 0 || 1;
  const rand = (): number => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const signed = (): number => (rand() < 0.5 ? -1 : 1) * (0.25 + 1.25 * rand());
  const a = Array.from({ length: n }, signed);
  const b = Array.from({ length: n }, signed);
  const noiseA = Array.from({ length: n }, () => [rand() * 2 - 1, rand() * 2 - 1]);
  const noiseB = Array.from({ length: n }, () => Array.from({ length: 4 }, () => (rand() * 2 - 1) * 0.2));
  return { a, b, noiseA, noiseB };
}

/** Options of a synthetic batch. */
export interface BatchOptions {
  /** Offset added to every B value (an encoder input far from 0). */
  offsetB?: number;
  /** Per-sample presence of A and B (default all 1); `null` leaves the modality's inputs out. */
  presentA?: number[] | null;
  presentB?: number[] | null;
  /** Per task, labels and an optional mask (default all 1). */
  labels?: Record<string, { y: number[] | number[][]; mask?: number[]; dtype?: 'int32' | 'float32' }>;
}

/** A core Batch over samples `[from, to)` of the data. */
export function makeBatch(data: TwoViewData, from: number, to: number, options: BatchOptions = {}): Batch {
  const idx = Array.from({ length: to - from }, (_, i) => from + i);
  const n = idx.length;
  const inputs: Batch['inputs'] = {};
  const present: Batch['present'] = {};
  if (options.presentA !== null) {
    inputs.tabular = { numeric: tf.tensor2d(idx.map((i) => [data.a[i] as number, ...(data.noiseA[i] as number[])]), [n, 3]) };
    present.tabular = tf.tensor1d(options.presentA ?? idx.map(() => 1), 'float32');
  }
  if (options.presentB !== null) {
    const offset = options.offsetB ?? 0;
    const values = idx.map((i) => (data.noiseB[i] as number[]).map((e) => [(data.b[i] as number) + offset + e]));
    inputs.timeseries = { values: tf.tensor3d(values, [n, 4, 1]) };
    present.timeseries = tf.tensor1d(options.presentB ?? idx.map(() => 1), 'float32');
  }
  const labels: Batch['labels'] = {};
  for (const [task, l] of Object.entries(options.labels ?? {})) {
    const y = l.y.slice(from, to);
    labels[task] = {
      y: Array.isArray(y[0]) ? tf.tensor2d(y as number[][], undefined, l.dtype ?? 'float32') : tf.tensor1d(y as number[], l.dtype ?? 'int32'),
      mask: tf.tensor1d(l.mask?.slice(from, to) ?? idx.map(() => 1), 'float32'),
    };
  }
  return { size: n, inputs, present, labels };
}

/** Frees a batch's tensors. */
export function freeBatch(batch: Batch): void {
  const inputs = Object.values(batch.inputs).flatMap((input) => Object.values(input as object) as tf.Tensor[]);
  tf.dispose([...inputs, ...Object.values(batch.present), ...Object.values(batch.labels).flatMap((l) => [l.y, l.mask])]);
}

/** Options of the test training loop. */
export interface TrainOptions {
  steps: number;
  learningRate?: number;
  /** Extra loss on top of the weighted task loss (e.g. an adversarial term), computed inside the gradient tape. */
  extraLoss?: (model: Model, batch: Batch) => tf.Scalar;
}

/** A small Adam loop over the batches in turn (the trainer package owns the production loop). */
export function train(model: Model, batches: Batch[], options: TrainOptions): number[] {
  const optimizer = tf.train.adam(options.learningRate ?? 0.01);
  const losses: number[] = [];
  const vars = model.variables().filter((v) => v.trainable);
  for (let step = 0; step < options.steps; step++) {
    const batch = batches[step % batches.length] as Batch;
    const loss = optimizer.minimize(
      () =>
        tf.tidy(() => {
          const outputs = model.forward(batch, { training: true });
          const base = weightedTaskLoss(model, batch, outputs);
          return options.extraLoss === undefined ? base : tf.add(base, options.extraLoss(model, batch));
        }),
      true,
      vars,
    ) as tf.Scalar;
    losses.push(loss.dataSync()[0] as number);
    loss.dispose();
  }
  optimizer.dispose();
  return losses;
}

/** Accuracy of a binary (one logit) or multiclass task's outputs against its labels on a batch. */
export function accuracy(model: Model, batch: Batch, task: string, latentDelta?: tf.Tensor2D): number {
  return tf.tidy(() => {
    const out = model.forward(batch, latentDelta === undefined ? { training: false } : { training: false, latentDelta });
    const logits = out.outputs[task] as tf.Tensor2D;
    const labels = batch.labels[task] as TaskLabels;
    const predicted = logits.shape[1] === 1 ? tf.cast(tf.greater(tf.reshape(logits, [-1]), 0), 'int32') : tf.argMax(logits, 1);
    return tf.mean(tf.cast(tf.equal(predicted, tf.cast(tf.reshape(labels.y, [-1]), 'int32')), 'float32')).dataSync()[0] as number;
  });
}

/** A model config over A (tabular) and B (timeseries) with one binary task `y`. */
export function twoViewConfig(fusion: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    encoders: { tabular: { type: 'test/tabular', features: 3, outDim: 8, seed: 1 }, timeseries: { type: 'test/series', features: 1, outDim: 8, seed: 2 } },
    fusion,
    tasks: [{ name: 'y', kind: 'binary', loss: { type: 'loss/bce' }, head: { type: 'head/linear' } }],
    seed: 7,
    ...extra,
  };
}
