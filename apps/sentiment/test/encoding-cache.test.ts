// The encoding cache of training batches: a row is encoded once per fit, an entry serves only the same text at the
// same row, the budget bounds what is kept, and word dropout never alters a kept encoding.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { TextInput } from '@finmm/core';
import { parseSentimentConfig } from '../src/config.js';
import { sentimentCollator } from '../src/collator.js';
import { EncodingCache, encodedSize } from '../src/encoding-cache.js';
import { prepareText } from '../src/model/build.js';
import type { EncodedText } from '../src/text-features.js';
import { syntheticReviews } from './helpers.js';

const texts = syntheticReviews(60, 3).map((r) => r.review);

/** A counting encoder: each call returns a fresh encoding of the text's length. */
function counter(): { encode: (text: string) => EncodedText; calls: () => number } {
  let calls = 0;
  const encode = (text: string): EncodedText => {
    calls++;
    return { ids: Array.from({ length: text.length }, (_, i) => i) };
  };
  return { encode, calls: () => calls };
}

describe('EncodingCache', () => {
  it('encodes a row once and serves the kept encoding after', () => {
    const cache = new EncodingCache();
    const c = counter();
    const first = cache.get(4, 'profit rose', c.encode);
    expect(cache.get(4, 'profit rose', c.encode)).toBe(first);
    expect(c.calls()).toBe(1);
    expect([cache.rows, cache.storedNumbers]).toEqual([1, 'profit rose'.length]);
  });

  it('encodes anew when the row holds another text, keeping the first entry', () => {
    const cache = new EncodingCache();
    const c = counter();
    const kept = cache.get(0, 'sales fell', c.encode);
    const other = cache.get(0, 'sales rose sharply', c.encode);
    expect(other.ids).toHaveLength('sales rose sharply'.length);
    expect(cache.get(0, 'sales fell', c.encode)).toBe(kept);
    expect(c.calls()).toBe(2);
  });

  it('keeps rows only while the budget lasts', () => {
    const cache = new EncodingCache(10);
    const c = counter();
    cache.get(0, 'abcdef', c.encode); // 6 numbers: kept
    cache.get(1, 'ghijkl', c.encode); // 12 in all: over the budget, not kept
    cache.get(1, 'ghijkl', c.encode);
    expect([cache.rows, cache.storedNumbers, c.calls()]).toEqual([1, 6, 3]);
    const none = new EncodingCache(0);
    none.get(0, 'a', c.encode);
    expect(none.rows).toBe(0);
  });

  it('refuses a budget that is not a number >= 0, and takes Infinity', () => {
    expect(() => new EncodingCache(-1)).toThrow(/budget must be a number >= 0 \(Infinity: keep every row\), got -1/);
    expect(() => new EncodingCache(Number.NaN)).toThrow(/budget must be a number >= 0/);
    expect(new EncodingCache(Number.POSITIVE_INFINITY).budget).toBe(Number.POSITIVE_INFINITY);
  });

  it('counts ids, n-gram ids and both halves of a TF-IDF row', () => {
    expect(encodedSize({ ids: [1, 2], ngramIds: [3], tfidf: { indices: [0, 5, 9], values: [0.1, 0.2, 0.3] } })).toBe(9);
  });

  it('gives collated batches equal to uncached ones, and word dropout leaves the kept encodings whole', async () => {
    const config = parseSentimentConfig(
      { name: 'cache', data: { source: 'phrasebank' }, model: { tfidf: { dim: 4 }, ngram: { buckets: 500, dim: 8, maxLength: 48, wordDropout: 0.5 }, tokenizer: { vocabSize: 200, minFrequency: 1 }, fusion: { type: 'fusion/concat', outDim: 8 } } },
      'test config',
    );
    const prepared = prepareText(config.model, texts);
    const rows = [0, 1, 2, 3];
    const values = { text: rows.map((r) => texts[r] as string) };
    const cache = new EncodingCache();
    const arrays = (input: TextInput): unknown[] => Object.values(input as unknown as Record<string, tf.Tensor>).map((t) => t.arraySync());
    const plain = await sentimentCollator(prepared.featurizer).collate({ values, rows });
    const cached = sentimentCollator(prepared.featurizer, null, cache);
    const again = [await cached.collate({ values, rows }), await cached.collate({ values, rows })];
    for (const batch of again) expect(arrays(batch.input)).toEqual(arrays(plain.input));
    const dropping = sentimentCollator(prepared.featurizer, { rate: 0.5, seed: 1 }, cache);
    const dropped = await dropping.collate({ values, rows });
    const afterDrop = await cached.collate({ values, rows });
    expect(arrays(dropped.input)).not.toEqual(arrays(plain.input));
    expect(arrays(afterDrop.input)).toEqual(arrays(plain.input));
    expect(cache.rows).toBe(rows.length);
    for (const batch of [plain, ...again, dropped, afterDrop]) {
      tf.dispose(Object.values(batch.input as unknown as Record<string, tf.Tensor>));
      batch.present.dispose();
    }
  });
});
