// The text collator of sentiment batches: each branch's ids padded to the longest sentence of the batch (not to a
// fixed length, so short batches run the transformer on short sequences), and the sparse TF-IDF rows likewise.
import * as tf from '@tensorflow/tfjs';
import { Rng, type TextInput } from '@finmm/core';
import { padSequences, type Collator } from '@finmm/data';
import type { SparseRow } from '@finmm/encoders-text';
import type { EncodingCache } from './encoding-cache.js';
import type { EncodedText, SentimentFeaturizer } from './text-features.js';

/** The table column the collator reads. */
export const TEXT_COLUMN = 'text';

/**
 * A text input with the n-gram branch's ids next to the transformer's: what `text/ngram-transformer` encodes.
 * The extra tensors are flat fields, so that every batch disposer frees them.
 */
export interface DualTextInput extends TextInput {
  /** Hashed n-gram branch ids `[B, T2]` (int32). */
  ngramIds: tf.Tensor2D;
  /** 1 for real n-gram ids, 0 for padding, `[B, T2]`. */
  ngramMask: tf.Tensor2D;
}

/**
 * A text input with the TF-IDF branch's sparse rows next to the token branches' ids: what `text/tfidf-plus` encodes.
 * The extra tensors are flat fields, so that every batch disposer frees them.
 */
export interface TfidfTextInput extends TextInput {
  /** Columns of each sentence's non-zero TF-IDF features `[B, T3]` (int32). */
  tfidfIds: tf.Tensor2D;
  /** Their values, 0 for padding `[B, T3]`. */
  tfidfValues: tf.Tensor2D;
}

/** Sparse rows as padded columns (int32) and values (float32, 0 for padding) `[B, T]`, T the longest row (at least 1). */
export function paddedSparse(rows: readonly SparseRow[]): { ids: tf.Tensor2D; values: tf.Tensor2D } {
  const longest = Math.max(1, ...rows.map((r) => r.indices.length));
  const ids = new Int32Array(rows.length * longest);
  const values = new Float32Array(rows.length * longest);
  rows.forEach((r, b) => {
    ids.set(r.indices, b * longest);
    values.set(r.values, b * longest);
  });
  return { ids: tf.tensor2d(ids, [rows.length, longest], 'int32'), values: tf.tensor2d(values, [rows.length, longest], 'float32') }; // [B, T], [B, T]
}

/** Padded int32 ids and float32 mask `[B, T]`, T the longest sequence (at least 1). */
function padded(seqs: ReadonlyArray<readonly number[]>, padId: number): { ids: tf.Tensor2D; mask: tf.Tensor2D } {
  const longest = Math.max(1, ...seqs.map((s) => s.length));
  const { ids, mask } = padSequences(seqs, longest, padId);
  return {
    ids: tf.tensor2d(ids, [seqs.length, longest], 'int32'), // [B, T]
    mask: tf.tensor2d(mask, [seqs.length, longest], 'float32'), // [B, T]
  };
}

const NO_ROW: SparseRow = { indices: [], values: [] };

/**
 * The text input of encoded sentences: a DualTextInput when the model has both token branches; with the TF-IDF
 * branch, a TfidfTextInput (or, for the TF-IDF branch alone, its sparse rows as `ids` = columns, `attentionMask` = values).
 */
export function textInput(featurizer: SentimentFeaturizer, encoded: readonly EncodedText[]): TextInput | DualTextInput | TfidfTextInput {
  const sparse = featurizer.tfidf === null ? null : paddedSparse(encoded.map((e) => e.tfidf ?? NO_ROW));
  if (sparse !== null && !featurizer.tokens) return { ids: sparse.ids, attentionMask: sparse.values };
  const tokens = tokenInput(featurizer, encoded);
  return sparse === null ? tokens : { ...tokens, tfidfIds: sparse.ids, tfidfValues: sparse.values };
}

/** The token branches' input of encoded sentences (a DualTextInput when the model has both). */
function tokenInput(featurizer: SentimentFeaturizer, encoded: readonly EncodedText[]): TextInput | DualTextInput {
  const primary = padded(encoded.map((e) => e.ids), featurizer.padId);
  if (!featurizer.dual) return { ids: primary.ids, attentionMask: primary.mask };
  const ngram = padded(encoded.map((e) => e.ngramIds ?? []), featurizer.ngram?.padId ?? 0);
  return { ids: primary.ids, attentionMask: primary.mask, ngramIds: ngram.ids, ngramMask: ngram.mask };
}

/** Word dropout of the n-gram branch in training (Iyyer et al. 2015): each id is dropped with probability `rate`. */
export interface NgramDropout {
  rate: number;
  /** Seed of the drops; batches are collated in order, so a run's drops are reproducible. */
  seed: number;
}

/** The n-gram ids with each dropped with probability `rate` (at least one kept). */
export function dropIds(ids: readonly number[], rate: number, rng: Rng): number[] {
  const kept = ids.filter(() => rng.float() >= rate);
  return kept.length > 0 || ids.length === 0 ? kept : [ids[rng.int(0, ids.length - 1)] as number];
}

/**
 * A data collator reading TEXT_COLUMN; every row must hold a non-empty string. `dropout` is for training batches
 * only; `cache` keeps each row's encoding for the next epoch (the dropout is applied to a copy).
 */
export function sentimentCollator(featurizer: SentimentFeaturizer, dropout: NgramDropout | null = null, cache: EncodingCache | null = null): Collator<'text'> {
  const rng = dropout === null || dropout.rate === 0 ? null : Rng.fromSeed(dropout.seed);
  const drop = (e: EncodedText): EncodedText => {
    if (rng === null || featurizer.ngram === null) return e;
    const rate = (dropout as NgramDropout).rate;
    return featurizer.dual ? { ...e, ngramIds: dropIds(e.ngramIds ?? [], rate, rng) } : { ...e, ids: dropIds(e.ids, rate, rng) };
  };
  return {
    modality: 'text',
    columns: [TEXT_COLUMN],
    collate(context) {
      const values = context.values[TEXT_COLUMN];
      if (values === undefined) throw new Error(`sentiment collator: column "${TEXT_COLUMN}" was not provided`);
      const encoded = values.map((v, b) => {
        if (typeof v !== 'string') throw new Error(`sentiment collator: row ${context.rows[b] ?? b}: expected a text, got ${JSON.stringify(v)}`);
        const row = context.rows[b] ?? b;
        return drop(cache === null ? featurizer.encode(v) : cache.get(row, v, (text) => featurizer.encode(text)));
      });
      return { input: textInput(featurizer, encoded), present: tf.ones([values.length]) as tf.Tensor1D };
    },
  };
}
