// Turns tokenized texts into model-length sequences: one text per sequence, or several texts packed into each
// (`[CLS] a [SEP] b [SEP] ...`, RoBERTa's FULL-SENTENCES), in an order drawn from a seed.
import { Rng } from '@finmm/core';
import type { MlmVocab } from './mlm-vocab.js';

/** How texts become sequences. */
export interface SequenceOptions {
  /** Longest sequence in tokens, special tokens included. */
  maxLength: number;
  /** Pack consecutive texts into sequences of up to maxLength tokens; default true (one text per sequence if false). */
  pack?: boolean;
}

/**
 * Sequences of `texts` (token ids without special tokens) in the order of `order` (indices into texts): each starts
 * with [CLS] and ends each text with [SEP]; a text longer than `maxLength - 2` keeps its first tokens. With
 * packing, texts are appended to the current sequence while they fit. Empty texts are skipped.
 */
export function buildSequences(texts: ReadonlyArray<readonly number[]>, order: readonly number[], vocab: MlmVocab, options: SequenceOptions): number[][] {
  const { maxLength } = options;
  if (!Number.isInteger(maxLength) || maxLength < 3) throw new Error(`sequence maxLength must be an integer of at least 3, got ${maxLength}`);
  const pack = options.pack ?? true;
  const sequences: number[][] = [];
  let current: number[] = [];
  for (const index of order) {
    const text = texts[index];
    if (text === undefined) throw new Error(`text index ${index} is outside the ${texts.length} texts`);
    if (text.length === 0) continue;
    const body = text.length > maxLength - 2 ? text.slice(0, maxLength - 2) : text;
    if (!pack || current.length === 0 || current.length + body.length + 1 > maxLength) {
      if (current.length > 0) sequences.push(current);
      current = [vocab.clsId];
    }
    for (const id of body) current.push(id);
    current.push(vocab.sepId);
  }
  if (current.length > 0) sequences.push(current);
  return sequences;
}

/** The texts' order of one epoch: a permutation drawn from `seed`. */
export function epochOrder(count: number, seed: number): number[] {
  return Rng.fromSeed(seed).permutation(count);
}

/** Non-padding tokens of sequences (special tokens included). */
export function countTokens(sequences: ReadonlyArray<readonly number[]>): number {
  let n = 0;
  for (const s of sequences) n += s.length;
  return n;
}
