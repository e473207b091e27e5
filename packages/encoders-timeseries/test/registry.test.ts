// Every registered time-series encoder, every example config: shapes, gradients to every variable, config()
// round-trip with copied weights, masked days that cannot change the output, and no tensor leak.
import * as tf from '@tensorflow/tfjs';
import { ConfigError, registry, type Encoder, type EncoderOutput, type TimeseriesInput } from '@finmm/core';
import { describe, expect, it } from 'vitest';
import { exampleCases, rebuildWithCopiedWeights } from '../../../tools/test-helpers/registry.js';
import { timeseriesRegistrations } from '../src/index.js';

const TYPES = registry.types('encoder').filter((t) => t.startsWith('timeseries/'));
const B = 3;
const T = 7;

function build(config: unknown): Encoder<'timeseries'> {
  return registry.build('encoder', config) as Encoder<'timeseries'>;
}

function inputFor(encoder: Encoder<'timeseries'>, seed: number, masked = false): TimeseriesInput {
  const f = encoder.config()['inputDim'] as number;
  const values = tf.randomNormal([B, T, f], 0, 1, 'float32', seed) as tf.Tensor3D;
  if (!masked) return { values };
  // sample 0: padded at the start, sample 1: a missing day in the middle and at the end, sample 2: all observed
  const stepMask = tf.tensor2d([
    [0, 0, 1, 1, 1, 1, 1],
    [1, 1, 1, 0, 1, 1, 0],
    [1, 1, 1, 1, 1, 1, 1],
  ]);
  return { values, stepMask };
}

function expectClose(a: tf.Tensor, b: tf.Tensor, tol = 1e-5): void {
  expect(a.shape).toEqual(b.shape);
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);
  expect(diff).toBeLessThanOrEqual(tol);
}

function disposeOutput(out: EncoderOutput): void {
  tf.dispose([out.pooled, out.tokens ?? [], out.tokenMask ?? []]);
}

describe('time-series registry', () => {
  it('registers the five encoders, each exported and with examples', () => {
    expect(TYPES).toEqual(['timeseries/alstm', 'timeseries/gru', 'timeseries/lstm', 'timeseries/tcn', 'timeseries/transformer']);
    expect(timeseriesRegistrations.map((r) => r.type).sort()).toEqual(TYPES);
    for (const type of TYPES) expect(registry.get(type)?.examples.length).toBeGreaterThan(0);
  });

  it('takes inputDim from the build context, and names the field when it is missing', () => {
    const encoder = registry.build('encoder', { type: 'timeseries/lstm', hidden: 2 }, { features: 5 });
    expect(encoder.config()['inputDim']).toBe(5);
    encoder.dispose();
    expect(() => registry.build('encoder', { type: 'timeseries/gru' })).toThrow(ConfigError);
    expect(() => registry.build('encoder', { type: 'timeseries/gru' })).toThrow(/"inputDim"/);
    expect(() => registry.build('encoder', { type: 'timeseries/tcn', inputDim: 2, channels: [] }, {}, 'encoders.prices')).toThrow(/encoders\.prices\.channels/);
  });

  it('rejects input of the wrong width naming the encoder', () => {
    const encoder = build({ type: 'timeseries/alstm', inputDim: 3, units: 2 });
    const values = tf.zeros([1, 4, 5]) as tf.Tensor3D;
    expect(() => encoder.encode({ values }, false)).toThrow(/timeseries\/alstm.*5 features.*inputDim 3/);
    tf.dispose(values);
    encoder.dispose();
  });

  describe.each(exampleCases(registry, TYPES))('$name', ({ example }) => {
    it('gives pooled [B, D], tokens [B, T, D] and tokenMask [B, T]', () => {
      const encoder = build(example);
      const input = inputFor(encoder, 1, true);
      const out = encoder.encode(input, true);
      expect(out.pooled.shape).toEqual([B, encoder.outDim]);
      expect(out.tokens?.shape).toEqual([B, T, encoder.outDim]);
      expect(out.tokenMask?.shape).toEqual([B, T]);
      expect(Array.from(out.tokenMask?.dataSync() ?? [])).toEqual(Array.from(input.stepMask?.dataSync() ?? []));
      expect(Number.isFinite(tf.sum(out.pooled).dataSync()[0])).toBe(true);
      disposeOutput(out);
      tf.dispose([input.values, input.stepMask ?? []]);
      encoder.dispose();
    });

    it('sends a gradient to every variable', () => {
      const encoder = build(example);
      const input = inputFor(encoder, 2, true);
      const vars = encoder.variables().filter((v) => v.trainable);
      expect(vars.length).toBe(encoder.variables().length);
      expect(encoder.layerGroups().flat().length).toBe(vars.length);
      const { grads } = tf.variableGrads(() => {
        const out = encoder.encode(input, false);
        const wp = tf.randomNormal(out.pooled.shape, 0, 1, 'float32', 3);
        const wt = tf.randomNormal(out.tokens?.shape ?? [1], 0, 1, 'float32', 4);
        return tf.add(tf.sum(tf.mul(out.pooled, wp)), tf.sum(tf.mul(out.tokens ?? tf.zeros([1]), wt))) as tf.Scalar;
      }, vars);
      for (const v of vars) {
        const g = grads[v.name];
        expect(g, v.name).toBeDefined();
        const norm = tf.tidy(() => tf.sum(tf.abs(g as tf.Tensor)).dataSync()[0] as number);
        expect(norm, `gradient of ${v.name}`).toBeGreaterThan(0);
      }
      tf.dispose(Object.values(grads));
      tf.dispose([input.values, input.stepMask ?? []]);
      encoder.dispose();
    });

    it('rebuilds from config() with copied weights to identical outputs', () => {
      const encoder = build(example);
      const copy = rebuildWithCopiedWeights(registry, 'encoder', encoder) as Encoder<'timeseries'>;
      const input = inputFor(encoder, 5, true);
      const [a, b] = [encoder.encode(input, false), copy.encode(input, false)];
      expectClose(a.pooled, b.pooled, 0);
      expectClose(a.tokens as tf.Tensor, b.tokens as tf.Tensor, 0);
      [a, b].forEach(disposeOutput);
      tf.dispose([input.values, input.stepMask ?? []]);
      encoder.dispose();
      copy.dispose();
    });

    it('ignores the values of masked days', () => {
      const encoder = build(example);
      const input = inputFor(encoder, 6, true);
      const changed = tf.tidy(() => {
        const noise = tf.mul(tf.randomNormal(input.values.shape, 0, 10, 'float32', 7), tf.expandDims(tf.sub(1, input.stepMask as tf.Tensor2D), 2));
        return tf.add(input.values, noise) as tf.Tensor3D;
      });
      const withNaN = tf.tidy(() => tf.where(tf.expandDims(tf.greater(input.stepMask as tf.Tensor2D, 0), 2), input.values, tf.fill(input.values.shape, Number.NaN)) as tf.Tensor3D);
      const base = encoder.encode(input, false);
      for (const values of [changed, withNaN]) {
        const other = encoder.encode({ values, stepMask: input.stepMask as tf.Tensor2D }, false);
        expectClose(base.pooled, other.pooled, 0);
        expectClose(base.tokens as tf.Tensor, other.tokens as tf.Tensor, 0);
        disposeOutput(other);
      }
      // and an observed day does change it
      const moved = tf.tidy(() => tf.add(input.values, tf.mul(tf.oneHot(tf.tensor1d([4], 'int32'), T).reshape([1, T, 1]), 3)) as tf.Tensor3D);
      const other = encoder.encode({ values: moved, stepMask: input.stepMask as tf.Tensor2D }, false);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(base.tokens as tf.Tensor, other.tokens as tf.Tensor))).dataSync()[0] as number);
      expect(diff).toBeGreaterThan(0);
      [base, other].forEach(disposeOutput);
      tf.dispose([input.values, input.stepMask ?? [], changed, withNaN, moved]);
      encoder.dispose();
    });

    it('leaks no tensor over repeated training steps', () => {
      const encoder = build(example);
      const input = inputFor(encoder, 8, true);
      const optimizer = tf.train.adam(1e-3);
      const step = (): void => {
        tf.tidy(() => {
          optimizer.minimize(() => tf.sum(tf.square(encoder.encode(input, true).pooled)) as tf.Scalar, false, encoder.variables());
        });
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      optimizer.dispose();
      tf.dispose([input.values, input.stepMask ?? []]);
      encoder.dispose();
    });
  });
});
