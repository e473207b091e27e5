// Registry-parametrised tests of the light text encoders (text/embedding-bag, text/cnn): shapes, gradients, config
// round trip, padding invariance, embedding perturbations and no tensor leaks.
import * as tf from '@tensorflow/tfjs';
import { ConfigError, Registry, type Encoder, type EncoderOutput, type TextInput } from '@finmm/core';
import { describe, expect, it } from 'vitest';
import { encoderVariablesWithoutGradient } from '../../../tools/test-helpers/gradients.js';
import { exampleCases } from '../../../tools/test-helpers/registry.js';
import { LIGHT_TEXT_ENCODER_TYPES, registerLightTextEncoders, type LightEncodeOptions } from '../src/light/index.js';

const reg = new Registry();
registerLightTextEncoders(reg);
registerLightTextEncoders(reg); // a second call is a no-op

/** What the light encoders offer beyond core's Encoder: a perturbation option and the embedding layer. */
type LightEncoder = Encoder<'text'> & {
  encode(input: TextInput, training: boolean, options?: LightEncodeOptions): EncoderOutput;
  embed(input: TextInput): tf.Tensor3D;
  encodeEmbeddings(input: TextInput, vectors: tf.Tensor3D, training: boolean): EncoderOutput;
};

/** Ids `[B, T]` with rows of real lengths `lengths` (ids cycling through the vocabulary), padding id 0 after them. */
function textBatch(lengths: number[], seqLen: number, vocabSize: number, padFill: (b: number, t: number) => number = () => 0): TextInput {
  const ids = new Int32Array(lengths.length * seqLen);
  const mask = new Float32Array(lengths.length * seqLen);
  lengths.forEach((len, b) => {
    for (let t = 0; t < seqLen; t++) {
      const real = t < len;
      ids[b * seqLen + t] = real ? 1 + ((b * 7 + t * 3) % (vocabSize - 1)) : padFill(b, t);
      mask[b * seqLen + t] = real ? 1 : 0;
    }
  });
  return {
    ids: tf.tensor2d(ids, [lengths.length, seqLen], 'int32'), // [B, T]
    attentionMask: tf.tensor2d(mask, [lengths.length, seqLen], 'float32'), // [B, T]
  };
}

function disposeInput(input: TextInput): void {
  tf.dispose([input.ids, input.attentionMask]);
}

function disposeOutput(out: EncoderOutput): void {
  tf.dispose(out as unknown as tf.TensorContainerObject);
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);
}

describe.each(exampleCases(reg, LIGHT_TEXT_ENCODER_TYPES))('$name', ({ example }) => {
  const lengths = [5, 2, 7];

  it('has the contract shapes and sends gradients to every variable', () => {
    const encoder = reg.build('encoder', example) as LightEncoder;
    const vocab = encoder.config()['vocabSize'] as number;
    const input = textBatch(lengths, 7, vocab);
    const out = encoder.encode(input, false);
    expect(out.pooled.shape).toEqual([3, encoder.outDim]);
    expect(out.tokens?.shape).toEqual([3, 7, encoder.outDim]);
    expect(out.tokenMask?.arraySync()).toEqual(input.attentionMask.arraySync());
    expect(encoderVariablesWithoutGradient(encoder, input)).toEqual([]);
    const grouped = encoder.layerGroups().flat();
    expect(new Set(grouped).size).toBe(encoder.variables().length);
    expect(new Set(encoder.variables().map((v) => v.name)).size).toBe(encoder.variables().length);
    disposeOutput(out);
    disposeInput(input);
    encoder.dispose();
  });

  it('rebuilds from config() with copied weights to identical outputs', () => {
    const encoder = reg.build('encoder', example) as LightEncoder;
    const rebuilt = reg.build('encoder', encoder.config()) as LightEncoder;
    expect(rebuilt.config()).toEqual(encoder.config());
    expect(reg.validate('encoder', encoder.config())).toEqual(encoder.config());
    rebuilt.variables().forEach((v, i) => v.assign(encoder.variables()[i] as tf.Variable));
    const input = textBatch(lengths, 7, encoder.config()['vocabSize'] as number);
    const a = encoder.encode(input, false);
    const b = rebuilt.encode(input, false);
    expect(Array.from(b.pooled.dataSync())).toEqual(Array.from(a.pooled.dataSync()));
    expect(Array.from((b.tokens as tf.Tensor).dataSync())).toEqual(Array.from((a.tokens as tf.Tensor).dataSync()));
    [a, b].forEach(disposeOutput);
    disposeInput(input);
    rebuilt.dispose();
    encoder.dispose();
  });

  it('gives the same pooled output whatever the padding length and padding ids', () => {
    const encoder = reg.build('encoder', example) as LightEncoder;
    const vocab = encoder.config()['vocabSize'] as number;
    const tight = textBatch(lengths, 7, vocab);
    const padded = textBatch(lengths, 12, vocab, (b, t) => (b + t) % vocab);
    const a = encoder.encode(tight, false);
    const b = encoder.encode(padded, false);
    expect(maxDiff(a.pooled, b.pooled)).toBeLessThan(1e-6);
    [a, b].forEach(disposeOutput);
    [tight, padded].forEach(disposeInput);
    encoder.dispose();
  });

  it('adds an embedding perturbation that the output depends on', () => {
    const encoder = reg.build('encoder', example) as LightEncoder;
    const input = textBatch(lengths, 7, encoder.config()['vocabSize'] as number);
    const embedded = encoder.embed(input);
    const zero = tf.zerosLike(embedded);
    const plain = encoder.encode(input, false);
    const same = encoder.encode(input, false, { embeddingDelta: zero });
    expect(maxDiff(plain.pooled, same.pooled)).toBe(0);
    const viaEmbeddings = encoder.encodeEmbeddings(input, embedded, false);
    expect(maxDiff(plain.pooled, viaEmbeddings.pooled)).toBe(0);
    const grad = tf.grad((delta: tf.Tensor) => tf.sum(tf.square(encoder.encode(input, false, { embeddingDelta: delta as tf.Tensor3D }).pooled)))(zero);
    expect(grad.shape).toEqual(embedded.shape);
    expect(tf.tidy(() => tf.max(tf.abs(grad)).dataSync()[0] as number)).toBeGreaterThan(0);
    const wrong = tf.zeros([3, 7, 1]) as tf.Tensor3D;
    expect(() => encoder.encode(input, false, { embeddingDelta: wrong })).toThrow();
    tf.dispose([embedded, zero, grad, wrong]);
    [plain, same, viaEmbeddings].forEach(disposeOutput);
    disposeInput(input);
    encoder.dispose();
  });

  it('leaks no tensors over repeated training steps', () => {
    const encoder = reg.build('encoder', example) as LightEncoder;
    const input = textBatch(lengths, 7, encoder.config()['vocabSize'] as number);
    const optimizer = tf.train.adam(0.01);
    const step = (): void => {
      const loss = optimizer.minimize(() => tf.mean(tf.square(encoder.encode(input, true).pooled)) as tf.Scalar, true, encoder.variables());
      loss?.dispose();
    };
    step(); // creates the optimizer's slots
    const before = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    disposeInput(input);
    const [beforeDispose, variables] = [tf.memory().numTensors, encoder.variables().length];
    encoder.dispose();
    expect(tf.memory().numTensors).toBe(beforeDispose - variables);
  });
});

describe('light encoder configs', () => {
  it('takes vocabSize from the build context and fills defaults into config()', () => {
    const bag = reg.build('encoder', { type: 'text/embedding-bag' }, { vocabSize: 40 });
    expect(bag.config()).toEqual({ type: 'text/embedding-bag', vocabSize: 40, dim: 64, dropout: 0 });
    const cnn = reg.build('encoder', { type: 'text/cnn', seed: 3 }, { vocabSize: 40 });
    expect(cnn.config()).toEqual({ type: 'text/cnn', vocabSize: 40, embeddingDim: 64, widths: [3, 4, 5], filters: 32, dropout: 0.5, seed: 3 });
    expect(cnn.outDim).toBe(96);
    expect(cnn.layerGroups().map((g) => g.length)).toEqual([1, 6]);
    bag.dispose();
    cnn.dispose();
  });

  it('names the bad field', () => {
    expect(() => reg.build('encoder', { type: 'text/embedding-bag' })).toThrow(expect.objectContaining({ field: 'vocabSize' }) as ConfigError);
    expect(() => reg.build('encoder', { type: 'text/cnn', vocabSize: 10, widths: [] }, {}, 'encoders.text')).toThrow(
      expect.objectContaining({ field: 'encoders.text.widths' }) as ConfigError,
    );
    expect(() => reg.build('encoder', { type: 'text/embedding-bag', vocabSize: 10, buckets: 5 })).toThrow(/buckets/);
  });

  it('rejects a mask of another shape than the ids', () => {
    const bag = reg.build('encoder', { type: 'text/embedding-bag', vocabSize: 10, dim: 4 });
    const ids = tf.zeros([2, 3], 'int32') as tf.Tensor2D;
    const attentionMask = tf.ones([2, 4]) as tf.Tensor2D;
    expect(() => bag.encode({ ids, attentionMask }, false)).toThrow(/"text.attentionMask" has shape \[2, 4\]; expected \[2, 3\]/);
    tf.dispose([ids, attentionMask]);
    bag.dispose();
  });
});
