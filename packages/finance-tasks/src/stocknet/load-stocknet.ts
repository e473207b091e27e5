// Loads StockNet's aligned (ticker, target date) samples from the original layout, through an Arrow cache.
import fs from 'node:fs';
import path from 'node:path';
import type * as arrow from 'apache-arrow';
import { loadWithArrowCache, type BadRecordPolicy, type DatasetSchema } from '@finmm/data';
import { readTextFile } from '../common/read-text.js';
import { datasetFolder } from '../common/dataset-folder.js';
import { CollectingSkipReport, replaySkipped, withSkipped } from '../common/skip-replay.js';
import { parsePreprocessedPrices } from './preprocessed-prices.js';
import { buildTickerSamples, type StockNetSample } from './samples.js';
import { stockNetSamplesTable, stockNetSchema } from './samples-table.js';
import { STOCKNET_CLASSES, STOCKNET_PRICE_FEATURES, STOCKNET_WINDOW } from './task.js';
import { readTweetDir } from './tweet-dir.js';

/** Options of `loadStockNet`; every option that changes the table is part of the cache key. */
export interface StockNetOptions extends BadRecordPolicy {
  /** Data directory holding `stocknet/`; default FINMM_DATA_DIR or ../shared/data. */
  dataDir?: string;
  /** Keep only samples with at least this many days of tweets in the window; default 0 (1 gives 14,192 / 1,871 / 2,632). */
  minTweetDays?: number;
  /** Window length: calendar days of tweets and trading days of prices before d; default 5. */
  windowDays?: number;
  /** Messages kept per day (the first in file order); default 30. */
  maxMessagesPerDay?: number;
  /** Tokens kept per message; default 40. */
  maxWordsPerMessage?: number;
  /** Only these tickers (default all 88 with a preprocessed price file). */
  tickers?: readonly string[];
  /** Use the Arrow cache (default true). */
  cache?: boolean;
  /** Cache folder; default that of `loadWithArrowCache`. */
  cacheDir?: string;
}

/** The samples table (see `stockNetSamplesTable` for its columns) and how it was loaded. */
export interface StockNetDataset {
  table: arrow.Table;
  schema: DatasetSchema;
  classes: readonly string[];
  splitColumn: 'split';
  /** Feature names of the inner dimension of `prices`. */
  priceFeatures: readonly string[];
  fromCache: boolean;
  /** The cache file, or null when the cache was not used. */
  cacheFile: string | null;
}

interface Resolved {
  minTweetDays: number;
  windowDays: number;
  maxMessagesPerDay: number;
  maxWordsPerMessage: number;
  tickers: string[] | null;
}

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min) throw new Error(`loadStockNet: ${name} must be an integer >= ${min}, got ${String(value)}`);
  return v;
}

function resolve(options: StockNetOptions): Resolved {
  return {
    minTweetDays: positiveInt('minTweetDays', options.minTweetDays, 0, 0),
    windowDays: positiveInt('windowDays', options.windowDays, STOCKNET_WINDOW.days),
    maxMessagesPerDay: positiveInt('maxMessagesPerDay', options.maxMessagesPerDay, STOCKNET_WINDOW.maxMessagesPerDay),
    maxWordsPerMessage: positiveInt('maxWordsPerMessage', options.maxWordsPerMessage, STOCKNET_WINDOW.maxWordsPerMessage),
    tickers: options.tickers === undefined ? null : [...new Set(options.tickers)].sort(),
  };
}

/** Tickers with a preprocessed price file, sorted; requested tickers must all be present. */
function listTickers(priceDir: string, wanted: string[] | null): string[] {
  const all = fs.readdirSync(priceDir).filter((f) => f.endsWith('.txt') && !f.startsWith('.')).map((f) => f.slice(0, -4)).sort();
  if (wanted === null) return all;
  const missing = wanted.filter((t) => !all.includes(t));
  if (missing.length > 0) throw new Error(`loadStockNet: no price file for ticker(s) ${missing.join(', ')} in ${priceDir}`);
  return wanted;
}

async function buildSamples(folder: string, o: Resolved, policy: BadRecordPolicy): Promise<StockNetSample[]> {
  const priceDir = path.join(folder, 'price', 'preprocessed');
  const tweetDir = path.join(folder, 'tweet', 'preprocessed');
  const samples: StockNetSample[] = [];
  for (const ticker of listTickers(priceDir, o.tickers)) {
    const file = path.join(priceDir, `${ticker}.txt`);
    const text = readTextFile(file);
    const days = parsePreprocessedPrices(text, file, policy);
    const tweets = readTweetDir(path.join(tweetDir, ticker), { maxMessages: o.maxMessagesPerDay, maxWords: o.maxWordsPerMessage }, policy);
    for (const s of buildTickerSamples(ticker, days, tweets, { days: o.windowDays, minTweetDays: o.minTweetDays })) samples.push(s);
    await new Promise((done) => setImmediate(done)); // let other work run between tickers
  }
  return samples;
}

/**
 * Loads StockNet as one row per (ticker, target date d) with the paper's label rule and date splits, the tweets of
 * the calendar days d-5..d-1 and the prices of the 5 trading days before d. Cached as Arrow keyed on the options;
 * in lenient mode the skipped records are kept with the cache and reported again on a cache hit.
 */
export async function loadStockNet(options: StockNetOptions = {}): Promise<StockNetDataset> {
  const o = resolve(options);
  const folder = datasetFolder('stocknet', options.dataDir);
  const lenient = options.lenient === true;
  const build = async (): Promise<arrow.Table> => {
    const collector = new CollectingSkipReport(options.skipped);
    const table = stockNetSamplesTable(await buildSamples(folder, o, { lenient, skipped: collector }));
    return lenient ? withSkipped(table, collector.all) : table;
  };
  const base = {
    schema: stockNetSchema(),
    classes: STOCKNET_CLASSES,
    splitColumn: 'split' as const,
    priceFeatures: STOCKNET_PRICE_FEATURES,
  };
  if (options.cache === false) return { ...base, table: await build(), fromCache: false, cacheFile: null };
  const key = `stocknet/samples-v1/${JSON.stringify({ ...o, lenient, folder })}`;
  const sources = [path.join(folder, 'price', 'preprocessed'), path.join(folder, 'tweet', 'preprocessed')];
  const loaded = await loadWithArrowCache({ key, sources, build, ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }) });
  if (loaded.fromCache && lenient) replaySkipped(loaded.table, options);
  return { ...base, table: loaded.table, fromCache: loaded.fromCache, cacheFile: loaded.cacheFile };
}
