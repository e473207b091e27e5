import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { assertCanTrainEmbeddings, backendFromEnv, initBackend, runDoctor } from '../src/index.js';

describe('backend selection', () => {
  afterAll(async () => {
    await initBackend({ backend: backendFromEnv() ?? 'tensorflow' });
  });

  it('uses the native TensorFlow backend after npm ci (doctor passes)', async () => {
    const report = await runDoctor();
    const text = report.lines.join('\n');
    expect(text).toMatch(/^backend: +tensorflow/m);
    expect(text).toMatch(/^tensorflow: +\d+\.\d+/m);
    expect(text).toMatch(/^threads: +\d+/m);
    expect(text).toMatch(/^datasets: +financial-phrasebank yes, stocknet yes, german-credit yes/m);
    expect(report.ok).toBe(true);
  });

  it('parses FINMM_BACKEND and names the variable on a bad value', () => {
    expect(backendFromEnv({})).toBeNull();
    expect(backendFromEnv({ FINMM_BACKEND: 'wasm' })).toBe('wasm');
    expect(() => backendFromEnv({ FINMM_BACKEND: 'gpu' })).toThrow(/FINMM_BACKEND=gpu is not a backend; expected one of tensorflow, wasm, cpu/);
  });

  it('switches to the wasm and cpu fallbacks on request and computes the same matMul', async () => {
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const results: number[][] = [];
    for (const name of ['wasm', 'cpu', 'tensorflow'] as const) {
      const info = await initBackend({ backend: name });
      expect(info.name).toBe(name);
      expect(tf.getBackend()).toBe(name);
      const x = tf.tensor2d([[1, 2], [3, 4]]);
      results.push(Array.from(tf.matMul(x, x).dataSync()));
    }
    for (const r of results) expect(r).toEqual([7, 10, 15, 22]);
    a.dispose();
  });

  it('refuses to train embeddings on wasm with a clear message, and the refusal reflects a real missing kernel', async () => {
    await initBackend({ backend: 'wasm' });
    expect(() => assertCanTrainEmbeddings('the demo model')).toThrow(
      /cannot train the demo model on the 'wasm' backend: it has no UnsortedSegmentSum kernel/,
    );
    const table = tf.variable(tf.randomNormal([10, 4]));
    const ids = tf.tensor1d([1, 2, 2], 'int32');
    expect(() => tf.variableGrads(() => tf.sum(tf.gather(table, ids)) as tf.Scalar, [table])).toThrow(/UnsortedSegmentSum/);
    table.dispose();
    for (const name of ['cpu', 'tensorflow'] as const) {
      await initBackend({ backend: name });
      expect(() => assertCanTrainEmbeddings()).not.toThrow();
    }
  });
});
