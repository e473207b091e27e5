// Encoded sentences kept across epochs. The featurizer is deterministic, so a fit tokenises and TF-IDF-transforms
// each sentence once instead of once per epoch (n-gram word dropout is applied afterwards, to a copy). Without it
// the full-batch phrasebank-tfidf-lr.yaml spent 1.25 s of each ~2.9 s step re-encoding the 3,488 training sentences.
import type { EncodedText } from './text-features.js';

/** Numbers (ids, TF-IDF columns and values) a cache keeps at most by default: 25M, about 200 MB. */
export const DEFAULT_ENCODING_BUDGET = 25_000_000;

/** The numbers one encoding stores. */
export function encodedSize(encoded: EncodedText): number {
  return encoded.ids.length + (encoded.ngramIds?.length ?? 0) + 2 * (encoded.tfidf?.indices.length ?? 0);
}

/**
 * Encodings of table rows, kept while a budget of stored numbers lasts (rows past it are encoded every time, so a
 * large dataset costs time, not memory). An entry is used only for the same text at the same row.
 */
export class EncodingCache {
  private readonly entries = new Map<number, { text: string; encoded: EncodedText }>();
  private used = 0;

  constructor(readonly budget: number = DEFAULT_ENCODING_BUDGET) {
    if (Number.isNaN(budget) || budget < 0) throw new Error(`EncodingCache: budget must be a number >= 0 (Infinity: keep every row), got ${budget}`);
  }

  /** The encoding of `text` at table row `row`: the kept one, else `encode(text)`, kept while the budget allows. */
  get(row: number, text: string, encode: (text: string) => EncodedText): EncodedText {
    const kept = this.entries.get(row);
    if (kept !== undefined && kept.text === text) return kept.encoded;
    const encoded = encode(text);
    const size = encodedSize(encoded);
    if (kept === undefined && this.used + size <= this.budget) {
      this.entries.set(row, { text, encoded });
      this.used += size;
    }
    return encoded;
  }

  /** Rows kept. */
  get rows(): number {
    return this.entries.size;
  }

  /** Numbers kept. */
  get storedNumbers(): number {
    return this.used;
  }
}
