import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { ParameterGroup } from '@finmm/core';
import { BceLoss } from '@finmm/losses';
import { setFusedKernelsEnabled } from '@finmm/core';
import { AdamW, buildSchedule, parseTrainerConfig, buildTrainableParams, clipByGlobalNorm, decaysWeight, Sgd, type TrainableParam } from '../src/index.js';
import { TinyMlp } from './helpers/mlp.js';

function handParams(prefix: string, lr: number, weightDecay: number): { params: TrainableParam[]; w: tf.Variable; b: tf.Variable } {
  const w = tf.variable(tf.tensor2d([[0.5, -1.0], [2.0, 0.25]]), true, `${prefix}/dense/kernel`);
  const b = tf.variable(tf.tensor1d([0.3, -0.7]), true, `${prefix}/dense/bias`);
  const group: ParameterGroup = { name: 'dense', variables: [w, b], depth: 0, maxDepth: 0, pretrained: false };
  return { params: buildTrainableParams([group], { lr, weightDecay }), w, b };
}

const g1 = { w: [[0.1, -0.2], [0.3, 0.05]], b: [0.5, -0.1] };
const g2 = { w: [[-0.4, 0.1], [0.2, 0.0]], b: [0.2, 0.3] };

function close(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs((actual[i] as number) - (expected[i] as number))).toBeLessThan(tol);
}

describe('AdamW', () => {
  it('matches a hand-computed two-step update, with decoupled decay on the weight and none on the bias', () => {
    const lr = 0.1;
    const wd = 0.5;
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    const { params, w, b } = handParams('adamw-hand', lr, wd);
    expect(params.map((p) => p.weightDecay)).toEqual([wd, 0]);
    const opt = new AdamW({ beta1: b1, beta2: b2, epsilon: eps });
    // Hand computation in float64.
    const p = { w: [0.5, -1.0, 2.0, 0.25], b: [0.3, -0.7] };
    const m = { w: [0, 0, 0, 0], b: [0, 0] };
    const v = { w: [0, 0, 0, 0], b: [0, 0] };
    [g1, g2].forEach((g, step) => {
      const t = step + 1;
      for (const key of ['w', 'b'] as const) {
        const grad = key === 'w' ? g.w.flat() : g.b;
        const decay = key === 'w' ? wd : 0;
        for (let i = 0; i < grad.length; i++) {
          m[key][i] = b1 * m[key][i]! + (1 - b1) * grad[i]!;
          v[key][i] = b2 * v[key][i]! + (1 - b2) * grad[i]! ** 2;
          const mhat = m[key][i]! / (1 - b1 ** t);
          const denom = Math.sqrt(v[key][i]!) / Math.sqrt(1 - b2 ** t) + eps;
          p[key][i] = p[key][i]! * (1 - lr * decay) - (lr * mhat) / denom;
        }
      }
      tf.tidy(() => opt.step([{ param: params[0]!, grad: tf.tensor2d(g.w) }, { param: params[1]!, grad: tf.tensor1d(g.b) }], 1));
    });
    close(w.dataSync(), p.w);
    close(b.dataSync(), p.b);
    // The decay never enters the moments: m and v are those of the raw gradients.
    const state = opt.saveState();
    close(state.tensors['adamw-hand/dense/kernel/m']!.dataSync(), m.w);
    close(state.tensors['adamw-hand/dense/kernel/v']!.dataSync(), v.w, 1e-9);
    expect(state.counters).toEqual({ 'adamw-hand/dense/kernel': 2, 'adamw-hand/dense/bias': 2 });
    tf.dispose(Object.values(state.tensors));
    // Adam + L2 (decay added to the gradient) would have moved the weight elsewhere.
    const l2 = tf.tidy(() => {
      const { params: q, w: w2, b: b2v } = handParams('adamw-l2', lr, 0);
      const o = new AdamW();
      for (const g of [g1, g2]) {
        const grad = tf.add(tf.tensor2d(g.w), tf.mul(w2, wd));
        o.step([{ param: q[0]!, grad }], 1);
      }
      const out = Array.from(w2.dataSync());
      o.dispose();
      w2.dispose();
      b2v.dispose();
      return out;
    });
    expect(Math.max(...l2.map((x, i) => Math.abs(x - p.w[i]!)))).toBeGreaterThan(1e-3);
    opt.dispose();
    w.dispose();
    b.dispose();
  });

  it("with decay 'l2' is PyTorch's Adam: the decay is added to the weight's gradient, none to the bias", () => {
    const [lr, wd] = [0.1, 0.5];
    const l2 = handParams('adam-l2', lr, wd);
    const reference = handParams('adam-l2-ref', lr, 0);
    const opt = new AdamW({ decay: 'l2' });
    const plain = new AdamW();
    expect([opt.name, plain.name]).toEqual(['adam', 'adamw']);
    const before = tf.memory().numTensors;
    for (const g of [g1, g2]) {
      tf.tidy(() => opt.step([{ param: l2.params[0]!, grad: tf.tensor2d(g.w) }, { param: l2.params[1]!, grad: tf.tensor1d(g.b) }], 1));
      // The reference: plain Adam (no decay) on the gradient of loss + wd/2 |w|^2.
      tf.tidy(() => plain.step([{ param: reference.params[0]!, grad: tf.add(tf.tensor2d(g.w), tf.mul(reference.w, wd)) }, { param: reference.params[1]!, grad: tf.tensor1d(g.b) }], 1));
    }
    expect(tf.memory().numTensors).toBe(before + 8); // the two optimizers' moments only
    close(l2.w.dataSync(), Array.from(reference.w.dataSync()));
    close(l2.b.dataSync(), Array.from(reference.b.dataSync()));
    // ...and not AdamW's decoupled decay.
    const decoupled = handParams('adam-l2-decoupled', lr, wd);
    const adamw = new AdamW();
    for (const g of [g1, g2]) tf.tidy(() => adamw.step([{ param: decoupled.params[0]!, grad: tf.tensor2d(g.w) }], 1));
    const gap = Array.from(decoupled.w.dataSync()).map((x, i) => Math.abs(x - (l2.w.dataSync()[i] as number)));
    expect(Math.max(...gap)).toBeGreaterThan(1e-3);
    [opt, plain, adamw].forEach((o) => o.dispose());
    // The config: `type: adam` defaults to no decay, as PyTorch's Adam (AdamW's default is 0.01).
    expect(parseTrainerConfig({ optimizer: { type: 'adam' } }).optimizer).toMatchObject({ type: 'adam', lr: 1e-3, weightDecay: 0 });
    expect(parseTrainerConfig({ optimizer: { type: 'adamw' } }).optimizer).toMatchObject({ type: 'adamw', weightDecay: 0.01 });
    tf.dispose([l2.w, l2.b, reference.w, reference.b, decoupled.w, decoupled.b]);
  });

  it('restores its state exactly from a snapshot', () => {
    const a = handParams('adamw-save-a', 0.05, 0.1);
    const b = handParams('adamw-save-b', 0.05, 0.1);
    const optA = new AdamW();
    tf.tidy(() => optA.step([{ param: a.params[0]!, grad: tf.tensor2d(g1.w) }, { param: a.params[1]!, grad: tf.tensor1d(g1.b) }], 1));
    b.w.assign(a.w);
    b.b.assign(a.b);
    const snap = optA.saveState();
    const renamed = new Map(Object.entries(snap.tensors).map(([k, t]) => [k.replace('adamw-save-a', 'adamw-save-b'), t]));
    const counters = Object.fromEntries(Object.entries(snap.counters).map(([k, c]) => [k.replace('adamw-save-a', 'adamw-save-b'), c]));
    const optB = new AdamW();
    optB.loadState({ tensors: renamed, counters });
    tf.dispose(Object.values(snap.tensors));
    for (const [opt, x] of [[optA, a], [optB, b]] as const) {
      tf.tidy(() => opt.step([{ param: x.params[0]!, grad: tf.tensor2d(g2.w) }, { param: x.params[1]!, grad: tf.tensor1d(g2.b) }], 0.5));
    }
    expect(Array.from(b.w.dataSync())).toEqual(Array.from(a.w.dataSync()));
    expect(Array.from(b.b.dataSync())).toEqual(Array.from(a.b.dataSync()));
    tf.dispose([a.w, a.b, b.w, b.b]);
    optA.dispose();
    optB.dispose();
  });

  it("gives the same weights with finmm's fused AdamW kernel as with TensorFlow ops, and frees what it makes", () => {
    const run = (fused: boolean): { w: Float32Array; b: Float32Array; growth: number } => {
      const previous = setFusedKernelsEnabled(fused);
      try {
        const w = tf.variable(tf.randomNormal([300, 257], 0, 1, 'float32', 7), true, `adamw-fused-${fused}/dense/kernel`);
        const b = tf.variable(tf.randomNormal([257], 0, 1, 'float32', 8), true, `adamw-fused-${fused}/dense/bias`);
        const group: ParameterGroup = { name: 'dense', variables: [w, b], depth: 0, maxDepth: 0, pretrained: false };
        const params = buildTrainableParams([group], { lr: 0.01, weightDecay: 0.1 });
        const opt = new AdamW();
        let after1 = 0;
        for (let step = 0; step < 12; step++) {
          tf.tidy(() => opt.step([
            { param: params[0]!, grad: tf.randomNormal([300, 257], 0, 1, 'float32', 100 + step) },
            { param: params[1]!, grad: tf.randomNormal([257], 0, 1, 'float32', 200 + step) },
          ], 0.5 + step / 24));
          if (step === 0) after1 = tf.memory().numTensors;
        }
        const growth = tf.memory().numTensors - after1;
        const out = { w: w.dataSync() as Float32Array, b: b.dataSync() as Float32Array, growth };
        opt.dispose();
        tf.dispose([w, b]);
        return out;
      } finally {
        setFusedKernelsEnabled(previous);
      }
    };
    const fused = run(true);
    const plain = run(false);
    expect(fused.growth).toBe(0);
    expect(plain.growth).toBe(0);
    expect(Array.from(fused.w)).toEqual(Array.from(plain.w));
    expect(Array.from(fused.b)).toEqual(Array.from(plain.b));
  });
});

describe('SGD', () => {
  it('matches a hand-computed momentum update with L2 on the weight only', () => {
    const lr = 0.1;
    const wd = 0.2;
    const mu = 0.9;
    const { params, w, b } = handParams('sgd-hand', lr, wd);
    const opt = new Sgd({ momentum: mu });
    const p = { w: [0.5, -1.0, 2.0, 0.25], b: [0.3, -0.7] };
    const buf = { w: [0, 0, 0, 0], b: [0, 0] };
    [g1, g2].forEach((g, step) => {
      for (const key of ['w', 'b'] as const) {
        const grad = key === 'w' ? g.w.flat() : g.b;
        const decay = key === 'w' ? wd : 0;
        for (let i = 0; i < grad.length; i++) {
          const d = grad[i]! + decay * p[key][i]!;
          buf[key][i] = step === 0 ? d : mu * buf[key][i]! + d;
          p[key][i] = p[key][i]! - lr * buf[key][i]!;
        }
      }
      tf.tidy(() => opt.step([{ param: params[0]!, grad: tf.tensor2d(g.w) }, { param: params[1]!, grad: tf.tensor1d(g.b) }], 1));
    });
    close(w.dataSync(), p.w);
    close(b.dataSync(), p.b);
    opt.dispose();
    tf.dispose([w, b]);
  });
});

describe('schedules', () => {
  it('constant with warmup', () => {
    const s = buildSchedule({ type: 'constant', warmupSteps: 4 }, null);
    expect([0, 1, 2, 3, 4, 100].map(s)).toEqual([0.25, 0.5, 0.75, 1, 1, 1]);
  });

  it('linear warmup then linear decay', () => {
    const s = buildSchedule({ type: 'linear', warmupSteps: 2 }, 10);
    expect([0, 1, 2, 6, 10].map(s)).toEqual([0.5, 1, 1, 0.5, 0]);
    const r = buildSchedule({ type: 'linear', warmupRatio: 0.2, minFactor: 0.1 }, 10);
    expect(r(10)).toBeCloseTo(0.1, 12);
    expect(r(1)).toBe(1);
  });

  it('cosine decay to a floor', () => {
    const s = buildSchedule({ type: 'cosine', minFactor: 0.1 }, 10);
    expect(s(0)).toBeCloseTo(1, 12);
    expect(s(5)).toBeCloseTo(0.55, 12);
    expect(s(10)).toBeCloseTo(0.1, 12);
  });

  it('slanted triangular (Howard & Ruder)', () => {
    const s = buildSchedule({ type: 'slanted-triangular' }, 100);
    expect(s(0)).toBeCloseTo(1 / 32, 12);
    expect(s(5)).toBeCloseTo(16.5 / 32, 12);
    expect(s(10)).toBeCloseTo(1, 12);
    expect(s(55)).toBeCloseTo(16.5 / 32, 12);
    expect(s(100)).toBeCloseTo(1 / 32, 12);
  });

  it('needs the total steps for decaying schedules', () => {
    expect(() => buildSchedule({ type: 'cosine' }, null)).toThrow(/maxSteps or batchesPerEpoch/);
  });
});

describe('gradient clipping, decay rule and parameter groups', () => {
  it('clips by global norm', () => {
    tf.tidy(() => {
      const grads = [tf.tensor1d([3, 4]), tf.tensor1d([12])];
      const clipped = clipByGlobalNorm(grads, 6.5);
      expect(clipped.norm.dataSync()[0]).toBeCloseTo(13, 5);
      close(clipped.grads[0]!.dataSync(), [1.5, 2], 1e-5);
      close(clipped.grads[1]!.dataSync(), [6], 1e-5);
      const untouched = clipByGlobalNorm(grads, 20);
      close(untouched.grads[1]!.dataSync(), [12], 1e-5);
    });
  });

  it('decays only rank >= 2 tensors not named like a bias or norm', () => {
    expect(decaysWeight('enc/layer0/kernel', [4, 4])).toBe(true);
    expect(decaysWeight('text/embeddings', [100, 8])).toBe(true);
    expect(decaysWeight('enc/layer0/bias', [4])).toBe(false);
    expect(decaysWeight('enc/ln/gamma', [4])).toBe(false);
    expect(decaysWeight('enc/LayerNorm/weight', [4, 4])).toBe(false);
    expect(decaysWeight('uncertainty.log_var.a', [])).toBe(false);
  });

  it('assigns layer-wise decayed learning rates and group multipliers', () => {
    const model = new TinyMlp({ inputs: 3, hidden: [4, 4, 4], tasks: [{ name: 'up', kind: 'binary', outDim: 1, loss: new BceLoss() }], seed: 1, prefix: 'groups' });
    const params = buildTrainableParams(model.parameterGroups(), { lr: 1, weightDecay: 0.1, layerDecay: 0.5, groupLr: { 'head.*': 3 } });
    const lrOf = (group: string): number[] => params.filter((p) => p.group === group).map((p) => p.lr);
    expect(lrOf('tabular.layer.0')).toEqual([0.25, 0.25]);
    expect(lrOf('tabular.layer.1')).toEqual([0.5, 0.5]);
    expect(lrOf('tabular.layer.2')).toEqual([1, 1]);
    expect(lrOf('head.up')).toEqual([3, 3]);
    expect(params.filter((p) => p.key.endsWith('bias')).every((p) => p.weightDecay === 0)).toBe(true);
    expect(params.filter((p) => p.key.endsWith('kernel')).every((p) => p.weightDecay === 0.1)).toBe(true);
    const dup = { name: 'again', variables: [model.variables()[0]!], depth: 0, maxDepth: 0, pretrained: false };
    expect(() => buildTrainableParams([...model.parameterGroups(), dup], { lr: 1, weightDecay: 0 })).toThrow(/more than one parameter group/);
    model.dispose();
  });
});
