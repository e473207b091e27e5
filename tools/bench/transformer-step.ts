// The workloads of `npm run bench:backend`, timed on the active TensorFlow.js backend: a 1024x1024 matMul and one
// Adam training step (finmm's AdamW, weight decay 0) of a BERT-style encoder with a masked-mean-pooled classifier.
import * as tf from '@tensorflow/tfjs';
import { assertCanTrainEmbeddings } from '@finmm/core';
import { TransformerEncoder, type TransformerConfig } from '@finmm/encoders-text';
import { AdamW, type GradientUpdate, type TrainableParam } from '@finmm/trainer';

/** Shapes of the transformer step; tools/python/bench_transformer.py takes the same numbers. */
export interface StepShape {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  seqLen: number;
  batch: number;
  classes: number;
  dropout: number;
  learningRate: number;
}

/** The shape the bench measures: 4 layers x 256, 4 heads, FFN 1024, BERT's vocabulary, seq 64, batch 32. */
export const DEFAULT_STEP: StepShape = {
  vocabSize: 30522,
  hiddenSize: 256,
  numLayers: 4,
  numHeads: 4,
  intermediateSize: 1024,
  seqLen: 64,
  batch: 32,
  classes: 3,
  dropout: 0.1,
  learningRate: 1e-4,
};

/** Timings in milliseconds: the median and every sample. */
export interface Timing {
  medianMs: number;
  samplesMs: number[];
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Times `run` (which awaits its result) after `warmup` untimed calls, `repeats` times or until `budgetMs` is spent. */
export async function timeRepeats(run: () => Promise<void>, warmup: number, repeats: number, budgetMs = Infinity): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await run();
  const samplesMs: number[] = [];
  const start = performance.now();
  while (samplesMs.length < repeats && (samplesMs.length === 0 || performance.now() - start < budgetMs)) {
    const t0 = performance.now();
    await run();
    samplesMs.push(performance.now() - t0);
  }
  return { medianMs: median(samplesMs), samplesMs };
}

/** A 1024x1024 float32 matMul, reading the result back each time. */
export async function benchMatMul(repeats: number): Promise<Timing> {
  const a = tf.randomUniform([1024, 1024]);
  const b = tf.randomUniform([1024, 1024]);
  const timing = await timeRepeats(async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  }, 2, repeats);
  tf.dispose([a, b]);
  return timing;
}

/** Deterministic fake batch: ids in [1, vocab), lengths between seqLen/2 and seqLen, padding after them. */
export function fakeBatch(shape: StepShape): { ids: number[][]; mask: number[][]; labels: number[] } {
  let state = 12345;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const ids: number[][] = [];
  const mask: number[][] = [];
  const labels: number[] = [];
  for (let b = 0; b < shape.batch; b++) {
    const length = Math.floor(shape.seqLen / 2 + next() * (shape.seqLen / 2 + 1));
    ids.push(Array.from({ length: shape.seqLen }, (_, t) => (t < length ? 1 + Math.floor(next() * (shape.vocabSize - 1)) : 0)));
    mask.push(Array.from({ length: shape.seqLen }, (_, t) => (t < length ? 1 : 0)));
    labels.push(Math.floor(next() * shape.classes));
  }
  return { ids, mask, labels };
}

/** Options of the transformer step bench. */
export interface StepOptions {
  shape: StepShape;
  warmup: number;
  repeats: number;
  /** Stop repeating after this many milliseconds (at least one timed step runs). */
  budgetMs: number;
  /** Passed to the encoder: one fused QKV projection or three. */
  fuseQkv?: boolean;
}

/** A ready-to-run training step and what it holds. */
export interface TransformerStep {
  /** Runs one Adam step and waits for the loss. */
  run(): Promise<void>;
  /** Trainable parameters. */
  parameters: number;
  dispose(): void;
}

/** Builds the encoder, classifier, fake batch and Adam optimizer of the bench step. */
export function createTransformerStep(shape: StepShape, fuseQkv = true): TransformerStep {
  assertCanTrainEmbeddings('the transformer');
  const architecture: TransformerConfig = {
    modelType: 'bert',
    vocabSize: shape.vocabSize,
    hiddenSize: shape.hiddenSize,
    numLayers: shape.numLayers,
    numHeads: shape.numHeads,
    intermediateSize: shape.intermediateSize,
    activation: 'gelu',
    maxPositions: 512,
    typeVocabSize: 2,
    layerNormEps: 1e-12,
    hiddenDropout: shape.dropout,
    attentionDropout: shape.dropout,
    padTokenId: 0,
    sinusoidalPositions: false,
  };
  const encoder = new TransformerEncoder(architecture, { pooling: 'mean', seed: 1, scope: 'bench/', fuseQkv });
  const classifier = tf.tidy(() => ({
    weight: tf.variable(tf.randomNormal([shape.hiddenSize, shape.classes], 0, 0.02, 'float32', 2), true, 'bench/classifier.weight'),
    bias: tf.variable(tf.zeros([shape.classes]), true, 'bench/classifier.bias'),
  }));
  const data = fakeBatch(shape);
  const ids = tf.tensor2d(data.ids, undefined, 'int32');
  const attentionMask = tf.tensor2d(data.mask, undefined, 'float32');
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(data.labels, 'int32'), shape.classes));
  // finmm's AdamW (the trainer's optimizer) without weight decay is Adam, as torch.optim.Adam in the Python step.
  const optimizer = new AdamW();
  const variables = [...encoder.variables(), classifier.weight, classifier.bias].filter((v) => v.trainable);
  const params: TrainableParam[] = variables.map((variable) => ({
    key: variable.name, variable, group: 'all', depth: 0, maxDepth: 0, pretrained: false, lr: shape.learningRate, weightDecay: 0,
  }));
  return {
    parameters: variables.reduce((n, v) => n + v.size, 0),
    async run() {
      const { value, grads } = tf.variableGrads(() => {
        const { pooled } = encoder.encode({ ids, attentionMask }, true);
        const logits = tf.add(tf.matMul(pooled, classifier.weight), classifier.bias);
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      }, variables);
      // Variables the loss does not reach (the unused pooler) get no gradient, as in tf.train's minimize.
      const updates: GradientUpdate[] = params.flatMap((param) => (grads[param.key] === undefined ? [] : [{ param, grad: grads[param.key] as tf.Tensor }]));
      optimizer.step(updates, 1);
      tf.dispose(Object.values(grads));
      await value.data();
      value.dispose();
    },
    dispose() {
      optimizer.dispose();
      encoder.dispose();
      tf.dispose([classifier.weight, classifier.bias, ids, attentionMask, labels]);
    },
  };
}

/** Times the bench step: median over `repeats` steps (or the time budget) after `warmup` steps. */
export async function benchTransformerStep(options: StepOptions): Promise<Timing & { parameters: number }> {
  const step = createTransformerStep(options.shape, options.fuseQkv ?? true);
  try {
    const timing = await timeRepeats(() => step.run(), options.warmup, options.repeats, options.budgetMs);
    return { ...timing, parameters: step.parameters };
  } finally {
    step.dispose();
  }
}
