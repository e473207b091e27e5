// Trains a BERT-style WordPiece tokenizer on a corpus and describes it as a Hugging Face tokenizer.json.
import { bertWords } from './bert-text.js';
import { learnMerges } from './merge-trainer.js';
import { specialAddedTokens, templateProcessing, type TokenizerJson } from './tokenizer-json.js';
import { countWords, vocabMap } from './word-counts.js';

/** BERT's special tokens, given ids 0..4 in this order. */
export const BERT_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** Options of `trainWordPiece`. */
export interface WordPieceTrainerOptions {
  /** Vocabulary size, special tokens included; default 8000. */
  vocabSize?: number;
  /** Pairs seen fewer times are not merged; default 2. */
  minFrequency?: number;
  /** Lowercase the text (an uncased tokenizer); default true. */
  lowercase?: boolean;
  /** Remove accents; default: the value of `lowercase`, as in BERT. */
  stripAccents?: boolean | null;
  /** Special tokens, first ids in order; must contain `[PAD] [UNK] [CLS] [SEP]`; default `[PAD] [UNK] [CLS] [SEP] [MASK]`. */
  specialTokens?: readonly string[];
  /** Prefix of word-continuing pieces; default `##`. */
  continuingSubwordPrefix?: string;
  /** Words longer than this (in characters) encode as `[UNK]`; default 100. */
  maxInputCharsPerWord?: number;
}

/**
 * Learns a WordPiece vocabulary from `texts` and returns the tokenizer.json that encodes as BERT does:
 * BertNormalizer (clean text, CJK, lowercase, strip accents), BertPreTokenizer (whitespace and punctuation),
 * WordPiece with `##` pieces, `[CLS] $A [SEP]`, a WordPiece decoder. The vocabulary is learned as Hugging Face's
 * `WordPieceTrainer` learns it (the BPE merge algorithm with a continuing-subword prefix, see `learnMerges`).
 *
 * ```ts
 * writeTokenizerJson('out/tokenizer.json', trainWordPiece(trainSentences, { vocabSize: 4000 }));
 * ```
 */
export function trainWordPiece(texts: Iterable<string>, options: WordPieceTrainerOptions = {}): TokenizerJson {
  const lowercase = options.lowercase ?? true;
  const stripAccents = options.stripAccents ?? null;
  const specials = options.specialTokens ?? BERT_SPECIAL_TOKENS;
  for (const needed of ['[PAD]', '[UNK]', '[CLS]', '[SEP]']) {
    if (!specials.includes(needed)) throw new Error(`trainWordPiece: specialTokens must contain ${needed}`);
  }
  const prefix = options.continuingSubwordPrefix ?? '##';
  const counts = countWords(texts, (text) => bertWords(text, { lowercase, stripAccents }));
  const { tokens } = learnMerges(counts, {
    vocabSize: options.vocabSize ?? 8000,
    minFrequency: options.minFrequency ?? 2,
    specialTokens: specials,
    continuingSubwordPrefix: prefix,
  });
  const vocab = vocabMap(tokens);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialAddedTokens(specials, vocab),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: stripAccents, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: prefix,
      max_input_chars_per_word: options.maxInputCharsPerWord ?? 100,
      vocab: Object.fromEntries(vocab),
    },
    post_processor: templateProcessing('[CLS]', '[SEP]', vocab),
    decoder: { type: 'WordPiece', prefix, cleanup: true },
  };
}
