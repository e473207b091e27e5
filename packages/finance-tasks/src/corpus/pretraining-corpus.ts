// The text corpus for masked-language-model pretraining: StockNet's tweets and the training sentences of
// PhraseBank's FinBERT split, deduplicated, never a PhraseBank validation or test sentence.
import fs from 'node:fs';
import path from 'node:path';
import { DataError, type BadRecordPolicy } from '@finmm/data';
import { datasetFolder } from '../common/dataset-folder.js';
import { isIsoDate } from '../common/values.js';
import { loadPhraseBank } from '../phrasebank/load-phrasebank.js';
import { readTweetDir } from '../stocknet/tweet-dir.js';

/** The sources a pretraining corpus can draw from. */
export const CORPUS_SOURCES = ['stocknet-tweets', 'phrasebank-train'] as const;
export type CorpusSource = (typeof CORPUS_SOURCES)[number];

/** Options of `buildPretrainingCorpus`. */
export interface PretrainingCorpusOptions extends BadRecordPolicy {
  /** Sources to include, in this order; default both. */
  include?: readonly CorpusSource[];
  /**
   * Keep only tweets of day files dated strictly before this YYYY-MM-DD (UTC file day). A stock-movement model sets
   * it to the start of StockNet's test period, 2015-10-01 (or of its dev period), so that pretraining never reads
   * text from the days it is evaluated on. Default: every tweet (the sentiment task never evaluates on tweets).
   */
  tweetsBefore?: string;
}

/** What one source contributed. */
export interface CorpusSourceDescription {
  source: CorpusSource;
  /** Texts kept from this source (after deduplication within the whole corpus). */
  texts: number;
  /** Texts read before deduplication and exclusions. */
  read: number;
  /** Texts dropped as exact duplicates of an earlier text. */
  duplicates: number;
  /** Texts dropped by a rule of the source (tweets on or after `tweetsBefore`; train sentences also in validation/test). */
  excluded: number;
  /** Why `excluded` texts were dropped, in words. */
  rule: string;
  /** Source files read. */
  files: number;
  /** First and last day of the texts kept (tweets only). */
  days?: { first: string; last: string };
}

/** A corpus's provenance: sources, counts and options, written into pretraining.json. */
export interface CorpusDescription {
  sources: CorpusSourceDescription[];
  /** Texts in the corpus. */
  texts: number;
  /** Whitespace-separated words in the corpus. */
  words: number;
  tweetsBefore: string | null;
}

/** A deduplicated list of texts and where they came from. */
export interface PretrainingCorpus {
  texts: string[];
  description: CorpusDescription;
}

/** Normalised text for comparisons: lowercase with runs of whitespace as one space, trimmed. */
function comparable(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Adds texts to the corpus unless an equal text (after `comparable`) is already there; returns how many were added. */
class TextSet {
  readonly texts: string[] = [];
  private readonly seen = new Set<string>();

  add(text: string): boolean {
    const key = comparable(text);
    if (key === '' || this.seen.has(key)) return false;
    this.seen.add(key);
    this.texts.push(text);
    return true;
  }
}

function tweetTexts(dataDir: string | undefined, before: string | null, corpus: TextSet, policy: BadRecordPolicy): CorpusSourceDescription {
  const root = path.join(datasetFolder('stocknet', dataDir), 'tweet', 'preprocessed');
  let tickers: string[];
  try {
    tickers = fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  } catch (error) {
    throw new DataError({ file: root }, `cannot list the tweet folders: ${error instanceof Error ? error.message : String(error)}`);
  }
  const description: CorpusSourceDescription = {
    source: 'stocknet-tweets', texts: 0, read: 0, duplicates: 0, excluded: 0, files: 0,
    rule: before === null ? 'none' : `tweets of day files dated ${before} or later are left out`,
  };
  let first: string | null = null;
  let last: string | null = null;
  const limits = { maxMessages: Number.POSITIVE_INFINITY, maxWords: Number.POSITIVE_INFINITY };
  for (const ticker of tickers) {
    for (const [day, messages] of readTweetDir(path.join(root, ticker), limits, policy)) {
      description.files += 1;
      description.read += messages.length;
      if (before !== null && day >= before) {
        description.excluded += messages.length;
        continue;
      }
      for (const message of messages) {
        if (corpus.add(message)) {
          description.texts += 1;
          if (first === null || day < first) first = day;
          if (last === null || day > last) last = day;
        } else {
          description.duplicates += 1;
        }
      }
    }
  }
  if (first !== null && last !== null) description.days = { first, last };
  return description;
}

async function phraseBankTrain(dataDir: string | undefined, corpus: TextSet, policy: BadRecordPolicy): Promise<CorpusSourceDescription> {
  const { table } = await loadPhraseBank({ agreement: '50', split: 'finbert', ...(dataDir === undefined ? {} : { dataDir }), ...policy });
  const sentences = [...(table.getChild('sentence') ?? [])] as string[];
  const parts = [...(table.getChild('split') ?? [])] as string[];
  // A training sentence whose text is also a validation or test sentence (PhraseBank repeats some) is left out,
  // so that no held-out sentence is ever read during pretraining.
  const heldOut = new Set(sentences.filter((_, i) => parts[i] !== 'train').map(comparable));
  const description: CorpusSourceDescription = {
    source: 'phrasebank-train', texts: 0, read: 0, duplicates: 0, excluded: 0, files: 1,
    rule: 'training sentences of the FinBERT split of Sentences_50Agree.txt only; those equal to a validation or test sentence are left out',
  };
  sentences.forEach((sentence, i) => {
    if (parts[i] !== 'train') return;
    description.read += 1;
    if (heldOut.has(comparable(sentence))) description.excluded += 1;
    else if (corpus.add(sentence)) description.texts += 1;
    else description.duplicates += 1;
  });
  return description;
}

/**
 * Builds the MLM pretraining corpus from the original files under `dataDir` (default: FINMM_DATA_DIR or
 * ../shared/data): StockNet's tweets (tokens joined by spaces, as the dataset ships them) and PhraseBank's FinBERT
 * training sentences, deduplicated (case and whitespace ignored). Validation and test sentences of PhraseBank never
 * enter it.
 *
 * ```ts
 * const { texts, description } = await buildPretrainingCorpus(undefined, { include: ['stocknet-tweets', 'phrasebank-train'] });
 * ```
 */
export async function buildPretrainingCorpus(dataDir?: string, options: PretrainingCorpusOptions = {}): Promise<PretrainingCorpus> {
  const include = options.include ?? CORPUS_SOURCES;
  for (const source of include) {
    if (!CORPUS_SOURCES.includes(source)) {
      throw new Error(`buildPretrainingCorpus: unknown source "${String(source)}"; expected one of ${CORPUS_SOURCES.join(', ')}`);
    }
  }
  if (include.length === 0) throw new Error('buildPretrainingCorpus: include names no source');
  const before = options.tweetsBefore ?? null;
  if (before !== null && !isIsoDate(before)) {
    throw new Error(`buildPretrainingCorpus: tweetsBefore must be a date YYYY-MM-DD, got ${JSON.stringify(before)}`);
  }
  const policy: BadRecordPolicy = { ...(options.lenient === undefined ? {} : { lenient: options.lenient }), ...(options.skipped ? { skipped: options.skipped } : {}) };
  const corpus = new TextSet();
  const sources: CorpusSourceDescription[] = [];
  for (const source of new Set(include)) {
    sources.push(source === 'stocknet-tweets' ? tweetTexts(dataDir, before, corpus, policy) : await phraseBankTrain(dataDir, corpus, policy));
  }
  let words = 0;
  for (const text of corpus.texts) words += text.split(/\s+/).filter((w) => w !== '').length;
  return { texts: corpus.texts, description: { sources, texts: corpus.texts.length, words, tweetsBefore: before } };
}
