// Every registered vision encoder, every example config: shapes, gradients to every trainable variable,
// config() round-trip with copied weights (running statistics included), and no tensor leak.
import * as tf from '@tensorflow/tfjs';
import { registry, type Encoder, type EncoderOutput, type ImageInput } from '@finmm/core';
import { describe, expect, it } from 'vitest';
import { exampleCases, rebuildWithCopiedWeights } from '../../../tools/test-helpers/registry.js';
import { JkxCnnEncoder, visionRegistrations } from '../src/index.js';

const TYPES = registry.types('encoder').filter((t) => t.startsWith('vision/'));
const B = 3;

function build(config: unknown): Encoder<'image'> {
  return registry.build('encoder', config) as Encoder<'image'>;
}

/** Random pixels of the size an encoder takes (chart-sized 32x15 unless its config fixes a size). */
function inputFor(encoder: Encoder<'image'>, seed: number): ImageInput {
  const c = encoder.config();
  const shape: [number, number, number, number] = [B, (c['height'] as number | undefined) ?? 32, (c['width'] as number | undefined) ?? 15, c['inputChannels'] as number];
  return { pixels: tf.randomUniform(shape, 0, 1, 'float32', seed) as tf.Tensor4D };
}

function disposeOutput(out: EncoderOutput): void {
  tf.dispose([out.pooled, out.tokens ?? [], out.tokenMask ?? []]);
}

describe('vision registry', () => {
  it('registers the two encoders, each exported and with examples', () => {
    expect(TYPES).toEqual(['vision/jkx-cnn', 'vision/resnet']);
    expect(visionRegistrations.map((r) => r.type).sort()).toEqual(TYPES);
  });

  it('builds the paper block count for each chart length', () => {
    for (const [days, blocks, height, width] of [[5, 2, 32, 15], [20, 3, 64, 60], [60, 4, 96, 180]] as const) {
      const cnn = new JkxCnnEncoder({ days, baseChannels: 2, outDim: 2 });
      expect(cnn.config()).toMatchObject({ days, blocks, height, width });
      expect(cnn.layerGroups().length).toBe(blocks + 1);
      cnn.dispose();
    }
    const paper = new JkxCnnEncoder({ days: 20 });
    const kernels = paper.namedVariables().filter((n) => n.name.endsWith('conv.kernel')).map((n) => n.variable.shape);
    expect(kernels).toEqual([[5, 3, 1, 64], [5, 3, 64, 128], [5, 3, 128, 256]]);
    paper.dispose();
  });

  it('names the encoder and the mismatch on bad pixels', () => {
    const cnn = build({ type: 'vision/jkx-cnn', days: 5, baseChannels: 2, outDim: 2 });
    const wrong = tf.zeros([1, 64, 60, 1]) as tf.Tensor4D;
    expect(() => cnn.encode({ pixels: wrong }, false)).toThrow(/vision\/jkx-cnn: input "pixels" is 64x60, the encoder was built for 32x15/);
    const rgb = tf.zeros([1, 32, 15, 3]) as tf.Tensor4D;
    expect(() => cnn.encode({ pixels: rgb }, false)).toThrow(/3 channels.*inputChannels 1/);
    tf.dispose([wrong, rgb]);
    cnn.dispose();
  });

  describe.each(exampleCases(registry, TYPES))('$name', ({ example }) => {
    it('gives pooled [B, D] and, when it has tokens, [B, N, D] with a mask', () => {
      const encoder = build(example);
      const input = inputFor(encoder, 1);
      const out = encoder.encode(input, true);
      expect(out.pooled.shape).toEqual([B, encoder.outDim]);
      if (out.tokens !== undefined) {
        expect(out.tokens.shape[0]).toBe(B);
        expect(out.tokens.shape[2]).toBe(encoder.outDim);
        expect(out.tokenMask?.shape).toEqual([B, out.tokens.shape[1]]);
      }
      disposeOutput(out);
      tf.dispose(input.pixels);
      encoder.dispose();
    });

    it('sends a gradient to every trainable variable', () => {
      const encoder = build(example);
      const input = inputFor(encoder, 2);
      const vars = encoder.variables().filter((v) => v.trainable);
      expect(new Set(encoder.layerGroups().flat())).toEqual(new Set(vars));
      const { grads } = tf.variableGrads(() => {
        const out = encoder.encode(input, true);
        return tf.sum(tf.mul(out.pooled, tf.randomNormal(out.pooled.shape, 0, 1, 'float32', 3))) as tf.Scalar;
      }, vars);
      for (const v of vars) {
        const norm = tf.tidy(() => tf.sum(tf.abs(grads[v.name] as tf.Tensor)).dataSync()[0] as number);
        expect(norm, `gradient of ${v.name}`).toBeGreaterThan(0);
      }
      tf.dispose(Object.values(grads));
      tf.dispose(input.pixels);
      encoder.dispose();
    });

    it('rebuilds from config() with copied weights to identical outputs', () => {
      const encoder = build(example);
      // one training pass moves the running batch-norm statistics away from their initial values
      const warm = inputFor(encoder, 4);
      disposeOutput(encoder.encode(warm, true));
      const copy = rebuildWithCopiedWeights(registry, 'encoder', encoder) as Encoder<'image'>;
      const input = inputFor(encoder, 5);
      const [a, b] = [encoder.encode(input, false), copy.encode(input, false)];
      expect(tf.max(tf.abs(tf.sub(a.pooled, b.pooled))).dataSync()[0]).toBe(0);
      if (a.tokens !== undefined) expect(tf.max(tf.abs(tf.sub(a.tokens, b.tokens as tf.Tensor))).dataSync()[0]).toBe(0);
      [a, b].forEach(disposeOutput);
      tf.dispose([input.pixels, warm.pixels]);
      encoder.dispose();
      copy.dispose();
    });

    it('leaks no tensor over repeated training steps', () => {
      const encoder = build(example);
      const input = inputFor(encoder, 8);
      const optimizer = tf.train.adam(1e-3);
      const vars = encoder.variables().filter((v) => v.trainable);
      const step = (): void => {
        tf.tidy(() => {
          optimizer.minimize(() => tf.sum(tf.square(encoder.encode(input, true).pooled)) as tf.Scalar, false, vars);
        });
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      disposeOutput(encoder.encode(input, false));
      expect(tf.memory().numTensors).toBe(before);
      optimizer.dispose();
      tf.dispose(input.pixels);
      encoder.dispose();
    });
  });
});
