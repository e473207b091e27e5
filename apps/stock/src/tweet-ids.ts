// Tweets as ids for `text/embedding-bag`: each word hashed into one of `buckets` rows and each word n-gram into
// one of `ngramBuckets` more (fastText style, FNV-1a). Nothing is fitted, so no vocabulary depends on the data.
import type { TextTokenizer } from '@finmm/core';
import { fnv1a32, HashedNgramTokenizer } from '@finmm/encoders-text';

/** How tweets become ids (saved in the model directory). */
export interface TweetIdsConfig {
  maxTokens: number;
  buckets: number;
  ngrams: number;
  ngramBuckets: number;
}

/** Words of a StockNet message: its tokens (already split, joined by spaces), lowercased. */
export function tweetWords(text: string): string[] {
  return text.toLowerCase().split(/\s+/).filter((w) => w !== '');
}

/** Word ids: 1 + FNV-1a(word) mod buckets; id 0 is padding. */
class HashedWords implements TextTokenizer {
  readonly padId = 0;
  readonly vocabSize: number;

  constructor(private readonly buckets: number) {
    this.vocabSize = buckets + 1;
  }

  encode(text: string): number[] {
    return tweetWords(text).map((w) => 1 + (fnv1a32(w) % this.buckets));
  }
}

/** Maps a sample's messages (newest first) to at most `maxTokens` ids: each message's words, then its n-grams. */
export class TweetIds {
  private readonly tokenizer: HashedNgramTokenizer;

  constructor(readonly config: TweetIdsConfig) {
    this.tokenizer = new HashedNgramTokenizer(new HashedWords(config.buckets), {
      n: config.ngrams,
      buckets: config.ngramBuckets,
      words: tweetWords,
      maxLength: config.maxTokens,
    });
  }

  /** Rows of the embedding table the ids index (padding included). */
  get vocabSize(): number {
    return this.tokenizer.vocabSize;
  }

  /** The ids of one sample's messages, message by message until `maxTokens`; empty without messages. */
  encode(messages: readonly string[]): Int32Array {
    const ids: number[] = [];
    for (const message of messages) {
      if (ids.length >= this.config.maxTokens) break;
      for (const id of this.tokenizer.encode(message)) {
        if (ids.length >= this.config.maxTokens) break;
        ids.push(id);
      }
    }
    return Int32Array.from(ids);
  }
}
