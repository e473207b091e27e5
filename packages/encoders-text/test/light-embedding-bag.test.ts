// The hashed n-gram features (golden FNV-1a values) and the embedding bag learning a small sentiment task with them.
import * as tf from '@tensorflow/tfjs';
import { Rng, type TextTokenizer } from '@finmm/core';
import { describe, expect, it } from 'vitest';
import { EmbeddingBagEncoder, fnv1a32, hashNgrams, HashedNgramTokenizer } from '../src/light/index.js';

describe('fnv1a32 and hashNgrams', () => {
  it('match the FNV-1a 32-bit reference values', () => {
    // The published FNV-1a test vectors, then values computed independently (Python, UTF-8 bytes).
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(fnv1a32('interest rate')).toBe(0xa00076bb);
    expect(fnv1a32('operating profit')).toBe(0x415f1c22);
    expect(fnv1a32('äänekoski €')).toBe(0x83789ceb);
  });

  it('hash bigrams then trigrams, left to right, into the buckets', () => {
    expect(hashNgrams(['net', 'sales', 'rose', 'sharply'], 3, 1000)).toEqual([904, 190, 257, 71, 369]);
    expect(hashNgrams(['net', 'sales', 'rose'], 1, 1000)).toEqual([]);
    expect(hashNgrams(['net'], 2, 1000)).toEqual([]);
    expect(() => hashNgrams(['a'], 0, 10)).toThrow(/n must be/);
    expect(() => hashNgrams(['a'], 2, 0)).toThrow(/buckets must be/);
  });
});

/** A word-level tokenizer over a fixed word list: pad 0, unknown 1, words from 2. */
function wordTokenizer(words: readonly string[]): TextTokenizer {
  const ids = new Map(words.map((w, i) => [w, i + 2]));
  return { padId: 0, vocabSize: words.length + 2, encode: (text) => text.split(' ').map((w) => ids.get(w) ?? 1) };
}

const FILLER = ['the', 'company', 'said', 'its', 'quarter', 'was', 'very', 'in', 'sales', 'results', 'were', 'this', 'year', 'outlook', 'is', 'our', 'of', 'and'];
const POSITIVE = ['good', 'strong', 'great', 'solid', 'robust', 'excellent'];
const NEGATIVE = ['bad', 'weak', 'poor', 'dismal', 'soft', 'terrible'];

/** Sentences of fillers with one sentiment word, negated by a preceding "not" half of the time; label 1 = positive. */
function sentimentData(count: number, rng: Rng): Array<{ text: string; label: number }> {
  return Array.from({ length: count }, () => {
    const words = Array.from({ length: rng.int(3, 9) }, () => FILLER[rng.int(0, FILLER.length - 1)] as string);
    const positive = rng.int(0, 1) === 1;
    const word = (positive ? POSITIVE : NEGATIVE)[rng.int(0, POSITIVE.length - 1)] as string;
    const negated = rng.int(0, 1) === 1;
    words.splice(rng.int(0, words.length), 0, ...(negated ? ['not', word] : [word]));
    return { text: words.join(' '), label: positive !== negated ? 1 : 0 };
  });
}

/** Padded ids and mask `[B, T]` of texts. */
function batchOf(tokenizer: TextTokenizer, texts: string[]): { ids: tf.Tensor2D; attentionMask: tf.Tensor2D } {
  const seqs = texts.map((t) => tokenizer.encode(t));
  const seqLen = Math.max(...seqs.map((s) => s.length));
  const ids = new Int32Array(texts.length * seqLen).fill(tokenizer.padId);
  const mask = new Float32Array(texts.length * seqLen);
  seqs.forEach((s, b) => s.forEach((id, t) => ((ids[b * seqLen + t] = id), (mask[b * seqLen + t] = 1))));
  return { ids: tf.tensor2d(ids, [texts.length, seqLen], 'int32'), attentionMask: tf.tensor2d(mask, [texts.length, seqLen]) }; // [B, T] each
}

/** Trains an embedding bag + linear head on the task with `tokenizer`; returns the held-out accuracy. */
function trainAndScore(tokenizer: TextTokenizer, steps: number): number {
  const rng = Rng.fromSeed(5);
  const train = sentimentData(2000, rng);
  const test = sentimentData(500, rng);
  const bag = new EmbeddingBagEncoder({ vocabSize: tokenizer.vocabSize, dim: 16, dropout: 0, seed: 1 });
  const head = tf.variable(tf.randomNormal([16, 1], 0, 0.1, 'float32', 2)); // [D, 1]
  const bias = tf.variable(tf.zeros([1]));
  const optimizer = tf.train.adam(0.05);
  const logits = (input: { ids: tf.Tensor2D; attentionMask: tf.Tensor2D }, training: boolean): tf.Tensor1D => {
    const out = bag.encode(input, training);
    const z = tf.reshape(tf.add(tf.matMul(out.pooled, head), bias), [-1]) as tf.Tensor1D; // [B, 1] -> [B]
    tf.dispose([out.pooled, out.tokens, out.tokenMask]);
    return z;
  };
  for (let step = 0; step < steps; step++) {
    const rows = Array.from({ length: 64 }, () => train[rng.int(0, train.length - 1)] as { text: string; label: number });
    const input = batchOf(tokenizer, rows.map((r) => r.text));
    const labels = tf.tensor1d(rows.map((r) => r.label));
    optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(labels, logits(input, true)) as tf.Scalar, false, [...bag.variables(), head, bias]);
    tf.dispose([input.ids, input.attentionMask, labels]);
  }
  const input = batchOf(tokenizer, test.map((r) => r.text));
  const predicted = tf.tidy(() => Array.from(tf.greater(logits(input, false), 0).dataSync()));
  tf.dispose([input.ids, input.attentionMask]);
  optimizer.dispose();
  tf.dispose([head, bias]);
  bag.dispose();
  return predicted.filter((p, i) => p === test[i]?.label).length / test.length;
}

describe('text/embedding-bag with hashed bigrams', () => {
  const words = wordTokenizer([...FILLER, ...POSITIVE, ...NEGATIVE, 'not']);

  it('appends n-gram ids after the word ids, offset by the base vocabulary size', () => {
    const featurizer = new HashedNgramTokenizer(words, { n: 2, buckets: 1000, words: (t) => t.split(' ') });
    expect(featurizer.vocabSize).toBe(words.vocabSize + 1000);
    expect(featurizer.padId).toBe(0);
    const base = words.encode('sales not good');
    expect(featurizer.encode('sales not good')).toEqual([...base, ...hashNgrams(['sales', 'not', 'good'], 2, 1000).map((b) => words.vocabSize + b)]);
    expect(new HashedNgramTokenizer(words, { buckets: 1000, maxLength: 4 }).encode('sales not good')).toHaveLength(4);
  });

  it('learns negated sentiment (> 0.95 held-out accuracy), which word ids alone cannot express', () => {
    const withBigrams = trainAndScore(new HashedNgramTokenizer(words, { n: 2, buckets: 2048 }), 150);
    expect(withBigrams).toBeGreaterThan(0.95);
    const unigramsOnly = trainAndScore(words, 150);
    expect(unigramsOnly).toBeLessThan(0.85);
  });
});
