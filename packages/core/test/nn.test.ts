// The shared neural-network building blocks: variable names and seeds, dense/LayerNorm/masked mean, masked attention.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { activate, ACTIVATIONS, attend, dense, InstanceCounter, keyMaskBias, layerNorm, maskedMean, ParamStore, TransformerBlock, uniqueScope } from '../src/index.js';

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

describe('variable names', () => {
  it('numbers instances over all families of one counter and skips prefixes already in use', () => {
    const counter = new InstanceCounter();
    const taken = tf.variable(tf.zeros([1]), true, 'nn-test/b#2/x');
    expect(counter.nextPrefix('nn-test/a')).toBe('nn-test/a#1/');
    expect(counter.nextPrefix('nn-test/b')).toBe('nn-test/b#3/');
    expect(new InstanceCounter().nextPrefix('nn-test/b')).toBe('nn-test/b#1/');
    taken.dispose();
  });

  it('uniqueScope counts per type', () => {
    expect(uniqueScope('nn-test/scope-a')).toBe('nn-test/scope-a#1/');
    expect(uniqueScope('nn-test/scope-b')).toBe('nn-test/scope-b#1/');
    expect(uniqueScope('nn-test/scope-a')).toBe('nn-test/scope-a#2/');
  });
});

describe('activate', () => {
  const xs = [-2, -0.5, 0, 0.5, 3];
  const reference: Record<(typeof ACTIVATIONS)[number], (x: number) => number> = {
    relu: (x) => Math.max(0, x),
    tanh: Math.tanh,
    silu: (x) => x / (1 + Math.exp(-x)),
    gelu: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
    linear: (x) => x,
  };
  it.each([...ACTIVATIONS])('%s matches its formula', (name) => {
    const y = tf.tidy(() => activate(tf.tensor1d(xs), name));
    values(y).forEach((v, i) => expect(v).toBeCloseTo(reference[name](xs[i] as number), 5));
    y.dispose();
  });
});

describe('ParamStore', () => {
  it('names variables under its scope, seeds random ones in creation order and frees them', () => {
    const before = tf.memory().numTensors;
    const store = new ParamStore('nn-test/store#1/', 7);
    const layer = store.dense('layer', 3, 2);
    const norm = store.norm('norm', 2);
    const table = store.normal('table', [4, 2], 0.1);
    expect(store.variables().map((v) => v.name)).toEqual([
      'nn-test/store#1/layer.kernel',
      'nn-test/store#1/layer.bias',
      'nn-test/store#1/norm.gamma',
      'nn-test/store#1/norm.beta',
      'nn-test/store#1/table',
    ]);
    expect(store.named.map((n) => n.name)).toEqual(['layer.kernel', 'layer.bias', 'norm.gamma', 'norm.beta', 'table']);
    const limit = Math.sqrt(6 / 5);
    expect(values(layer.kernel)).toEqual(tf.tidy(() => values(tf.randomUniform([3, 2], -limit, limit, 'float32', 7))));
    expect(values(table)).toEqual(tf.tidy(() => values(tf.randomNormal([4, 2], 0, 0.1, 'float32', 8))));
    expect([values(layer.bias), values(norm.gamma), values(norm.beta)]).toEqual([[0, 0], [1, 1], [0, 0]]);
    expect(store.filled('stat', 2, 1, false).trainable).toBe(false);
    expect(() => store.zeros('table', [1])).toThrow(/a variable named 'nn-test\/store#1\/table' already exists/);
    store.dispose();
    expect(store.variables()).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('ops', () => {
  it('dense maps the last axis of any rank', () => {
    const store = new ParamStore('nn-test/dense#1/', 1);
    const p = store.dense('d', 3, 4);
    const x = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 2) as tf.Tensor3D;
    const y = dense(x, p);
    expect(y.shape).toEqual([2, 5, 4]);
    expect(values(y)).toEqual(values(dense(tf.reshape(x, [10, 3]) as tf.Tensor2D, p)));
    store.dispose();
  });

  it('layerNorm gives zero mean and unit variance per row', () => {
    const store = new ParamStore('nn-test/norm#1/', null);
    const x = tf.randomNormal([3, 6], 2, 3, 'float32', 3);
    const { mean, variance } = tf.moments(layerNorm(x, store.norm('n', 6)), -1);
    values(mean).forEach((m) => expect(m).toBeCloseTo(0, 5));
    values(variance).forEach((v) => expect(v).toBeCloseTo(1, 3));
    store.dispose();
  });

  it('maskedMean averages the unmasked steps only (zero when there are none)', () => {
    const x = tf.tensor3d([[[1], [3], [100]], [[5], [7], [9]]]);
    expect(values(maskedMean(x, tf.tensor2d([[1, 1, 0], [0, 0, 0]])))).toEqual([2, 0]);
    const [a, b] = values(maskedMean(x, null));
    expect(a).toBeCloseTo(104 / 3, 4);
    expect(b).toBeCloseTo(7, 5);
  });
});

describe('attention', () => {
  it('gives masked keys no weight', () => {
    const q = tf.randomNormal([1, 2, 3, 4], 0, 1, 'float32', 4) as tf.Tensor4D;
    const k = tf.randomNormal([1, 2, 3, 4], 0, 1, 'float32', 5) as tf.Tensor4D;
    const v = tf.randomNormal([1, 2, 3, 4], 0, 1, 'float32', 6) as tf.Tensor4D;
    const bias = keyMaskBias(tf.tensor2d([[1, 1, 0]]));
    expect(bias.shape).toEqual([1, 1, 1, 3]);
    const changed = tf.concat([tf.slice(v, [0, 0, 0, 0], [1, 2, 2, 4]), tf.fill([1, 2, 1, 4], 1e3)], 2) as tf.Tensor4D;
    expect(values(attend(q, k, changed, bias, 0, false))).toEqual(values(attend(q, k, v, bias, 0, false)));
  });

  it('a transformer block ignores masked tokens', () => {
    const store = new ParamStore('nn-test/block#1/', 9);
    const block = new TransformerBlock(store, 'block0', { dim: 4, heads: 2, ffnDim: 8, activation: 'gelu', dropout: 0, attentionDropout: 0 });
    const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 10) as tf.Tensor3D;
    const mask = tf.tensor2d([[1, 1, 0], [1, 1, 1]]);
    const poked = tf.add(x, tf.mul(tf.reshape(tf.tensor1d([0, 0, 1]), [1, 3, 1]), 50)) as tf.Tensor3D;
    const first = (t: tf.Tensor3D): number[] => values(tf.slice(block.forward(t, mask, false), [0, 0, 0], [1, 2, 4]));
    expect(first(poked)).toEqual(first(x));
    expect(new Set(block.variables())).toEqual(new Set(store.variables()));
    store.dispose();
  });
});
