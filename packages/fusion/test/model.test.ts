// The built model: forward outputs, parameter groups, adversarial perturbation points, presence handling, modality
// dropout, and save/load as one model directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@finmm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel, dropModalities, loadModel, saveModel, weightedTaskLoss, type FusedModel } from '../src/index.js';
import { drawTwoViews, freeBatch, makeBatch, testRegistry, twoViewConfig } from './helpers.js';

const registry = testRegistry();
const data = drawTwoViews(16, 5);
const labels = { y: { y: data.a.map((a) => (a > 0 ? 1 : 0)) } };
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const fusions = [
  { type: 'fusion/concat', hidden: [8], outDim: 8 },
  { type: 'fusion/gated', dim: 8, hidden: [8] },
  { type: 'fusion/attention', dim: 8, heads: 2 },
  { type: 'fusion/late', dim: 4 },
];

function build(fusion: Record<string, unknown>, extra: Record<string, unknown> = {}): FusedModel {
  return buildModel(twoViewConfig(fusion, extra), { registry });
}

describe.each(fusions)('model with $type', (fusion) => {
  it('returns outputs per task, the latent and the embeddings, and leaks nothing', () => {
    const model = build(fusion);
    const batch = makeBatch(data, 0, 16, { labels, presentB: data.a.map((_, i) => (i % 3 === 0 ? 0 : 1)) });
    const before = tf.memory().numTensors;
    const out = model.forward(batch, { training: true });
    expect(out.outputs['y']?.shape).toEqual([16, 1]);
    expect(out.latent.shape).toEqual([16, model.fusion.outDim]);
    expect(out.embeddings.tabular?.shape).toEqual([16, 8]); // the test tabular encoder exposes embed()
    expect(out.embeddings.timeseries).toBeUndefined(); // the test series encoder does not
    expect(out.auxiliaryLoss !== undefined).toBe(fusion.type === 'fusion/late');
    tf.dispose(out as unknown as tf.TensorContainerObject);
    expect(tf.memory().numTensors).toBe(before);
    freeBatch(batch);
    model.dispose();
  });

  it('adds latentDelta before the heads and embeddingDeltas to the encoder embeddings', () => {
    const model = build(fusion);
    const batch = makeBatch(data, 0, 16, { labels });
    tf.tidy(() => {
      const clean = model.forward(batch, { training: false });
      const delta = tf.randomNormal(clean.latent.shape, 0, 0.5, 'float32', 3) as tf.Tensor2D;
      const moved = model.forward(batch, { training: false, latentDelta: delta });
      expect(tf.max(tf.abs(tf.sub(moved.latent, tf.add(clean.latent, delta)))).dataSync()[0]).toBeLessThan(1e-6);
      if (fusion.type !== 'fusion/late') {
        const head = model.heads('y')[0];
        const expected = head?.forward(tf.add(clean.latent, delta) as tf.Tensor2D, false) as tf.Tensor2D;
        expect(tf.max(tf.abs(tf.sub(expected, moved.outputs['y'] as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-6);
      }
      const e = clean.embeddings.tabular as tf.Tensor;
      const perturbed = model.forward(batch, { training: false, embeddingDeltas: { tabular: tf.onesLike(e) } });
      expect(tf.max(tf.abs(tf.sub(perturbed.outputs['y'] as tf.Tensor, clean.outputs['y'] as tf.Tensor))).dataSync()[0]).toBeGreaterThan(1e-4);
      expect(() => model.forward(batch, { training: false, embeddingDeltas: { timeseries: tf.zeros([16, 4, 1]) } })).toThrow(
        /embeddingDeltas.timeseries given, but the timeseries encoder does not expose embed/,
      );
      expect(() => model.forward(batch, { training: false, latentDelta: tf.zeros([16, 3]) as tf.Tensor2D })).toThrow(/latentDelta has shape \[16, 3\]/);
    });
    freeBatch(batch);
    model.dispose();
  });

  it('saves and loads one model directory that gives identical outputs', async () => {
    const model = build(fusion, { modalityDropout: 0.3 });
    const batch = makeBatch(data, 0, 16, { labels, presentA: data.a.map((_, i) => (i % 4 === 0 ? 0 : 1)) });
    // One training step so the weights differ from the seeded initial ones.
    const optimizer = tf.train.adam(0.05);
    optimizer.minimize(() => tf.tidy(() => weightedTaskLoss(model, batch, model.forward(batch, { training: true }))), false, model.variables());
    optimizer.dispose();
    const dir = await mkdtemp(join(tmpdir(), 'finmm-fusion-'));
    dirs.push(dir);
    const preprocessing = { tabular: { kind: 'finmm/tabular-preprocessor', numeric: [{ name: 'a', mean: 0, std: 1 }] } };
    await saveModel(model, join(dir, 'model'), { preprocessing, tokenizer: '{"model":{"type":"WordPiece"}}' });
    const loaded = await loadModel(join(dir, 'model'), { registry });
    expect(loaded.preprocessing).toEqual(preprocessing);
    expect(loaded.tokenizer).toBe('{"model":{"type":"WordPiece"}}');
    expect(loaded.model.config()).toEqual(model.config());
    // Bit-identical weights, so identical outputs (up to the float round-off oneDNN may add between calls).
    const original = model.variables();
    loaded.model.variables().forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from((original[i] as tf.Variable).dataSync())));
    tf.tidy(() => {
      const a = Array.from((model.forward(batch, { training: false }).outputs['y'] as tf.Tensor).dataSync());
      const b = Array.from((loaded.model.forward(batch, { training: false }).outputs['y'] as tf.Tensor).dataSync());
      b.forEach((x, i) => expect(x).toBeCloseTo(a[i] as number, 6));
    });
    loaded.model.dispose();
    freeBatch(batch);
    model.dispose();
  });
});

describe('model', () => {
  it('puts every trainable variable in exactly one parameter group, with encoder depths and the pretrained flag', () => {
    const model = build({ type: 'fusion/late', dim: 4 }, { pretrained: ['tabular'] });
    const groups = model.parameterGroups();
    expect(groups.map((g) => [g.name, g.depth, g.maxDepth, g.pretrained])).toEqual([
      ['timeseries.embeddings', 0, 1, false],
      ['timeseries.layer.0', 1, 1, false],
      ['tabular.embeddings', 0, 1, true],
      ['tabular.layer.0', 1, 1, true],
      ['fusion', 0, 0, false],
      ['head.y', 0, 0, false],
    ]);
    const grouped = groups.flatMap((g) => g.variables);
    expect(new Set(grouped).size).toBe(grouped.length);
    expect(new Set(grouped)).toEqual(new Set(model.variables().filter((v) => v.trainable)));
    expect(model.heads('y')).toHaveLength(2); // late fusion: one head per modality
    model.markPretrained('timeseries');
    expect((model.config() as { pretrained: string[] }).pretrained).toEqual(['timeseries', 'tabular']);
    model.dispose();
  });

  it('treats a modality without inputs as absent, and rejects presence without inputs', () => {
    const model = build({ type: 'fusion/concat', outDim: 4 });
    const batch = makeBatch(data, 0, 8, { labels, presentB: null });
    tf.dispose(model.forward(batch, { training: false }) as unknown as tf.TensorContainerObject);
    const wrong = { ...batch, present: { ...batch.present, timeseries: tf.ones([8]) as tf.Tensor1D } };
    expect(() => model.forward(wrong, { training: false })).toThrow(/batch.present.timeseries marks samples as present but batch.inputs.timeseries is missing/);
    tf.dispose(wrong.present.timeseries);
    freeBatch(batch);
    model.dispose();
  });
});

describe('modality dropout', () => {
  const rows = Array.from({ length: 2000 }, (_, i) => [1, 1, i % 2]);

  it('never drops every present modality of a sample and keeps absent ones absent', () => {
    const dropped = dropModalities(rows, 0.9, Rng.fromSeed(1));
    dropped.forEach((row, i) => {
      expect(row.some((v) => v === 1)).toBe(true);
      if (rows[i]?.[2] === 0) expect(row[2]).toBe(0);
    });
    expect(dropModalities([[0, 0]], 0.5, Rng.fromSeed(1))).toEqual([[0, 0]]);
  });

  it('drops at about the configured rate, reproducibly from the seed', () => {
    const dropped = dropModalities(rows, 0.3, Rng.fromSeed(2));
    const present = rows.flat().filter((v) => v === 1).length;
    const kept = dropped.flat().filter((v) => v === 1).length;
    expect(1 - kept / present).toBeGreaterThan(0.25);
    expect(1 - kept / present).toBeLessThan(0.32);
    expect(dropModalities(rows, 0.3, Rng.fromSeed(2))).toEqual(dropped);
    expect(dropModalities(rows, 0, Rng.fromSeed(2))).toEqual(rows);
    expect(() => dropModalities(rows, 1, Rng.fromSeed(2))).toThrow(/\[0, 1\)/);
  });
});
