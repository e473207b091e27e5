// BERT's masked-language-model corruption of one token sequence: choose 15% of the maskable tokens (optionally whole
// words), then replace 80% of them by [MASK], 10% by a random token and keep 10%, as Google's
// create_pretraining_data.py does.
import type { Rng } from '@finmm/core';
import type { MlmVocab } from './mlm-vocab.js';

/** How tokens are chosen and corrupted. */
export interface MaskingOptions {
  /** Fraction of the maskable tokens of a sequence to predict; default 0.15. */
  maskProb?: number;
  /** Of the chosen tokens, fraction replaced by the mask token; default 0.8. */
  maskTokenProb?: number;
  /** Of the chosen tokens, fraction replaced by a random non-special token; default 0.1 (the rest stay unchanged). */
  randomTokenProb?: number;
  /** Choose whole words: every piece of a chosen word is predicted; default false. */
  wholeWord?: boolean;
  /** Most predictions per sequence; default no limit. */
  maxPredictions?: number;
}

/** A corrupted sequence and what the model must predict. */
export interface MaskedSequence {
  /** The input ids after corruption (same length as the original). */
  ids: number[];
  /** Positions to predict, ascending. */
  positions: number[];
  /** The original id at each position. */
  labels: number[];
}

/** Options with defaults filled in and checked. */
export interface ResolvedMasking {
  maskProb: number;
  maskTokenProb: number;
  randomTokenProb: number;
  wholeWord: boolean;
  maxPredictions: number;
}

/** Fills in and checks masking options; the error names the bad option. */
export function resolveMasking(options: MaskingOptions = {}): ResolvedMasking {
  const resolved: ResolvedMasking = {
    maskProb: options.maskProb ?? 0.15,
    maskTokenProb: options.maskTokenProb ?? 0.8,
    randomTokenProb: options.randomTokenProb ?? 0.1,
    wholeWord: options.wholeWord ?? false,
    maxPredictions: options.maxPredictions ?? Number.POSITIVE_INFINITY,
  };
  const { maskProb, maskTokenProb, randomTokenProb, maxPredictions } = resolved;
  if (!(maskProb > 0 && maskProb <= 1)) throw new Error(`masking option maskProb must be in (0, 1], got ${maskProb}`);
  if (!(maskTokenProb >= 0 && randomTokenProb >= 0 && maskTokenProb + randomTokenProb <= 1)) {
    throw new Error(`masking options maskTokenProb (${maskTokenProb}) and randomTokenProb (${randomTokenProb}) must be >= 0 and sum to at most 1`);
  }
  if (!(maxPredictions >= 1)) throw new Error(`masking option maxPredictions must be at least 1, got ${maxPredictions}`);
  return resolved;
}

/**
 * Groups the maskable positions of `ids` (every non-special token): one group per token, or with `wholeWord` one per
 * word, a word being a piece followed by its continuation pieces. `wordIds`, when given, defines the words instead
 * (equal consecutive word ids form a word; null marks a position that is never masked).
 */
export function maskableGroups(ids: readonly number[], vocab: MlmVocab, wholeWord: boolean, wordIds?: ReadonlyArray<number | null>): number[][] {
  if (wordIds !== undefined && wordIds.length !== ids.length) {
    throw new Error(`maskableGroups: ${wordIds.length} word ids for ${ids.length} tokens`);
  }
  const groups: number[][] = [];
  let previousMaskable = false;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    if (id < 0 || id >= vocab.vocabSize) throw new Error(`token id ${id} at position ${i} is outside the vocabulary of ${vocab.vocabSize}`);
    const word = wordIds?.[i];
    const maskable = vocab.special[id] === 0 && word !== null;
    if (!maskable) {
      previousMaskable = false;
      continue;
    }
    const continues =
      wholeWord && previousMaskable && (wordIds === undefined ? vocab.continuation[id] === 1 : word === wordIds[i - 1]);
    if (continues) (groups[groups.length - 1] as number[]).push(i);
    else groups.push([i]);
    previousMaskable = true;
  }
  return groups;
}

/**
 * Corrupts one sequence for MLM: `round(maskProb * maskable tokens)` of them (at least 1, at most `maxPredictions`)
 * are chosen in random order of their groups, skipping a group that would overshoot the count (Google's BERT);
 * each chosen token becomes the mask token with probability `maskTokenProb`, a random ordinary token with
 * probability `randomTokenProb`, and stays itself otherwise. Special tokens and padding are never chosen.
 */
export function maskSequence(
  ids: readonly number[],
  vocab: MlmVocab,
  masking: ResolvedMasking,
  rng: Rng,
  wordIds?: ReadonlyArray<number | null>,
): MaskedSequence {
  const groups = maskableGroups(ids, vocab, masking.wholeWord, wordIds);
  const out: MaskedSequence = { ids: [...ids], positions: [], labels: [] };
  let maskable = 0;
  for (const g of groups) maskable += g.length;
  if (maskable === 0) return out;
  const wanted = Math.min(masking.maxPredictions, Math.max(1, Math.round(maskable * masking.maskProb)));
  rng.shuffle(groups);
  const chosen: number[] = [];
  for (const group of groups) {
    if (chosen.length >= wanted) break;
    if (chosen.length + group.length > wanted) continue;
    chosen.push(...group);
  }
  chosen.sort((a, b) => a - b);
  const { ordinary } = vocab;
  for (const position of chosen) {
    const original = ids[position] as number;
    out.positions.push(position);
    out.labels.push(original);
    const u = rng.float();
    if (u < masking.maskTokenProb) out.ids[position] = vocab.maskId;
    else if (u < masking.maskTokenProb + masking.randomTokenProb) out.ids[position] = ordinary[rng.int(0, ordinary.length - 1)] as number;
  }
  return out;
}
