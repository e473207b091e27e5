import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Registry, registry, type TaskLabels } from '@finmm/core';
import { LOSS_TYPES, registerLosses } from '../src/index.js';

function sampleInputs(type: string, config: Record<string, unknown>): { out: tf.Tensor2D; labels: TaskLabels } {
  const b = 6;
  const regression = type === 'loss/mse' || type === 'loss/huber';
  const perClass = Array.isArray(config['classWeights']) ? (config['classWeights'] as unknown[]).length : Array.isArray(config['alpha']) ? (config['alpha'] as unknown[]).length : 0;
  const width = type === 'loss/bce' || (type === 'loss/focal' && perClass === 0 && config['alpha'] !== undefined) ? 1 : regression ? 2 : perClass || 3;
  const out = tf.randomNormal([b, width], 0, 1, 'float32', 3) as tf.Tensor2D;
  const y = regression
    ? tf.randomNormal([b, width], 0, 1, 'float32', 4)
    : tf.tensor1d([0, 1, 0, 1, 1, 0].map((v, i) => (width > 1 ? (v + i) % width : v)), 'int32');
  return { out, labels: { y, mask: tf.tensor1d([1, 1, 0, 1, 1, 1]) } };
}

describe('loss registry', () => {
  it('registers every loss in core registry', () => {
    expect(registry.types('loss')).toEqual(expect.arrayContaining([...LOSS_TYPES]));
  });

  it.each([...LOSS_TYPES])('%s builds each example into a loss with a finite, positive value and gradient', (type) => {
    const entry = registry.get(type);
    expect(entry?.kind).toBe('loss');
    expect(entry!.examples.length).toBeGreaterThan(0);
    for (const example of entry!.examples) {
      const loss = registry.build('loss', example);
      tf.tidy(() => {
        const { out, labels } = sampleInputs(type, example as Record<string, unknown>);
        const { value, grad } = tf.valueAndGrad((o: tf.Tensor) => loss.compute(o as tf.Tensor2D, labels))(out);
        const v = value.dataSync()[0] as number;
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThan(0);
        expect(Array.from(grad.dataSync()).every(Number.isFinite)).toBe(true);
      });
    }
  });

  it('validates configs: defaults, bad values and unknown fields', () => {
    expect(registry.validate('loss', { type: 'loss/huber' })).toEqual({ type: 'loss/huber', delta: 1 });
    expect(registry.validate('loss', { type: 'loss/cross-entropy' })).toEqual({ type: 'loss/cross-entropy', labelSmoothing: 0 });
    expect(() => registry.build('loss', { type: 'loss/huber', delta: -1 }, {}, 'tasks.ret.loss')).toThrow(/tasks\.ret\.loss\.delta/);
    expect(() => registry.build('loss', { type: 'loss/cross-entropy', labelSmoothing: 1 })).toThrow(/labelSmoothing/);
    expect(() => registry.build('loss', { type: 'loss/mse', delta: 1 })).toThrow(/unrecognized key.*delta/i);
  });

  it('registers into another registry once', () => {
    const own = new Registry();
    registerLosses(own);
    registerLosses(own);
    expect(own.types('loss')).toEqual([...LOSS_TYPES]);
  });
});
