// fastText-style hashed word n-grams, and a tokenizer that appends their ids to another tokenizer's ids.
import type { TextTokenizer } from '@finmm/core';
import { bertWords } from '../tokenizers/bert-text.js';
import { fnv1a32 } from './fnv1a.js';

/**
 * Bucket ids of the word n-grams of length 2..n (all bigrams left to right, then all trigrams, ...): each n-gram is
 * its words joined by one space, hashed with FNV-1a 32-bit over UTF-8 bytes, modulo `buckets`. Reproducible in any
 * language: `fnv1a32("interest rate") % buckets`. n = 1 gives none.
 */
export function hashNgrams(words: readonly string[], n: number, buckets: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`hashNgrams: n must be an integer >= 1, got ${n}`);
  if (!Number.isInteger(buckets) || buckets < 1) throw new Error(`hashNgrams: buckets must be an integer >= 1, got ${buckets}`);
  const out: number[] = [];
  for (let k = 2; k <= n; k++) {
    for (let i = 0; i + k <= words.length; i++) out.push(fnv1a32(words.slice(i, i + k).join(' ')) % buckets);
  }
  return out;
}

/** Options of a `HashedNgramTokenizer`. */
export interface HashedNgramOptions {
  /** Longest n-gram hashed (2 = bigrams); default 2. */
  n?: number;
  /** Rows the n-grams are hashed into; default 100,000 (fastText uses 2M). */
  buckets?: number;
  /** Splits a text into the words n-grams are made of; default `bertWords` (lowercased BERT words). */
  words?: (text: string) => string[];
  /** Most ids `encode` returns: the base tokenizer's ids first, then as many n-gram ids as fit; default 512. */
  maxLength?: number;
}

/**
 * The input of `text/embedding-bag` in fastText style: the ids of a base tokenizer followed by the ids of the
 * text's hashed word n-grams, offset by the base vocabulary size (n-gram bucket b has id `base.vocabSize + b`).
 * `vocabSize` counts both, so an embedding table of `vocabSize` rows holds words and n-grams; padding uses the
 * base tokenizer's pad id (and attentionMask 0).
 *
 * ```ts
 * const featurizer = new HashedNgramTokenizer(HfTokenizer.fromFile(path), { n: 2, buckets: 50_000 });
 * registry.build('encoder', { type: 'text/embedding-bag', dim: 64 }, { vocabSize: featurizer.vocabSize });
 * ```
 */
export class HashedNgramTokenizer implements TextTokenizer {
  readonly padId: number;
  readonly vocabSize: number;
  readonly n: number;
  readonly buckets: number;
  readonly maxLength: number;
  private readonly words: (text: string) => string[];

  constructor(
    /** The tokenizer whose ids come first (a WordPiece tokenizer, or any word vocabulary). */
    readonly base: TextTokenizer,
    options: HashedNgramOptions = {},
  ) {
    this.n = options.n ?? 2;
    this.buckets = options.buckets ?? 100_000;
    hashNgrams([], this.n, this.buckets); // validates n and buckets
    this.maxLength = options.maxLength ?? 512;
    if (!Number.isInteger(this.maxLength) || this.maxLength < 1) throw new Error(`HashedNgramTokenizer: maxLength must be a positive integer, got ${this.maxLength}`);
    this.words = options.words ?? ((text) => bertWords(text));
    this.padId = base.padId;
    this.vocabSize = base.vocabSize + this.buckets;
  }

  /** The base ids of a text, then `base.vocabSize + bucket` for each of its hashed n-grams, at most `maxLength` ids. */
  encode(text: string): number[] {
    const ids = this.base.encode(text).slice(0, this.maxLength);
    for (const bucket of hashNgrams(this.words(text), this.n, this.buckets)) {
      if (ids.length >= this.maxLength) break;
      ids.push(this.base.vocabSize + bucket);
    }
    return ids;
  }
}
