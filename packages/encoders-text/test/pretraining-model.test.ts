// The MLM model: loss and gradient, forward at masked positions, training, BertForMaskedLM save/load, and parity
// with Hugging Face transformers' BertForMaskedLM loading what finmm saves.
import * as tf from '@tensorflow/tfjs';
import { Rng, loadModelDir } from '@finmm/core';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ensurePythonVenv } from '../../../tools/python/python-env.js';
import {
  disposeMlmBatch,
  loadMlmModel,
  MLM_TASK,
  MlmCollator,
  MlmLoss,
  MlmModel,
  mlmStateDict,
  parseHfConfig,
  saveHfModel,
  saveMlmModel,
  TransformerEncoder,
  type MlmVocab,
  type TransformerConfig,
} from '../src/index.js';

const SCRIPT = fileURLToPath(new URL('../../../tools/python/bench_text.py', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'finmm-mlm-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ARCH: TransformerConfig = parseHfConfig({
  model_type: 'bert', vocab_size: 50, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 24, max_position_embeddings: 20,
});
const VOCAB: MlmVocab = {
  vocabSize: 50, padId: 0, clsId: 2, sepId: 3, maskId: 4,
  special: Uint8Array.from({ length: 50 }, (_, i) => (i < 5 ? 1 : 0)),
  continuation: new Uint8Array(50),
  ordinary: Int32Array.from({ length: 45 }, (_, i) => i + 5),
};
const SEQUENCES = [
  [2, 10, 11, 12, 13, 14, 15, 16, 3],
  [2, 20, 21, 22, 3, 23, 24, 3],
  [2, 30, 31, 3],
];

const live: MlmModel[] = [];
function model(seed = 1): MlmModel {
  const m = new MlmModel(ARCH, { seed, scope: `m${live.length}/` });
  live.push(m);
  return m;
}
afterEach(() => {
  for (const m of live.splice(0)) m.dispose();
});

/** Moves every trainable weight by seeded noise, so that zero biases and identity LayerNorms do not hide mistakes. */
function perturb(m: MlmModel, seed: number): void {
  tf.tidy(() => {
    m.variables().forEach((v, i) => {
      if (v.trainable) v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.3, 'float32', seed + i)));
    });
  });
}

function input(): { ids: tf.Tensor2D; attentionMask: tf.Tensor2D } {
  const t = 9;
  return {
    ids: tf.tensor2d(SEQUENCES.map((s) => [...s, ...Array(t - s.length).fill(0)]), undefined, 'int32'),
    attentionMask: tf.tensor2d(SEQUENCES.map((s) => [...s.map(() => 1), ...Array(t - s.length).fill(0)])),
  };
}

describe('MlmLoss', () => {
  it('is the mean cross-entropy over masked-in rows, with the gradient of autodiff', () => {
    const logits = tf.randomNormal([5, 7], 0, 2, 'float32', 3) as tf.Tensor2D;
    const labels = { y: tf.tensor1d([1, 6, 0, 3, 2], 'int32'), mask: tf.tensor1d([1, 1, 0, 1, 1]) };
    const loss = new MlmLoss();
    const reference = (z: tf.Tensor2D): tf.Scalar =>
      tf.tidy(() => {
        const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(z), tf.oneHot(labels.y, 7)), 1)); // [5]
        return tf.div(tf.sum(tf.mul(nll, labels.mask)), tf.sum(labels.mask)) as tf.Scalar;
      });
    const [ours, theirs] = [loss.compute(logits, labels), reference(logits)];
    expect(ours.dataSync()[0]).toBeCloseTo(theirs.dataSync()[0] as number, 5);
    const g1 = tf.grad((z: tf.Tensor) => loss.compute(z as tf.Tensor2D, labels))(logits);
    const g2 = tf.grad((z: tf.Tensor) => reference(z as tf.Tensor2D))(logits);
    expect(tf.max(tf.abs(tf.sub(g1, g2))).dataSync()[0]).toBeLessThan(1e-6);
    expect(tf.sum(tf.abs(tf.slice(g1, [2, 0], [1, 7]))).dataSync()[0]).toBe(0); // the masked-out row gets no gradient
    const none = loss.compute(logits, { y: labels.y, mask: tf.zeros([5]) as tf.Tensor1D });
    expect(none.dataSync()[0]).toBe(0);
    tf.dispose([logits, labels.y, labels.mask, ours, theirs, g1, g2, none]);
  });
});

describe('MlmModel', () => {
  it('scores the vocabulary at the masked positions: the rows of the full logits at those positions', () => {
    const m = model();
    perturb(m, 10);
    const batch = new MlmCollator(VOCAB, { maskProb: 0.4 }).collate(SEQUENCES, Rng.fromSeed(2));
    const gathered = m.forward(batch, { training: false }).outputs[MLM_TASK] as tf.Tensor2D;
    const text = batch.inputs.text!;
    const full = m.logits({ ids: text.ids, attentionMask: text.attentionMask }); // [B, T, V]
    const positions = (text as unknown as { maskedPositions: tf.Tensor1D }).maskedPositions;
    expect(gathered.shape).toEqual([positions.size, 50]);
    expect(full.shape).toEqual([3, 9, 50]);
    const rows = tf.gather(tf.reshape(full, [27, 50]), positions);
    expect(tf.max(tf.abs(tf.sub(rows, gathered))).dataSync()[0]).toBeLessThan(1e-5);
    expect(m.tasks()).toMatchObject([{ name: 'mlm', kind: 'multiclass', outDim: 50 }]);
    tf.dispose([gathered, full, rows]);
    disposeMlmBatch(batch);
  });

  it('sends gradients to every trainable weight but the unused pooler, and learns a fixed batch', async () => {
    const m = model(3);
    const batch = new MlmCollator(VOCAB, { maskProb: 0.4 }).collate(SEQUENCES, Rng.fromSeed(4));
    const lossOf = (): tf.Scalar => {
      const out = m.forward(batch, { training: false });
      return m.tasks()[0]!.loss.compute(out.outputs[MLM_TASK]!, batch.labels[MLM_TASK]!);
    };
    const trainable = m.variables().filter((v) => v.trainable);
    const { value, grads } = tf.variableGrads(lossOf, trainable);
    for (const v of trainable) {
      const g = grads[v.name];
      if (v.name.includes('pooler')) expect(g === undefined || tf.sum(tf.abs(g)).dataSync()[0] === 0, v.name).toBe(true);
      else expect(tf.sum(tf.abs(g as tf.Tensor)).dataSync()[0], v.name).toBeGreaterThan(0);
    }
    const groups = m.parameterGroups();
    expect(groups.map((g) => g.name)).toEqual(['text.embeddings', 'text.layer.0', 'text.layer.1', 'head.mlm']);
    expect(new Set(groups.flatMap((g) => g.variables)).size).toBe(m.variables().length);
    const first = value.dataSync()[0] as number;
    tf.dispose([value, ...Object.values(grads)]);
    const optimizer = tf.train.adam(1e-2);
    optimizer.minimize(lossOf, false, trainable); // creates Adam's slots
    const before = tf.memory().numTensors;
    for (let i = 0; i < 29; i++) optimizer.minimize(lossOf, false, trainable);
    expect(tf.memory().numTensors).toBe(before); // no tensor leaks per training step
    const last = lossOf();
    expect(last.dataSync()[0]).toBeLessThan(first * 0.5);
    last.dispose();
    optimizer.dispose();
    disposeMlmBatch(batch);
  });

  it('saves a BertForMaskedLM directory and loads it back with identical logits', async () => {
    const m = model(5);
    perturb(m, 20);
    const dir = join(work, 'roundtrip');
    await saveMlmModel(m, dir, { 'tokenizer.json': '{}' });
    const saved = await loadModelDir(dir);
    const names = [...saved.tensors.keys()];
    expect(names.filter((n) => !n.startsWith('bert.')).sort()).toEqual([
      'cls.predictions.bias', 'cls.predictions.transform.LayerNorm.bias', 'cls.predictions.transform.LayerNorm.weight',
      'cls.predictions.transform.dense.bias', 'cls.predictions.transform.dense.weight',
    ]);
    expect(names.some((n) => n.includes('pooler') || n.includes('decoder'))).toBe(false);
    expect(saved.config).toMatchObject({ model_type: 'bert', architectures: ['BertForMaskedLM'], tie_word_embeddings: true, vocab_size: 50 });
    expect(Object.keys(saved.extraFiles)).toEqual(['tokenizer.json']);
    const { model: again, initialisedHead } = await loadMlmModel(dir, { scope: 'again/' });
    live.push(again);
    expect(initialisedHead).toEqual([]);
    const x = input();
    const [a, b] = [m.logits(x), again.logits(x)];
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
    tf.dispose([a, b, x.ids, x.attentionMask]);
    expect(mlmStateDict(again).size).toBe(names.length);
  });

  it('loads a plain BertModel directory with a fresh head, and names a misshapen head weight', async () => {
    const encoder = new TransformerEncoder(ARCH, { seed: 1, scope: 'plain/' });
    const plain = join(work, 'plain');
    await saveHfModel(encoder, plain);
    encoder.dispose();
    const { model: m, initialisedHead } = await loadMlmModel(plain, { scope: 'fromplain/' });
    live.push(m);
    expect(initialisedHead.sort()).toEqual([
      'cls.predictions.bias', 'cls.predictions.transform.LayerNorm.bias', 'cls.predictions.transform.LayerNorm.weight',
      'cls.predictions.transform.dense.bias', 'cls.predictions.transform.dense.weight',
    ]);
    const wrong = new MlmModel({ ...ARCH, vocabSize: 51 }, { seed: 1, scope: 'wrong/' });
    const dir = join(work, 'wrong-head');
    await saveMlmModel(wrong, dir);
    wrong.dispose();
    const before = tf.memory().numTensors;
    await expect(loadMlmModel(dir, { scope: 'w2/' }).then((l) => l.model.dispose())).resolves.toBeUndefined();
    const tensors = (await loadModelDir(dir)).tensors;
    tensors.set('cls.predictions.bias', { dtype: 'F32', shape: [7], data: new Float32Array(7) });
    const { saveModelDir } = await import('@finmm/core');
    await saveModelDir(join(work, 'bad-head'), { config: (await loadModelDir(dir)).config, tensors, metadata: { format: 'pt' } });
    await expect(loadMlmModel(join(work, 'bad-head'), { scope: 'w3/' })).rejects.toThrow(/bad-head\/model\.safetensors: weight cls\.predictions\.bias has shape \[7\], the MLM head needs \[51\]/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses architectures whose MLM head is not implemented', () => {
    const roberta = parseHfConfig({ model_type: 'roberta', vocab_size: 50, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 4, intermediate_size: 24 });
    expect(() => new MlmModel(roberta)).toThrow(/only BERT's MLM head is implemented; this architecture is roberta/);
  });
});

describe('transformers loads what finmm saves', () => {
  it('BertForMaskedLM.from_pretrained gives finmm MLM logits within 1e-4, with no missing or unexpected weight', async () => {
    const python = ensurePythonVenv();
    const m = model(7);
    perturb(m, 30);
    const dir = join(work, 'for-python');
    await saveMlmModel(m, dir);
    const x = input();
    const logits = m.logits(x);
    const casePath = join(work, 'mlm-case.json');
    writeFileSync(casePath, JSON.stringify({ input_ids: x.ids.arraySync(), attention_mask: x.attentionMask.arraySync(), logits: logits.arraySync() }));
    tf.dispose([logits, x.ids, x.attentionMask]);
    const result = spawnSync(python, [SCRIPT, 'check-mlm', dir, casePath], { encoding: 'utf8', timeout: 300_000 });
    if (result.status !== 0) throw new Error(`bench_text.py check-mlm failed: ${result.error?.message ?? result.stderr}`);
    const line = result.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1) ?? '{}';
    const report = JSON.parse(line) as { model: string; missing: string[]; unexpected: string[]; max_abs_error: number };
    console.info(`BertForMaskedLM parity: max |logit error| ${report.max_abs_error.toExponential(2)}`);
    expect(report.model).toBe('BertForMaskedLM');
    expect(report.missing).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.max_abs_error).toBeLessThan(1e-4);
  }, 300_000);
});
