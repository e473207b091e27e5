import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { FtTransformerEncoder, TabularMlpEncoder } from '../src/index.js';

const mlpOptions = { numericFeatures: 1, cardinalities: [3], embeddingDim: 2, hidden: [4], outDim: 3, activation: 'relu' as const, dropout: 0, seed: 5 };
const ftOptions = {
  numericFeatures: 1,
  cardinalities: [3],
  dim: 4,
  layers: 1,
  heads: 2,
  ffnDim: 8,
  activation: 'gelu' as const,
  dropout: 0,
  attentionDropout: 0,
  seed: 5,
};

describe.each([
  ['tabular/mlp', () => new TabularMlpEncoder(mlpOptions)],
  ['tabular/ft-transformer', () => new FtTransformerEncoder(ftOptions)],
])('%s', (_name, make) => {
  it('maps out-of-range category indices to the unknown slot 0', () => {
    const encoder = make();
    const numeric = tf.tensor2d([[0.5], [0.5], [0.5]]);
    const out = encoder.encode({ numeric, categorical: tf.tensor2d([[0], [7], [-2]], [3, 1], 'int32') }, false);
    const rows = out.pooled.arraySync();
    for (const row of [rows[1], rows[2]]) row?.forEach((x, j) => expect(x).toBeCloseTo(rows[0]?.[j] as number, 5));
    tf.dispose([numeric, out.pooled]);
    encoder.dispose();
  });

  it('adds an embedding delta to what embed() returns, so encodeEmbeddings(embed + delta) equals encode(delta)', () => {
    const encoder = make();
    const input = { numeric: tf.tensor2d([[1], [-1]]), categorical: tf.tensor2d([[1], [2]], [2, 1], 'int32') };
    const e = encoder.embed(input);
    const delta = tf.randomNormal(e.shape, 0, 0.1, 'float32', 1);
    const viaEncode = encoder.encode(input, false, { embeddingDelta: delta as never });
    const viaEmbeddings = encoder.encodeEmbeddings(input, tf.add(e, delta) as never, false);
    const plain = encoder.encode(input, false);
    expect(tf.max(tf.abs(tf.sub(viaEncode.pooled, viaEmbeddings.pooled))).dataSync()[0]).toBeLessThan(1e-6);
    expect(tf.max(tf.abs(tf.sub(plain.pooled, viaEncode.pooled))).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([input.numeric, input.categorical, e, delta, viaEncode.pooled, viaEmbeddings.pooled, plain.pooled]);
    encoder.dispose();
  });
});

describe('FT-Transformer', () => {
  it('gives each feature its own token after CLS', () => {
    const encoder = new FtTransformerEncoder({ ...ftOptions, numericFeatures: 2, cardinalities: [3, 4] });
    const input = { numeric: tf.zeros([2, 2]) as tf.Tensor2D, categorical: tf.zeros([2, 2], 'int32') as tf.Tensor2D };
    expect(encoder.embed(input).shape).toEqual([2, 4, 4]);
    const out = encoder.encode(input, false);
    expect(out.tokens?.shape).toEqual([2, 5, 4]);
    expect(encoder.layerGroups()).toHaveLength(3);
    tf.dispose([input.numeric, input.categorical, out.pooled, out.tokens as tf.Tensor, out.tokenMask as tf.Tensor]);
    encoder.dispose();
  });
});
