// Loads what a stock model trains on: the (ticker, target date) samples with labels, splits and tweets, and the
// raw daily prices of every ticker (price features, charts and the market context are computed from them).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type * as arrow from 'apache-arrow';
import { requireDataset } from '@finmm/core';
import { SkipReport } from '@finmm/data';
import {
  fingerprintFiles,
  loadPriceFolder,
  loadStockNet,
  loadStockNetPrices,
  readPriceFolder,
  STOCKNET_SPLITS,
  type DateSplit,
  type FileFingerprint,
  type StockNetSplit,
} from '@finmm/finance-tasks';
import type { StockDataConfig } from './config.js';
import { pricesByTicker, type PriceHistory } from './prices.js';

/** The (ticker, target date) samples: labels (1 up, 0 down), splits and the messages of the tweet window. */
export interface StockSamples {
  ticker: string[];
  date: string[];
  split: StockNetSplit[];
  label: number[];
  movement: number[];
  /** Per sample, the window's messages, newest day first (file order within a day). */
  messages: string[][];
}

/** Samples, every ticker's prices, and where they came from. */
export interface StockData {
  /** `StockNet` or the price folder's name. */
  name: string;
  samples: StockSamples;
  /** Raw daily bars of every ticker in the price data (not only the sampled ones). */
  prices: PriceHistory;
  /** Target-date ranges of the splits. */
  splits: DateSplit[];
  /** Folder of <TICKER>/<YYYY-MM-DD> tweet files, or null. */
  tweetsDir: string | null;
  /** Price files, and one combined digest of the tweet files (fingerprinted in every run). */
  fingerprint(): FileFingerprint[];
  /** True for all of StockNet on its official split: results compare with published ones. */
  official: boolean;
  skipped: SkipReport;
}

/** The samples of the StockNet-layout table as plain arrays (messages newest day first). */
function samplesOf(table: arrow.Table): StockSamples {
  const get = (name: string): arrow.Vector => {
    const v = table.getChild(name);
    if (v === null) throw new Error(`the samples table has no column "${name}"`);
    return v;
  };
  const [ticker, date, split, label, movement, tweets, offsets] = ['ticker', 'date', 'split', 'label', 'movement', 'tweets', 'tweet_day_offsets'].map(get) as arrow.Vector[];
  const out: StockSamples = { ticker: [], date: [], split: [], label: [], movement: [], messages: [] };
  for (let i = 0; i < table.numRows; i++) {
    out.ticker.push(ticker?.get(i) as string);
    out.date.push(date?.get(i) as string);
    out.split.push(split?.get(i) as StockNetSplit);
    out.label.push(label?.get(i) as number);
    out.movement.push(movement?.get(i) as number);
    const texts = [...(tweets?.get(i) as Iterable<string>)];
    const days = [...(offsets?.get(i) as Iterable<number>)];
    // oldest day first in the table; a stable sort by offset puts the newest day first, keeping file order
    out.messages.push(texts.map((text, k) => ({ text, day: days[k] as number })).sort((a, b) => a.day - b.day).map((m) => m.text));
  }
  return out;
}

/** One digest over every tweet file of the given tickers (relative path and sha256 of each), as a fingerprint entry. */
export function tweetFolderFingerprint(dir: string, tickers: readonly string[]): FileFingerprint {
  const hash = createHash('sha256');
  let bytes = 0;
  let files = 0;
  for (const ticker of [...tickers].sort()) {
    const folder = path.join(dir, ticker);
    if (!fs.existsSync(folder)) continue;
    for (const name of fs.readdirSync(folder).filter((n) => !n.startsWith('.')).sort()) {
      const content = fs.readFileSync(path.join(folder, name));
      bytes += content.length;
      files += 1;
      hash.update(`${ticker}/${name}\0${createHash('sha256').update(content).digest('hex')}\n`);
    }
  }
  return { path: dir, name: `tweets (${files} files of ${tickers.length} tickers)`, bytes, sha256: hash.digest('hex') };
}

async function loadStockNetData(config: Extract<StockDataConfig, { source: 'stocknet' }>): Promise<StockData> {
  const dataDir = config.dataDir === undefined ? {} : { dataDir: config.dataDir };
  const folder = requireDataset('stocknet', config.dataDir === undefined ? process.env : { ...process.env, FINMM_DATA_DIR: config.dataDir });
  const dataset = await loadStockNet({ ...dataDir, minTweetDays: config.minTweetDays, ...(config.tickers === undefined ? {} : { tickers: config.tickers }) });
  const raw = await loadStockNetPrices(dataDir);
  const samples = samplesOf(dataset.table);
  const tickers = [...new Set(samples.ticker)];
  const rawDir = path.join(folder, 'price', 'raw');
  const preDir = path.join(folder, 'price', 'preprocessed');
  const tweetsDir = path.join(folder, 'tweet', 'preprocessed');
  const priceFiles = [...raw.rows.keys()].map((t) => path.join(rawDir, `${t}.csv`));
  const labelFiles = [...tickers].sort().map((t) => path.join(preDir, `${t}.txt`));
  return {
    name: 'StockNet',
    samples,
    prices: pricesByTicker(raw),
    splits: STOCKNET_SPLITS.map((s) => ({ ...s })),
    tweetsDir,
    fingerprint: () => [...fingerprintFiles([...priceFiles, ...labelFiles]), tweetFolderFingerprint(tweetsDir, tickers)],
    official: config.tickers === undefined && config.minTweetDays === 0,
    skipped: new SkipReport(),
  };
}

function loadFolderData(config: Extract<StockDataConfig, { source: 'folder' }>): StockData {
  const skipped = new SkipReport(1000);
  const splits: DateSplit[] = (['train', 'validation', 'test'] as const).map((name) => ({ name, ...config.splits[name] }));
  const pricesDir = path.resolve(config.prices);
  const tweetsDir = config.tweets === undefined ? null : path.resolve(config.tweets);
  const loaded = loadPriceFolder({
    prices: pricesDir,
    ...(tweetsDir === null ? {} : { tweets: tweetsDir }),
    splits,
    rule: config.rule,
    ...(config.tickers === undefined ? {} : { tickers: config.tickers }),
    lenient: config.lenient,
    skipped,
  });
  const samples = samplesOf(loaded.table);
  if (samples.ticker.length === 0) throw new Error(`${pricesDir}: no samples: no trading day of the price files falls in the splits' date ranges`);
  return {
    name: path.basename(pricesDir),
    samples,
    prices: pricesByTicker(loaded.prices),
    splits,
    tweetsDir,
    fingerprint: () => [...fingerprintFiles(loaded.priceFiles), ...(tweetsDir === null ? [] : [tweetFolderFingerprint(tweetsDir, loaded.tickers)])],
    official: false,
    skipped,
  };
}

/** Loads the configured data (relative folder paths are taken from the working directory). */
export async function loadStockData(config: StockDataConfig): Promise<StockData> {
  return config.source === 'stocknet' ? loadStockNetData(config) : loadFolderData(config);
}

/** Table row indices of a split's samples, in table order. */
export function splitRows(samples: StockSamples, split: StockNetSplit): number[] {
  return samples.split.flatMap((s, i) => (s === split ? [i] : []));
}

/** Every ticker's prices and the tweet folder of a data config, without building samples (for predict). */
export async function loadPriceData(config: StockDataConfig): Promise<{ prices: PriceHistory; tweetsDir: string | null }> {
  if (config.source === 'stocknet') {
    const folder = requireDataset('stocknet', config.dataDir === undefined ? process.env : { ...process.env, FINMM_DATA_DIR: config.dataDir });
    const raw = await loadStockNetPrices(config.dataDir === undefined ? {} : { dataDir: config.dataDir });
    return { prices: pricesByTicker(raw), tweetsDir: path.join(folder, 'tweet', 'preprocessed') };
  }
  const { prices } = readPriceFolder(path.resolve(config.prices), { lenient: config.lenient });
  return { prices: pricesByTicker(prices), tweetsDir: config.tweets === undefined ? null : path.resolve(config.tweets) };
}
