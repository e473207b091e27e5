// Trains a RoBERTa-style byte-level BPE tokenizer on a corpus and describes it as a Hugging Face tokenizer.json.
import { byteLevelAlphabet, byteLevelPreTokenize } from './byte-level.js';
import { learnMerges } from './merge-trainer.js';
import { specialAddedTokens, templateProcessing, type TokenizerJson } from './tokenizer-json.js';
import { countWords, vocabMap } from './word-counts.js';

/** RoBERTa's special tokens, given ids 0..4 in this order. */
export const ROBERTA_SPECIAL_TOKENS = ['<s>', '<pad>', '</s>', '<unk>', '<mask>'] as const;

/** Options of `trainByteLevelBpe`. */
export interface BpeTrainerOptions {
  /** Vocabulary size, special tokens and the 256 byte characters included; default 8000. */
  vocabSize?: number;
  /** Pairs seen fewer times are not merged; default 2. */
  minFrequency?: number;
  /** Special tokens, first ids in order; must contain `<s> <pad> </s>`; default `<s> <pad> </s> <unk> <mask>`. */
  specialTokens?: readonly string[];
  /**
   * Prepend a space to a text that does not start with one, so that its first word gets the same tokens as a word
   * inside a sentence; default true (RoBERTa's own tokenizer uses false).
   */
  addPrefixSpace?: boolean;
}

/**
 * Learns a byte-level BPE (GPT-2 / RoBERTa style) from `texts` and returns its tokenizer.json: no normaliser (case
 * and accents are kept), the ByteLevel pre-tokenizer (GPT-2's split pattern, every UTF-8 byte a character, so no text
 * is ever unknown), BPE merges learned as Hugging Face's `BpeTrainer` learns them (see `learnMerges`) starting from
 * all 256 byte characters, `<s> $A </s>` and a ByteLevel decoder.
 */
export function trainByteLevelBpe(texts: Iterable<string>, options: BpeTrainerOptions = {}): TokenizerJson {
  const specials = options.specialTokens ?? ROBERTA_SPECIAL_TOKENS;
  for (const needed of ['<s>', '<pad>', '</s>']) {
    if (!specials.includes(needed)) throw new Error(`trainByteLevelBpe: specialTokens must contain ${needed}`);
  }
  const addPrefixSpace = options.addPrefixSpace ?? true;
  const counts = countWords(texts, (text) => byteLevelPreTokenize(text, addPrefixSpace));
  const { tokens, merges } = learnMerges(counts, {
    vocabSize: options.vocabSize ?? 8000,
    minFrequency: options.minFrequency ?? 2,
    specialTokens: specials,
    continuingSubwordPrefix: null,
    initialAlphabet: byteLevelAlphabet(),
  });
  const vocab = vocabMap(tokens);
  const byteLevel = { type: 'ByteLevel', add_prefix_space: addPrefixSpace, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialAddedTokens(specials, vocab),
    normalizer: null,
    pre_tokenizer: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges,
    },
    post_processor: templateProcessing('<s>', '</s>', vocab),
    decoder: byteLevel,
  };
}
