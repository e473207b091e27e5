import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { BceLoss, CrossEntropyLoss, MseLoss } from '@finmm/losses';
import { evaluateModel, Trainer, type StepInfo } from '../src/index.js';
import { batchSource, evalBatches, gaussian, makeDataset } from './helpers/data.js';
import { TinyMlp } from './helpers/mlp.js';

const tmp = mkdtempSync(join(tmpdir(), 'finmm-trainer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const w = [1, -2, 0.5, 1.5, 0, -1, 2, 0.3];
const dot = (row: number[]): number => row.reduce((a, v, i) => a + v * (w[i] as number), 0);
const binary = makeDataset(512, 8, 1, (row) => ({ up: dot(row) > 0 ? 1 : 0 }), { up: 'int32' });

describe('Trainer', () => {
  it('fits a small model to a known low loss on a synthetic task', async () => {
    const model = new TinyMlp({ inputs: 8, hidden: [16], tasks: [{ name: 'up', kind: 'binary', outDim: 1, loss: new BceLoss() }], seed: 1, prefix: 'fit' });
    const before = (await evaluateModel(model, evalBatches(binary)())).metrics;
    const trainer = new Trainer(model, { epochs: 25, optimizer: { type: 'adamw', lr: 2e-2, weightDecay: 0 }, progress: 'none', seed: 3 });
    const result = await trainer.fit({ train: batchSource(binary, 64), batchesPerEpoch: 8 });
    const after = (await evaluateModel(model, evalBatches(binary)())).metrics;
    expect(result.steps).toBe(25 * 8);
    expect(result.stopReason).toBe('completed');
    expect(before['loss']!).toBeGreaterThan(0.4);
    expect(after['loss']!).toBeLessThan(0.08);
    expect(after['up.accuracy']!).toBeGreaterThan(0.97);
    trainer.dispose();
    model.dispose();
  });

  it('keeps the number of live tensors constant from step 10 to step 200', async () => {
    const model = new TinyMlp({ inputs: 8, hidden: [16, 8], tasks: [{ name: 'up', kind: 'binary', outDim: 1, loss: new BceLoss() }], seed: 2, prefix: 'mem' });
    const counts = new Map<number, number>();
    const trainer = new Trainer(
      model,
      { epochs: 7, optimizer: { type: 'adamw', lr: 1e-3 }, clipNorm: 1, schedule: { type: 'linear', warmupSteps: 5 }, combiner: { type: 'uncertainty' }, progress: 'none' },
      {
        onStep: (info: StepInfo) => {
          info.loss();
          info.gradNorm();
          if (info.step === 10 || info.step === 200) counts.set(info.step, tf.memory().numTensors);
        },
      },
    );
    await trainer.fit({ train: batchSource(binary, 16), batchesPerEpoch: 32 });
    expect(counts.get(10)).toBeGreaterThan(0);
    expect(counts.get(200)).toBe(counts.get(10));
    trainer.dispose();
    model.dispose();
  });

  it('leaks no tensors with PGD, accumulation and evaluation either', async () => {
    const model = new TinyMlp({ inputs: 8, hidden: [8], tasks: [{ name: 'up', kind: 'binary', outDim: 1, loss: new BceLoss() }], seed: 2, prefix: 'mem-pgd' });
    const counts = new Map<number, number>();
    const trainer = new Trainer(
      model,
      { epochs: 4, accumulate: 2, evalEvery: 4, adversarial: { method: 'pgd', target: 'embeddings', eps: 0.1, steps: 2 }, progress: 'none' },
      { onStep: (info) => void (info.step % 5 === 0 && counts.set(info.step, tf.memory().numTensors)) },
    );
    const outside = tf.memory().numTensors;
    await trainer.fit({ train: batchSource(binary, 32), validation: { batches: evalBatches(binary) } });
    expect(counts.get(5)).toBeGreaterThan(0);
    expect(counts.get(25)).toBe(counts.get(5)); // both in the middle of a 10-step loss-logging window
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(outside);
    model.dispose();
  });

  it('gradient accumulation of two half batches equals one full batch (SGD)', async () => {
    const run = async (batchSize: number, accumulate: number): Promise<Float32Array[]> => {
      const model = new TinyMlp({ inputs: 8, hidden: [8], tasks: [{ name: 'up', kind: 'binary', outDim: 1, loss: new BceLoss() }], seed: 4, prefix: `acc${accumulate}` });
      const trainer = new Trainer(model, { epochs: 2, optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9 }, accumulate, progress: 'none', seed: 5 });
      await trainer.fit({ train: batchSource(binary, batchSize, false) });
      const out = model.variables().map((v) => Float32Array.from(v.dataSync() as Float32Array));
      trainer.dispose();
      model.dispose();
      return out;
    };
    const full = await run(32, 1);
    const halves = await run(16, 2);
    full.forEach((a, i) => a.forEach((v, j) => expect(Math.abs(v - (halves[i]![j] as number))).toBeLessThan(1e-5)));
  });

  it('writes a run directory: config, JSON-lines metrics, checkpoints, model and report', async () => {
    const runDir = join(tmp, 'run-files');
    const model = new TinyMlp({ inputs: 8, hidden: [8], tasks: [{ name: 'up', kind: 'binary', outDim: 1, loss: new BceLoss() }], seed: 6, prefix: 'files' });
    const saved: string[] = [];
    const lines: string[] = [];
    const trainer = new Trainer(
      model,
      { epochs: 3, runDir, logEvery: 4, checkpointEvery: 8, keepCheckpoints: 2, progress: 'none', evalEvery: 'epoch', earlyStopping: { metric: 'up.roc_auc', patience: 5 } },
      { onSave: (info) => void saved.push(info.kind) },
    );
    const result = await trainer.fit({ train: batchSource(binary, 64), validation: { batches: evalBatches(binary) } });
    expect(existsSync(join(runDir, 'config.json'))).toBe(true);
    const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as { trainer: { epochs: number }; tasks: Array<{ loss: string }> };
    expect(config.trainer.epochs).toBe(3);
    expect(config.tasks[0]!.loss).toBe('bce');
    const records = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step?: number; metrics?: Record<string, number> });
    expect(records.filter((r) => r.type === 'train').map((r) => r.step)).toEqual([4, 8, 12, 16, 20, 24]);
    const evals = records.filter((r) => r.type === 'eval');
    expect(evals).toHaveLength(3);
    expect(evals[0]!.metrics).toHaveProperty('up.accuracy');
    expect(readdirSync(join(runDir, 'checkpoints')).sort()).toEqual(['best', 'step-00000016', 'step-00000024']);
    expect(readdirSync(join(runDir, 'checkpoints', 'step-00000024')).sort()).toEqual(['config.json', 'model.safetensors', 'trainer-state.json', 'trainer.safetensors']);
    expect(existsSync(join(runDir, 'model', 'model.safetensors'))).toBe(true);
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as { steps: number; stopReason: string; best: { metric: string } };
    expect(report).toMatchObject({ steps: 24, stopReason: 'completed', best: { metric: 'up.roc_auc' } });
    expect(result.evaluations).toHaveLength(3);
    expect(saved).toContain('best');
    expect(saved).toContain('step');
    expect(saved[saved.length - 1]).toBe('model');
    void lines;
    trainer.dispose();
    model.dispose();
  });

  it('trains a masked multi-task model and learns uncertainty weights (less noise, more weight)', async () => {
    const data = makeDataset(
      512,
      8,
      7,
      (row, rng) => ({ clean: dot(row) + 0.05 * gaussian(rng), noisy: dot(row) + 2.0 * gaussian(rng), cls: dot(row) > 0 ? 1 : 0 }),
      { clean: 'float32', noisy: 'float32', cls: 'int32' },
    );
    // Half of the rows have no class label.
    data.labels['cls']!.mask = data.labels['cls']!.values.map((_, i) => (i % 2 === 0 ? 1 : 0));
    const model = new TinyMlp({
      inputs: 8,
      hidden: [16],
      tasks: [
        { name: 'clean', kind: 'regression', outDim: 1, loss: new MseLoss() },
        { name: 'noisy', kind: 'regression', outDim: 1, loss: new MseLoss() },
        { name: 'cls', kind: 'multiclass', outDim: 2, loss: new CrossEntropyLoss() },
      ],
      seed: 8,
      prefix: 'mtl',
    });
    const trainer = new Trainer(model, {
      epochs: 15,
      optimizer: { type: 'adamw', lr: 1e-2, weightDecay: 0 },
      combiner: { type: 'uncertainty' },
      // The log-variances live in the 'extra' group; let them move faster than the network.
      groupLr: { extra: 5 },
      progress: 'none',
    });
    const result = await trainer.fit({ train: batchSource(data, 64) });
    expect(result.taskWeights['clean']!).toBeGreaterThan(3 * result.taskWeights['noisy']!);
    const metrics = (await evaluateModel(model, evalBatches(data)())).metrics;
    expect(metrics['clean.r2']!).toBeGreaterThan(0.9);
    expect(metrics['cls.accuracy']!).toBeGreaterThan(0.9);
    trainer.dispose();
    model.dispose();
  });

  it('rejects bad configs naming the field', () => {
    const model = new TinyMlp({ inputs: 2, hidden: [2], tasks: [{ name: 'up', kind: 'binary', outDim: 1, loss: new BceLoss() }], seed: 1, prefix: 'cfg' });
    expect(() => new Trainer(model, { epochs: 0 })).toThrow(/"epochs"/);
    expect(() => new Trainer(model, { optimizer: { type: 'adamw', lr: -1 } })).toThrow(/"optimizer.lr"/);
    expect(() => new Trainer(model, { evalEvry: 3 } as never)).toThrow(/evalEvry/);
    model.dispose();
  });
});
