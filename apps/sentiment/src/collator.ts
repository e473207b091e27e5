// The text collator of sentiment batches: each branch's ids padded to the longest sentence of the batch (not to a
// fixed length, so short batches run the transformer on short sequences).
import * as tf from '@tensorflow/tfjs';
import { Rng, type TextInput } from '@finmm/core';
import { padSequences, type Collator } from '@finmm/data';
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

/** Padded int32 ids and float32 mask `[B, T]`, T the longest sequence (at least 1). */
function padded(seqs: ReadonlyArray<readonly number[]>, padId: number): { ids: tf.Tensor2D; mask: tf.Tensor2D } {
  const longest = Math.max(1, ...seqs.map((s) => s.length));
  const { ids, mask } = padSequences(seqs, longest, padId);
  return {
    ids: tf.tensor2d(ids, [seqs.length, longest], 'int32'), // [B, T]
    mask: tf.tensor2d(mask, [seqs.length, longest], 'float32'), // [B, T]
  };
}

/** The text input of encoded sentences (a DualTextInput when the model has both branches). */
export function textInput(featurizer: SentimentFeaturizer, encoded: readonly EncodedText[]): TextInput | DualTextInput {
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

/** A data collator reading TEXT_COLUMN; every row must hold a non-empty string. `dropout` is for training batches only. */
export function sentimentCollator(featurizer: SentimentFeaturizer, dropout: NgramDropout | null = null): Collator<'text'> {
  const rng = dropout === null || dropout.rate === 0 ? null : Rng.fromSeed(dropout.seed);
  const drop = (e: EncodedText): EncodedText => {
    if (rng === null || featurizer.ngram === null) return e;
    const rate = (dropout as NgramDropout).rate;
    return featurizer.dual ? { ids: e.ids, ngramIds: dropIds(e.ngramIds ?? [], rate, rng) } : { ids: dropIds(e.ids, rate, rng) };
  };
  return {
    modality: 'text',
    columns: [TEXT_COLUMN],
    collate(context) {
      const values = context.values[TEXT_COLUMN];
      if (values === undefined) throw new Error(`sentiment collator: column "${TEXT_COLUMN}" was not provided`);
      const encoded = values.map((v, b) => {
        if (typeof v !== 'string') throw new Error(`sentiment collator: row ${context.rows[b] ?? b}: expected a text, got ${JSON.stringify(v)}`);
        return drop(featurizer.encode(v));
      });
      return { input: textInput(featurizer, encoded), present: tf.ones([values.length]) as tf.Tensor1D };
    },
  };
}
