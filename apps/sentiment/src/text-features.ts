// Turns sentences into the inputs of the model's branches: WordPiece ids (with [CLS]/[SEP]) for the
// transformer, WordPiece ids plus hashed word n-grams for the embedding bag (both from one tokenizer.json), and
// the sparse TF-IDF row for the linear branch (from the vectoriser fitted on the training sentences).
import { bertWords, fnv1a32, HashedNgramTokenizer, HfTokenizer, trainWordPiece, type SparseRow, type TfidfSpec, type TfidfVectorizer, type TokenizerJson } from '@finmm/encoders-text';

/** fastText's subword features: character n-grams of each word, with `<` and `>` marking its start and end. */
export interface CharNgramSpec {
  /** Shortest character n-gram. */
  min: number;
  /** Longest character n-gram. */
  max: number;
  /** Hash buckets of the character n-grams. */
  buckets: number;
}

/** The n-gram branch's input: tokenizer pieces, hashed word n-grams and (optionally) hashed character n-grams. */
export interface NgramSpec {
  /** Longest word n-gram (2 = bigrams). */
  n: number;
  /** Hash buckets of the word n-grams. */
  buckets: number;
  /** Most ids per sentence: pieces first, then word n-grams, then character n-grams. */
  maxLength: number;
  chars: CharNgramSpec | null;
}

/** What the model's text inputs are made of (saved in the model directory's sentiment.json). */
export interface TextFeatureSpec {
  /** The n-gram branch's ids: the tokenizer's pieces (no special tokens), then hashed word and character n-grams. */
  ngram: NgramSpec | null;
  /** The transformer's ids: [CLS] pieces [SEP], at most maxLength. */
  transformer: { maxLength: number } | null;
  /** The TF-IDF branch's features (the fitted vocabularies and idf are in the model directory's tfidf.json); none when absent. */
  tfidf?: TfidfSpec | null;
}

/** The ids of one sentence for each branch the model has. */
export interface EncodedText {
  /** Transformer ids, or the n-gram ids when the model has only the n-gram branch. */
  ids: number[];
  /** The n-gram ids when the model has both branches. */
  ngramIds?: number[];
  /** The TF-IDF row when the model has the TF-IDF branch. */
  tfidf?: SparseRow;
}

/**
 * Bucket ids of the character n-grams (lengths min..max) of each word wrapped in `<` `>`, as fastText's subwords:
 * `fnv1a32("<ra") % buckets`, ... A word itself (`<rate>`) is left out: the tokenizer's pieces cover whole words.
 */
export function hashCharNgrams(words: readonly string[], spec: CharNgramSpec): number[] {
  const out: number[] = [];
  for (const word of words) {
    const chars = Array.from(`<${word}>`);
    for (let k = spec.min; k <= spec.max; k++) {
      for (let i = 0; i + k <= chars.length; i++) {
        if (k === chars.length) continue;
        out.push(fnv1a32(chars.slice(i, i + k).join('')) % spec.buckets);
      }
    }
  }
  return out;
}

/** Trains a lowercase WordPiece tokenizer on (training) sentences. */
export function trainSentimentTokenizer(texts: readonly string[], options: { vocabSize: number; minFrequency: number }): TokenizerJson {
  if (texts.length === 0) throw new Error('trainSentimentTokenizer: no training sentences');
  return trainWordPiece(texts, { vocabSize: options.vocabSize, minFrequency: options.minFrequency });
}

/**
 * Encodes sentences for the configured branches from one tokenizer.json (trained on the training sentences, or
 * the pretrained transformer's; none is needed for the TF-IDF branch alone) and the fitted TF-IDF vectoriser.
 * The n-gram ids are offset past the tokenizer's vocabulary (see HashedNgramTokenizer).
 */
export class SentimentFeaturizer {
  readonly ngram: HashedNgramTokenizer | null;
  readonly transformer: HfTokenizer | null;
  /** Rows of the n-gram branch's embedding table: pieces, word n-gram buckets, character n-gram buckets. */
  readonly ngramVocabSize: number;

  constructor(
    tokenizerJson: unknown,
    readonly spec: TextFeatureSpec,
    /** Names the tokenizer in errors. */
    source = 'tokenizer.json',
    /** The TF-IDF vectoriser (fitted on the training sentences) when `spec.tfidf` is set. */
    readonly tfidf: TfidfVectorizer | null = null,
  ) {
    const wide = spec.tfidf ?? null;
    if (spec.ngram === null && spec.transformer === null && wide === null) throw new Error('SentimentFeaturizer: the model has no text branch');
    if ((wide === null) !== (tfidf === null)) throw new Error(`SentimentFeaturizer: ${wide === null ? 'a TF-IDF vectoriser was given but the model has no TF-IDF branch' : 'the model has a TF-IDF branch but no fitted vectoriser was given (tfidf.json)'}`);
    this.transformer = spec.transformer === null ? null : HfTokenizer.fromJson(tokenizerJson, { maxLength: spec.transformer.maxLength }, source);
    if (spec.ngram === null) {
      this.ngram = null;
      this.ngramVocabSize = 0;
    } else {
      const base = HfTokenizer.fromJson(tokenizerJson, { addSpecialTokens: false, maxLength: spec.ngram.maxLength }, source);
      this.ngram = new HashedNgramTokenizer(base, { n: spec.ngram.n, buckets: spec.ngram.buckets, maxLength: spec.ngram.maxLength });
      this.ngramVocabSize = this.ngram.vocabSize + (spec.ngram.chars?.buckets ?? 0);
    }
  }

  /** The n-gram branch's ids of a text: pieces, word n-grams, character n-grams, at most maxLength. */
  private ngramIds(text: string): number[] {
    const tokenizer = this.ngram as HashedNgramTokenizer;
    const ids = tokenizer.encode(text);
    const chars = this.spec.ngram?.chars ?? null;
    if (chars === null) return ids;
    const room = tokenizer.maxLength - ids.length;
    if (room > 0) for (const bucket of hashCharNgrams(bertWords(text), chars).slice(0, room)) ids.push(tokenizer.vocabSize + bucket);
    return ids;
  }

  /** The pad id of the primary ids (transformer's, or the n-gram branch's when alone; 0 for the TF-IDF branch alone). */
  get padId(): number {
    return (this.transformer ?? this.ngram)?.padId ?? 0;
  }

  /** Whether the model has both token branches (the n-gram ids then travel as `ngramIds`). */
  get dual(): boolean {
    return this.ngram !== null && this.transformer !== null;
  }

  /** Whether the model has a token branch (n-gram or transformer) besides the TF-IDF one. */
  get tokens(): boolean {
    return this.ngram !== null || this.transformer !== null;
  }

  /** The number of TF-IDF features (0 without the TF-IDF branch). */
  get tfidfSize(): number {
    return this.tfidf?.size ?? 0;
  }

  /** The ids (and TF-IDF row) of one sentence; an empty or non-string text is an error. */
  encode(text: string): EncodedText {
    if (typeof text !== 'string' || text.trim() === '') throw new Error('the text is empty');
    const tokens = this.tokenIds(text);
    return this.tfidf === null ? tokens : { ...tokens, tfidf: this.tfidf.transform(text) };
  }

  /** The token branches' ids of a text (`ids: []` without a token branch). */
  private tokenIds(text: string): EncodedText {
    if (this.transformer === null) return { ids: this.ngram === null ? [] : this.ngramIds(text) };
    const ids = this.transformer.encode(text);
    return this.ngram === null ? { ids } : { ids, ngramIds: this.ngramIds(text) };
  }
}
