// A tiny multilayer perceptron over tabular numeric inputs implementing core's Model contract, for tests and benches.
import * as tf from '@tensorflow/tfjs';
import { dropout, type Batch, type ForwardOptions, type JsonValue, type Loss, type Model, type ModelOutputs, type ParameterGroup, type TaskKind, type TaskSpec } from '@finmm/core';

/** A task of the test model. */
export interface MlpTask {
  name: string;
  kind: TaskKind;
  outDim: number;
  loss: Loss;
  weight?: number;
}

/** Options of TinyMlp. */
export interface MlpOptions {
  inputs: number;
  /** Widths of the hidden layers; the last one is the latent the heads read. */
  hidden: number[];
  tasks: MlpTask[];
  seed: number;
  /** Prefix of variable names (tf.js needs unique names among live variables). */
  prefix?: string;
  /** Marks the hidden layers as pretrained. */
  pretrained?: boolean;
  /** Dropout rate after each hidden layer in training (core's seeded `dropout`); default 0. */
  dropout?: number;
}

interface Dense {
  kernel: tf.Variable;
  bias: tf.Variable;
}

function dense(name: string, inDim: number, outDim: number, seed: number): Dense {
  const std = Math.sqrt(2 / (inDim + outDim));
  return {
    kernel: tf.variable(tf.randomNormal([inDim, outDim], 0, std, 'float32', seed), true, `${name}/kernel`),
    bias: tf.variable(tf.zeros([outDim]), true, `${name}/bias`),
  };
}

function apply(layer: Dense, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(x, layer.kernel), layer.bias) as tf.Tensor2D;
}

/**
 * x `[B, F]` -> e = x W0 + b0 (the `tabular` embedding, where `embeddingDeltas.tabular` is added) -> relu -> further
 * relu layers -> latent h `[B, H]` (+ `latentDelta`) -> one linear head per task. Groups: `tabular.layer.<i>` at depth
 * i (maxDepth = layers - 1) and `head.<task>` at depth 0 / maxDepth 0.
 */
export class TinyMlp implements Model {
  private readonly layers: Dense[];
  private readonly heads: Map<string, Dense>;
  private readonly specs: TaskSpec[];

  constructor(private readonly options: MlpOptions) {
    const prefix = options.prefix ?? 'mlp';
    let width = options.inputs;
    this.layers = options.hidden.map((h, i) => {
      const layer = dense(`${prefix}/layer${i}`, width, h, options.seed * 100 + i);
      width = h;
      return layer;
    });
    this.heads = new Map(options.tasks.map((t, i) => [t.name, dense(`${prefix}/head.${t.name}`, width, t.outDim, options.seed * 100 + 50 + i)]));
    this.specs = options.tasks.map((t) => ({ name: t.name, kind: t.kind, outDim: t.outDim, loss: t.loss, weight: t.weight ?? 1 }));
  }

  /** The task specs. */
  tasks(): TaskSpec[] {
    return this.specs;
  }

  /** Runs the MLP on `batch.inputs.tabular.numeric`. */
  forward(batch: Batch, options: ForwardOptions): ModelOutputs {
    const x = batch.inputs.tabular?.numeric;
    if (x === undefined) throw new Error('TinyMlp needs tabular numeric inputs');
    return tf.tidy(() => {
      const first = this.layers[0] as Dense;
      const e = apply(first, x);
      const delta = options.embeddingDeltas?.tabular;
      let h = tf.relu(delta === undefined ? e : tf.add(e, delta)) as tf.Tensor2D;
      const rate = this.options.dropout ?? 0;
      h = dropout(h, rate, options.training);
      for (const layer of this.layers.slice(1)) h = dropout(tf.relu(apply(layer, h)) as tf.Tensor2D, rate, options.training);
      const z = options.latentDelta === undefined ? h : (tf.add(h, options.latentDelta) as tf.Tensor2D);
      const outputs: Record<string, tf.Tensor2D> = {};
      for (const [task, head] of this.heads) outputs[task] = apply(head, z);
      return { outputs, latent: h, embeddings: { tabular: e } };
    });
  }

  /** Every variable. */
  variables(): tf.Variable[] {
    return [...this.layers.flatMap((l) => [l.kernel, l.bias]), ...[...this.heads.values()].flatMap((l) => [l.kernel, l.bias])];
  }

  /** Hidden layers by depth, then one group per head. */
  parameterGroups(): ParameterGroup[] {
    const maxDepth = this.layers.length - 1;
    return [
      ...this.layers.map((l, i) => ({ name: `tabular.layer.${i}`, variables: [l.kernel, l.bias], depth: i, maxDepth, pretrained: this.options.pretrained ?? false })),
      ...[...this.heads].map(([task, l]) => ({ name: `head.${task}`, variables: [l.kernel, l.bias], depth: 0, maxDepth: 0, pretrained: false })),
    ];
  }

  /** The constructor's sizes. */
  config(): JsonValue {
    return { type: 'test/tiny-mlp', inputs: this.options.inputs, hidden: this.options.hidden, tasks: this.options.tasks.map((t) => t.name) };
  }

  /** Frees the variables. */
  dispose(): void {
    tf.dispose(this.variables());
  }
}

/** Copies of every variable's values by name. */
export function weightsOf(model: Model): Map<string, Float32Array> {
  return new Map(model.variables().map((v) => [v.name, Float32Array.from(v.dataSync() as Float32Array)]));
}

/** Largest absolute difference between two weight snapshots. */
export function maxWeightDiff(a: ReadonlyMap<string, Float32Array>, b: ReadonlyMap<string, Float32Array>): number {
  let max = 0;
  for (const [name, va] of a) {
    const vb = b.get(name);
    if (vb === undefined || vb.length !== va.length) return Infinity;
    for (let i = 0; i < va.length; i++) max = Math.max(max, Math.abs((va[i] as number) - (vb[i] as number)));
  }
  return max;
}
