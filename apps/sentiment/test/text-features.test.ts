// The text side of sentiment models: the n-gram branch's ids (pieces, hashed word n-grams, hashed character
// n-grams), padding to the longest sentence of a batch, word dropout, and evenly spaced data slices.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '@finmm/core';
import { fnv1a32, hashNgrams } from '@finmm/encoders-text';
import { dropIds, textInput } from '../src/collator.js';
import { limitSplit } from '../src/data.js';
import { hashCharNgrams, SentimentFeaturizer, trainSentimentTokenizer } from '../src/text-features.js';

const texts = ['Net sales rose 5 % to EUR 10 mn .', 'Operating profit fell .', 'The company said sales rose .', 'Profit rose and sales rose .'];
const tokenizer = trainSentimentTokenizer(texts, { vocabSize: 120, minFrequency: 1 });
const baseVocab = Object.keys(tokenizer.model.vocab).length;

describe('hashed character n-grams', () => {
  it('hash each word wrapped in < > (lengths min..max), leaving out the whole word', () => {
    const spec = { min: 2, max: 3, buckets: 1000 };
    const expected = ['<a', 'ab', 'b>', '<ab', 'ab>'].map((g) => fnv1a32(g) % 1000);
    expect(hashCharNgrams(['ab'], spec)).toEqual(expected);
    expect(hashCharNgrams(['ab', 'ab'], spec)).toEqual([...expected, ...expected]);
    expect(hashCharNgrams(['x'], { min: 3, max: 5, buckets: 7 })).toEqual([]); // "<x>" is the whole word
  });
});

describe('SentimentFeaturizer', () => {
  it('gives the n-gram branch pieces, then word n-grams, then character n-grams, each in its own id range', () => {
    const chars = { min: 3, max: 4, buckets: 500 };
    const f = new SentimentFeaturizer(tokenizer, { ngram: { n: 2, buckets: 300, maxLength: 1000, chars }, transformer: null });
    expect(f.ngramVocabSize).toBe(baseVocab + 300 + 500);
    const text = 'Profit rose';
    const { ids, ngramIds } = f.encode(text);
    expect(ngramIds).toBeUndefined();
    const pieces = ids.filter((id) => id < baseVocab);
    const words = ids.filter((id) => id >= baseVocab && id < baseVocab + 300).map((id) => id - baseVocab);
    const charIds = ids.filter((id) => id >= baseVocab + 300).map((id) => id - baseVocab - 300);
    expect(pieces.length).toBeGreaterThanOrEqual(2);
    expect(words).toEqual(hashNgrams(['profit', 'rose'], 2, 300));
    expect(charIds).toEqual(hashCharNgrams(['profit', 'rose'], chars));
    expect(ids).toEqual([...pieces, ...words.map((w) => w + baseVocab), ...charIds.map((c) => c + baseVocab + 300)]); // in that order
    const short = new SentimentFeaturizer(tokenizer, { ngram: { n: 2, buckets: 300, maxLength: 5, chars }, transformer: null });
    expect(short.encode(text).ids).toEqual(ids.slice(0, 5));
  });

  it('gives both branches their ids when the model has both; an empty text is an error', () => {
    const f = new SentimentFeaturizer(tokenizer, { ngram: { n: 2, buckets: 50, maxLength: 64, chars: null }, transformer: { maxLength: 6 } });
    expect(f.dual).toBe(true);
    const { ids, ngramIds } = f.encode('Net sales rose 5 % to EUR 10 mn .');
    expect(ids).toHaveLength(6); // [CLS] ... [SEP], truncated
    expect(ids[0]).toBe(tokenizer.model.vocab['[CLS]']);
    expect(ids[5]).toBe(tokenizer.model.vocab['[SEP]']);
    expect(ngramIds?.some((id) => id >= baseVocab)).toBe(true);
    expect(ngramIds).not.toContain(tokenizer.model.vocab['[CLS]']);
    expect(() => f.encode('  ')).toThrow('the text is empty');
  });
});

describe('batches', () => {
  it('pad each branch to the longest sentence of the batch', () => {
    const f = new SentimentFeaturizer(tokenizer, { ngram: { n: 2, buckets: 50, maxLength: 64, chars: null }, transformer: { maxLength: 32 } });
    const encoded = ['Profit rose .', 'Net sales rose 5 % to EUR 10 mn .'].map((t) => f.encode(t));
    const input = textInput(f, encoded) as ReturnType<typeof textInput> & { ngramIds: tf.Tensor2D; ngramMask: tf.Tensor2D };
    expect(input.ids.shape).toEqual([2, encoded[1]?.ids.length]);
    expect(input.ngramIds.shape).toEqual([2, encoded[1]?.ngramIds?.length]);
    expect(Array.from(input.attentionMask.sum(1).dataSync())).toEqual(encoded.map((e) => e.ids.length));
    expect(Array.from(input.ngramMask.sum(1).dataSync())).toEqual(encoded.map((e) => e.ngramIds?.length));
    tf.dispose(Object.values(input));
  });

  it('drop n-gram ids at the word-dropout rate, reproducibly, keeping at least one', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => i);
    expect(dropIds(ids, 0, Rng.fromSeed(1))).toEqual(ids);
    const kept = dropIds(ids, 0.3, Rng.fromSeed(1));
    expect(kept.length).toBeGreaterThan(640);
    expect(kept.length).toBeLessThan(760);
    expect(dropIds(ids, 0.3, Rng.fromSeed(1))).toEqual(kept);
    expect(dropIds([7, 8], 0.99999, Rng.fromSeed(2))).toHaveLength(1);
  });
});

describe('data slices', () => {
  it('take evenly spaced rows of each part', () => {
    const split = { train: Array.from({ length: 10 }, (_, i) => i), validation: [20, 21], test: [30, 31, 32, 33] };
    expect(limitSplit(split, 5)).toEqual({ train: [0, 2, 4, 6, 8], validation: [20, 21], test: [30, 31, 32, 33] });
    expect(limitSplit(split, undefined)).toBe(split);
  });
});
