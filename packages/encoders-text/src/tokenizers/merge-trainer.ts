// The merge-based vocabulary learner behind both trainers: Hugging Face's BpeTrainer algorithm (which its
// WordPieceTrainer also runs, with a `##` continuing-subword prefix), made deterministic.

import { BinaryHeap } from './binary-heap.js';

/** Options of `learnMerges`, the fields of Hugging Face's `BpeTrainer` that finmm uses. */
export interface MergeTrainerOptions {
  /** Size of the final vocabulary, special tokens included. */
  vocabSize: number;
  /** A pair seen fewer times than this (weighted by word counts) is never merged; default 2 in finmm's trainers. */
  minFrequency: number;
  /** Tokens given the first ids, in order (e.g. `[PAD] [UNK] [CLS] [SEP] [MASK]`). */
  specialTokens: readonly string[];
  /** Prefix marking a piece that continues a word (`##` for WordPiece), or null (byte-level BPE). */
  continuingSubwordPrefix: string | null;
  /** Characters that are always in the vocabulary, even when the corpus lacks them (the 256 bytes of byte-level BPE). */
  initialAlphabet?: readonly string[];
}

/** What `learnMerges` learns. */
export interface LearnedVocabulary {
  /** Tokens by id: special tokens, the alphabet by code point, prefixed characters, then one token per merge. */
  tokens: string[];
  /** The merges in the order they were learned (their rank), each as the two tokens merged. */
  merges: Array<[string, string]>;
}

/** Pair keys pack two ids into one safe integer. */
const ID_LIMIT = 2 ** 26;
const pairKey = (left: number, right: number): number => left * ID_LIMIT + right;

interface Candidate {
  key: number;
  left: number;
  right: number;
  count: number;
}

/** Ranks candidates as HF's trainer: higher count first, ties to the smaller (left, right) ids. */
function before(a: Candidate, b: Candidate): boolean {
  if (a.count !== b.count) return a.count > b.count;
  return a.left !== b.left ? a.left < b.left : a.right < b.right;
}

/** A pair change in one word: `delta` occurrences of (left, right) in word `word`. */
type Change = [left: number, right: number, delta: number];

/** Replaces every non-overlapping (a, b) in `symbols`, left to right, by `merged`; records the neighbour pair changes. */
function mergeWord(symbols: number[], a: number, b: number, merged: number, changes: Change[]): void {
  for (let i = 0; i < symbols.length - 1; i++) {
    if (symbols[i] !== a || symbols[i + 1] !== b) continue;
    if (i > 0) {
      const prev = symbols[i - 1] as number;
      changes.push([prev, a, -1], [prev, merged, 1]);
    }
    symbols.splice(i, 2, merged);
    if (i < symbols.length - 1) {
      const next = symbols[i + 1] as number;
      changes.push([b, next, -1], [merged, next, 1]);
    }
  }
}

/**
 * Learns a vocabulary from word counts as Hugging Face's `BpeTrainer` does: the vocabulary starts with the special
 * tokens and the alphabet (sorted by code point); each word is split into characters (all but the first carrying the
 * continuing-subword prefix); then, until the vocabulary has `vocabSize` tokens, the most frequent adjacent pair (ties
 * to the smaller ids) is merged into a new token (the right part loses its prefix) everywhere, stopping early when the
 * best pair occurs fewer than `minFrequency` times. Unlike HF (which walks a hash map), words are visited in code-unit
 * order, so the ids of prefixed characters, and with them the tie-breaks, are the same on every run.
 */
export function learnMerges(wordCounts: ReadonlyMap<string, number>, options: MergeTrainerOptions): LearnedVocabulary {
  const { vocabSize, minFrequency, continuingSubwordPrefix: prefix } = options;
  if (!Number.isInteger(vocabSize) || vocabSize < 1 || vocabSize >= ID_LIMIT) throw new Error(`vocabSize must be an integer in [1, ${ID_LIMIT}), got ${vocabSize}`);
  const tokens: string[] = [];
  const ids = new Map<string, number>();
  const add = (token: string): number => {
    let id = ids.get(token);
    if (id === undefined) {
      id = tokens.length;
      tokens.push(token);
      ids.set(token, id);
    }
    return id;
  };
  for (const s of options.specialTokens) add(s);

  const words = [...wordCounts.keys()].filter((w) => w.length > 0).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const counts = words.map((w) => wordCounts.get(w) as number);
  const alphabet = new Set<string>(options.initialAlphabet ?? []);
  for (const w of words) for (const ch of w) alphabet.add(ch);
  for (const ch of [...alphabet].sort((x, y) => (x.codePointAt(0) as number) - (y.codePointAt(0) as number))) add(ch);

  const symbols = words.map((w) => Array.from(w, (ch, i) => add(i > 0 && prefix !== null ? prefix + ch : ch)));

  const pairCounts = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const heap = new BinaryHeap<Candidate>(before);
  const note = (left: number, right: number, delta: number, word: number): void => {
    const key = pairKey(left, right);
    pairCounts.set(key, (pairCounts.get(key) ?? 0) + delta);
    if (delta > 0) {
      let at = where.get(key);
      if (at === undefined) where.set(key, (at = new Set()));
      at.add(word);
    }
  };
  symbols.forEach((s, w) => {
    for (let i = 0; i < s.length - 1; i++) note(s[i] as number, s[i + 1] as number, counts[w] as number, w);
  });
  for (const [key, count] of pairCounts) heap.push({ key, left: Math.floor(key / ID_LIMIT), right: key % ID_LIMIT, count });

  const merges: Array<[string, string]> = [];
  while (tokens.length < vocabSize) {
    const top = heap.pop();
    if (top === undefined) break;
    const current = pairCounts.get(top.key) ?? 0;
    if (top.count !== current) {
      if (current > 0) heap.push({ ...top, count: current }); // stale entry: requeue with the true count
      continue;
    }
    if (top.count < 1 || top.count < minFrequency) break;
    const leftToken = tokens[top.left] as string;
    let rightToken = tokens[top.right] as string;
    if (prefix !== null && rightToken.startsWith(prefix)) rightToken = rightToken.slice(prefix.length);
    const merged = add(leftToken + rightToken);
    merges.push([tokens[top.left] as string, tokens[top.right] as string]);

    const touched = new Set<number>();
    for (const w of where.get(top.key) ?? []) {
      const changes: Change[] = [];
      mergeWord(symbols[w] as number[], top.left, top.right, merged, changes);
      for (const [left, right, delta] of changes) {
        note(left, right, delta * (counts[w] as number), w);
        if (delta > 0) touched.add(pairKey(left, right));
      }
    }
    pairCounts.set(top.key, 0); // every occurrence is merged now
    for (const key of touched) {
      const count = pairCounts.get(key) ?? 0;
      if (count > 0) heap.push({ key, left: Math.floor(key / ID_LIMIT), right: key % ID_LIMIT, count });
    }
  }
  return { tokens, merges };
}
