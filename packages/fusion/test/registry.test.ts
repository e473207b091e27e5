// Every registered fusion and head, through each registry example: output shapes, gradients reaching every variable,
// config round-trip, presence masks respected, and no leaked tensors.
import * as tf from '@tensorflow/tfjs';
import type { EncoderOutput, Fusion, Modality, TaskHead } from '@finmm/core';
import { describe, expect, it } from 'vitest';
import { variablesWithoutGradient } from '../../../tools/test-helpers/gradients.js';
import { exampleCases } from '../../../tools/test-helpers/registry.js';
import { FUSION_TYPES, HEAD_TYPES } from '../src/index.js';
import { testRegistry } from './helpers.js';

const reg = testRegistry();

// Sample 4 has neither modality, so every learned "absent"/"empty" vector is used.
const presentTabular = [1, 0, 1, 1, 0, 1];
const presentSeries = [1, 1, 0, 1, 0, 0];
const B = presentTabular.length;

function parts(seed: number, poison = false): Partial<Record<Modality, EncoderOutput>> {
  return tf.tidy(() => rawParts(seed, poison) as unknown as tf.TensorContainerObject) as unknown as Partial<Record<Modality, EncoderOutput>>;
}

function rawParts(seed: number, poison: boolean): Partial<Record<Modality, EncoderOutput>> {
  const tabular = tf.randomNormal([B, 3], 0, 1, 'float32', seed) as tf.Tensor2D;
  const tokens = tf.randomNormal([B, 5, 4], 0, 1, 'float32', seed + 1) as tf.Tensor3D;
  const series = tf.mean(tokens, 1) as tf.Tensor2D;
  const tokenMask = tf.tensor2d(Array.from({ length: B }, (_, i) => [1, 1, 1, i % 2 === 0 ? 1 : 0, 0]));
  if (!poison) return { tabular: { pooled: tabular }, timeseries: { pooled: series, tokens, tokenMask } };
  // Absent rows replaced by NaN: they must not reach any present sample's output.
  const nanWhere = <T extends tf.Tensor>(x: T, present: number[]): T => {
    const keep = tf.reshape(tf.tensor1d(present.map((p) => p > 0), 'bool'), [B, ...x.shape.slice(1).map(() => 1)]);
    return tf.where(tf.broadcastTo(keep, x.shape), x, tf.fill(x.shape, Number.NaN)) as T;
  };
  return {
    tabular: { pooled: nanWhere(tabular, presentTabular) },
    timeseries: { pooled: nanWhere(series, presentSeries), tokens: nanWhere(tokens, presentSeries), tokenMask },
  };
}

function presence(): Partial<Record<Modality, tf.Tensor1D>> {
  return { tabular: tf.tensor1d(presentTabular), timeseries: tf.tensor1d(presentSeries) };
}

/** Names of `vars` that a random projection of `f()` sends no gradient to. */
function missingGradients(vars: tf.Variable[], f: () => tf.Tensor): string[] {
  return variablesWithoutGradient(vars, () =>
    tf.tidy(() => {
      const out = f();
      return tf.sum(tf.mul(out, tf.randomNormal(out.shape, 0, 1, 'float32', 9))) as tf.Scalar;
    }),
  );
}

describe.each(exampleCases(reg, FUSION_TYPES))('$name', ({ example }) => {
  it('fuses to [B, outDim], reaches every variable, round-trips, ignores absent inputs and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const fusion = reg.build('fusion', example) as Fusion;
    const p = parts(1);
    const present = presence();
    const fused = fusion.fuse(p, present, false);
    expect(fused.shape).toEqual([B, fusion.outDim]);
    expect(missingGradients(fusion.variables(), () => fusion.fuse(p, present, true))).toEqual([]);

    // NaN in absent rows changes nothing (same output up to float noise).
    const poisoned = parts(1, true);
    const again = fusion.fuse(poisoned, present, false);
    expect(tf.tidy(() => tf.any(tf.isNaN(again)).dataSync()[0])).toBe(0);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(again, fused))).dataSync()[0])).toBeLessThan(1e-5);

    // A modality missing from the parts is absent for every sample.
    const onlyTabular = fusion.fuse({ tabular: p.tabular as EncoderOutput }, { tabular: present.tabular as tf.Tensor1D }, false);
    expect(onlyTabular.shape).toEqual([B, fusion.outDim]);

    const rebuilt = reg.build('fusion', fusion.config()) as Fusion;
    expect(rebuilt.config()).toEqual(fusion.config());
    if (fusion.config()['seed'] !== undefined) {
      const same = rebuilt.fuse(p, present, false);
      // Same seeded weights; outputs equal up to float round-off (oneDNN may order sums differently between calls).
      const expected = Array.from(fused.dataSync());
      Array.from(same.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(expected[i] as number, 5));
      same.dispose();
    }
    tf.dispose([fused, again, onlyTabular, present.tabular as tf.Tensor, present.timeseries as tf.Tensor]);
    for (const part of [...Object.values(p), ...Object.values(poisoned)]) tf.dispose(part as unknown as tf.TensorContainerObject);
    rebuilt.dispose();
    fusion.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe.each(exampleCases(reg, HEAD_TYPES))('$name', ({ example }) => {
  it('maps [B, inDim] to [B, outDim], reaches every variable, round-trips and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const head = reg.build('head', example) as TaskHead;
    const inDim = example.inDim as number;
    const z = tf.randomNormal([5, inDim], 0, 1, 'float32', 2) as tf.Tensor2D;
    const out = head.forward(z, false);
    expect(out.shape).toEqual([5, head.outDim]);
    expect(missingGradients(head.variables(), () => head.forward(z, true))).toEqual([]);
    const rebuilt = reg.build('head', head.config()) as TaskHead;
    expect(rebuilt.config()).toEqual(head.config());
    expect([rebuilt.task, rebuilt.kind, rebuilt.outDim]).toEqual([head.task, head.kind, head.outDim]);
    const wrong = tf.zeros([2, inDim + 1]) as tf.Tensor2D;
    expect(() => head.forward(wrong, false)).toThrow(/input has shape \[2, \d+\]; expected \[B, \d+\]/);
    tf.dispose([z, out, wrong]);
    rebuilt.dispose();
    head.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('fusion behaviour', () => {
  it('gated fusion renormalises its gates over the modalities present', () => {
    const fusion = reg.build('fusion', { type: 'fusion/gated', modalities: ['tabular', 'timeseries'], inputDims: { tabular: 3, timeseries: 4 }, dim: 4, seed: 1 });
    const p = parts(3);
    const present = presence();
    const weights = (fusion as unknown as { gateWeights: (p: unknown, q: unknown) => tf.Tensor2D }).gateWeights(p, present).arraySync();
    weights.forEach((row, i) => {
      const any = (presentTabular[i] as number) + (presentSeries[i] as number) > 0;
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(any ? 1 : 0, 5);
      if (presentTabular[i] === 0) expect(row[0]).toBe(0);
      if (presentSeries[i] === 0) expect(row[1]).toBe(0);
    });
    for (const part of Object.values(p)) tf.dispose(part as unknown as tf.TensorContainerObject);
    tf.dispose(Object.values(present));
    fusion.dispose();
  });

  it('errors name the bad field or modality', () => {
    expect(() => reg.build('fusion', { type: 'fusion/concat' }, {}, 'fusion')).toThrow(/"modalities"/);
    expect(() => reg.build('fusion', { type: 'fusion/concat', modalities: ['tabular'], inputDims: { text: 3 } })).toThrow(/"inputDims.tabular"/);
    expect(() => reg.build('fusion', { type: 'fusion/attention', modalities: ['tabular'], inputDims: { tabular: 3 }, dim: 6, heads: 4 }, {}, 'fusion')).toThrow(
      /"fusion.heads"/,
    );
    const fusion = reg.build('fusion', { type: 'fusion/concat', modalities: ['tabular'], inputDims: { tabular: 3 } }) as Fusion;
    const wrong = tf.zeros([2, 5]) as tf.Tensor2D;
    expect(() => fusion.fuse({ tabular: { pooled: wrong } }, {}, false)).toThrow(/the tabular embedding has shape \[2, 5\]; expected \[B, 3\]/);
    wrong.dispose();
    fusion.dispose();
  });
});
