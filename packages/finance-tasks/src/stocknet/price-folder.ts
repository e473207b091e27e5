// Stock-movement samples from a user's own data: a folder of daily price CSVs in Yahoo's layout (one file per
// ticker, `<TICKER>.csv`) and optionally a folder of per-day tweet files in StockNet's layout, with the date
// splits and movement thresholds given by the caller. Same table as `loadStockNet` (prices/price_dates empty:
// price inputs come from the raw price table).
import fs from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import type { BadRecordPolicy } from '@finmm/data';
import { epochDay } from '../common/iso-date.js';
import { isIsoDate } from '../common/values.js';
import { readPriceFiles, type StockNetPrices } from './load-prices.js';
import type { StockNetSample, TweetDay } from './samples.js';
import { stockNetSamplesTable } from './samples-table.js';
import { STOCKNET_MOVEMENT_RULE, STOCKNET_WINDOW, type StockNetSplit } from './task.js';
import { readTweetDir } from './tweet-dir.js';

/** Samples with `dropFrom <= movement < dropTo` are dropped; the rest are up (1) when movement > upAbove, else down (0). */
export interface MovementRule {
  dropFrom: number;
  dropTo: number;
  upAbove: number;
}

/** A split's target dates: `from <= d < to` (YYYY-MM-DD). */
export interface DateSplit {
  name: StockNetSplit;
  from: string;
  to: string;
}

/** Options of `loadPriceFolder`. */
export interface PriceFolderOptions extends BadRecordPolicy {
  /** Folder of `<TICKER>.csv` files with the header `Date,Open,High,Low,Close,Adj Close,Volume`, oldest first. */
  prices: string;
  /** Folder of `<TICKER>/<YYYY-MM-DD>` files of JSON lines `{"text": [tokens], "created_at": "..."}`; none when absent. */
  tweets?: string;
  /** Target-date range of train, validation and test (each once, not overlapping). */
  splits: readonly DateSplit[];
  /** Movement thresholds; default StockNet's. */
  rule?: MovementRule;
  /** Only these tickers' samples (default every file); other tickers' prices are still read (market context). */
  tickers?: readonly string[];
  /** Calendar days of tweets before d; default 5. */
  windowDays?: number;
  /** Messages kept per day; default 30. */
  maxMessagesPerDay?: number;
  /** Tokens kept per message; default 40. */
  maxWordsPerMessage?: number;
}

/** The samples table, the long price table of every ticker in the folder, and the files read. */
export interface PriceFolderDataset {
  table: arrow.Table;
  prices: StockNetPrices;
  /** Price CSVs read (every ticker). */
  priceFiles: string[];
  /** Tickers whose samples are in the table. */
  tickers: string[];
}

/** Checks that the splits are train, validation and test, each a valid non-empty range, not overlapping. */
export function checkDateSplits(splits: readonly DateSplit[], source = 'splits'): void {
  const names = splits.map((s) => s.name).sort();
  if (names.join(',') !== 'test,train,validation') throw new Error(`${source}: give the target-date ranges of train, validation and test, each once; got ${names.join(', ') || 'none'}`);
  for (const s of splits) {
    for (const field of ['from', 'to'] as const) {
      if (!isIsoDate(s[field])) throw new Error(`${source}: split "${s.name}": field "${field}": expected a date YYYY-MM-DD, got ${JSON.stringify(s[field])}`);
    }
    if (!(s.from < s.to)) throw new Error(`${source}: split "${s.name}": "from" ${s.from} must be before "to" ${s.to}`);
  }
  const sorted = [...splits].sort((a, b) => (a.from < b.from ? -1 : 1));
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as DateSplit;
    const cur = sorted[i] as DateSplit;
    if (cur.from < prev.to) throw new Error(`${source}: splits "${prev.name}" (${prev.from}..${prev.to}) and "${cur.name}" (${cur.from}..${cur.to}) overlap`);
  }
}

/** The split of a target date under `splits`, or null outside them. */
export function splitOfDate(splits: readonly DateSplit[], date: string): StockNetSplit | null {
  for (const s of splits) if (s.from <= date && date < s.to) return s.name;
  return null;
}

/** The label of a movement under `rule`: 1 up, 0 down, null when dropped. */
export function labelOfMovement(rule: MovementRule, movement: number): 0 | 1 | null {
  if (rule.dropFrom <= movement && movement < rule.dropTo) return null;
  return movement > rule.upAbove ? 1 : 0;
}

/**
 * Reads every `<TICKER>.csv` of a folder into one long price table (as `loadStockNetPrices`), rows sorted by ticker
 * then date. Bad rows throw a DataError naming file, line and field (or are skipped in lenient mode).
 */
export function readPriceFolder(dir: string, policy: BadRecordPolicy = {}): { prices: StockNetPrices; files: string[] } {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`price folder ${dir} does not exist`);
  const tickers = fs.readdirSync(dir).filter((f) => f.toLowerCase().endsWith('.csv') && !f.startsWith('.')).map((f) => f.slice(0, -4)).sort();
  if (tickers.length === 0) throw new Error(`price folder ${dir} has no <TICKER>.csv files`);
  return { prices: readPriceFiles(dir, tickers, policy), files: tickers.map((ticker) => path.join(dir, `${ticker}.csv`)) };
}

/** The tweet days of the window d-days..d-1 from a ticker's messages by UTC day. */
function windowTweets(byEpochDay: ReadonlyMap<number, readonly string[]>, date: string, days: number): TweetDay[] {
  const target = epochDay(date);
  const out: TweetDay[] = [];
  for (let offset = days; offset >= 1; offset--) {
    const messages = byEpochDay.get(target - offset);
    if (messages !== undefined && messages.length > 0) out.push({ offset, messages });
  }
  return out;
}

/**
 * Loads samples from a price folder (and tweet folder): one per (ticker, trading day d) with a previous trading
 * day, d in a split and the movement (adjusted close of d over that of the previous day, minus 1) passing the
 * rule; tweets of the calendar days before d. Nothing dated d or later is an input.
 */
export function loadPriceFolder(options: PriceFolderOptions): PriceFolderDataset {
  checkDateSplits(options.splits);
  const rule = options.rule ?? STOCKNET_MOVEMENT_RULE;
  const days = options.windowDays ?? STOCKNET_WINDOW.days;
  const limits = { maxMessages: options.maxMessagesPerDay ?? STOCKNET_WINDOW.maxMessagesPerDay, maxWords: options.maxWordsPerMessage ?? STOCKNET_WINDOW.maxWordsPerMessage };
  const policy: BadRecordPolicy = { ...(options.lenient === undefined ? {} : { lenient: options.lenient }), ...(options.skipped === undefined ? {} : { skipped: options.skipped }) };
  const { prices, files } = readPriceFolder(options.prices, policy);
  const available = [...prices.rows.keys()];
  const tickers = options.tickers === undefined ? available : [...new Set(options.tickers)].sort();
  const missing = tickers.filter((t) => !available.includes(t));
  if (missing.length > 0) throw new Error(`loadPriceFolder: no price file for ticker(s) ${missing.join(', ')} in ${options.prices}`);
  if (options.tweets !== undefined && !fs.existsSync(options.tweets)) throw new Error(`tweet folder ${options.tweets} does not exist`);
  const dates = prices.table.getChild('date') as arrow.Vector<arrow.Utf8>;
  const adj = prices.table.getChild('adj_close') as arrow.Vector<arrow.Float64>;
  const samples: StockNetSample[] = [];
  for (const ticker of tickers) {
    const { start, end } = prices.rows.get(ticker) as { start: number; end: number };
    const byDay = options.tweets === undefined ? new Map<string, string[]>() : readTweetDir(path.join(options.tweets, ticker), limits, policy);
    const byEpochDay = new Map<number, readonly string[]>();
    for (const [date, messages] of byDay) byEpochDay.set(epochDay(date), messages);
    for (let i = start + 1; i < end; i++) {
      const date = dates.get(i) as string;
      const split = splitOfDate(options.splits, date);
      if (split === null) continue;
      const movement = (adj.get(i) as number) / (adj.get(i - 1) as number) - 1;
      const label = labelOfMovement(rule, movement);
      if (label === null) continue;
      samples.push({ ticker, date, split, label, movement, tweetDays: windowTweets(byEpochDay, date, days), priceDays: [] });
    }
  }
  return { table: stockNetSamplesTable(samples), prices, priceFiles: files, tickers };
}
