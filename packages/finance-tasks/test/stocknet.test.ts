import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as arrow from 'apache-arrow';
import { requireDataset } from '@finmm/core';
import { STOCKNET_PRICE_FEATURES, loadStockNet, loadStockNetPrices, type StockNetDataset } from '../src/index.js';
import { countValues, tempDir } from './helpers.js';

let cacheDir: string;
let full: StockNetDataset;
const folder = requireDataset('stocknet');

beforeAll(async () => {
  cacheDir = tempDir('stocknet-cache'); // never a cache left by an earlier run
  full = await loadStockNet({ cacheDir });
}, 120_000);
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

/** Up/down counts per split. */
function countsOf(table: arrow.Table): Record<string, { up: number; down: number; total: number }> {
  const out: Record<string, { up: number; down: number; total: number }> = {};
  const split = table.getChild('split')!;
  const label = table.getChild('label')!;
  for (let i = 0; i < table.numRows; i++) {
    const c = (out[split.get(i) as string] ??= { up: 0, down: 0, total: 0 });
    if (label.get(i) === 1) c.up += 1;
    else c.down += 1;
    c.total += 1;
  }
  return out;
}

const rowsOf = (v: arrow.Vector | null): unknown[][] => [...(v ?? [])].map((x) => [...(x as Iterable<unknown>)]);

describe('loadStockNet on the original files', () => {
  it('has the paper-rule counts: 20,345 / 2,555 / 3,720 with the published up/down split', () => {
    expect(full.fromCache).toBe(false);
    expect(countsOf(full.table)).toEqual({
      train: { up: 10321, down: 10024, total: 20345 },
      validation: { up: 1139, down: 1416, total: 2555 },
      test: { up: 1908, down: 1812, total: 3720 },
    });
    expect(new Set(full.table.getChild('ticker')!).size).toBe(87); // GMRE's prices start in 2016
    expect(full.table.schema.fields.map((f) => `${f.name}: ${String(f.type)}`)).toEqual([
      'ticker: Utf8', 'date: Utf8', 'split: Utf8', 'label: Int32', 'movement: Float64', 'tweets: List<Utf8>',
      'tweet_day_offsets: List<Int32>', 'tweet_days: Int32', 'prices: List<List<Float32>>', 'price_dates: List<Utf8>',
    ]);
  });

  it('loads the same table again from the Arrow cache', async () => {
    const warm = await loadStockNet({ cacheDir });
    expect(warm.fromCache).toBe(true);
    expect(warm.cacheFile).toBe(full.cacheFile);
    expect(warm.table.numRows).toBe(full.table.numRows);
    for (const name of ['ticker', 'date', 'label', 'movement', 'tweet_days']) {
      expect([...warm.table.getChild(name)!]).toEqual([...full.table.getChild(name)!]);
    }
    for (const i of [0, 777, 12345, 26619]) {
      for (const name of ['tweets', 'tweet_day_offsets', 'price_dates']) expect([...warm.table.getChild(name)!.get(i)!]).toEqual([...full.table.getChild(name)!.get(i)!]);
      expect(rowsOf(warm.table.getChild('prices')!.get(i))).toEqual(rowsOf(full.table.getChild('prices')!.get(i)));
    }
  });

  it('has 14,192 / 1,871 / 2,632 samples when a tweet day is required', async () => {
    const days = full.table.getChild('tweet_days')!.toArray() as Int32Array;
    const split = full.table.getChild('split')!.toArray() as string[];
    const counts = countValues(split.filter((_, i) => days[i]! >= 1));
    expect(counts).toEqual({ train: 14192, validation: 1871, test: 2632 });
    // the option keeps exactly those rows (checked on a few tickers to keep the test fast)
    const tickers = ['AAPL', 'BABA', 'GMRE', 'PTR'];
    const subset = await loadStockNet({ cacheDir, minTweetDays: 1, tickers, cache: false });
    const ticker = full.table.getChild('ticker')!.toArray() as string[];
    const date = full.table.getChild('date')!.toArray() as string[];
    const expected = ticker.map((k, i) => `${k} ${date[i]!}`).filter((_, i) => days[i]! >= 1 && tickers.includes(ticker[i]!));
    const got = (subset.table.getChild('ticker')!.toArray() as string[]).map((k, i) => `${k} ${String(subset.table.getChild('date')!.get(i))}`);
    expect(got).toEqual(expected);
    expect(expected.length).toBeGreaterThan(500);
    expect(Math.min(...(subset.table.getChild('tweet_days')!.toArray() as Int32Array))).toBe(1);
  });
});

/** The days of a preprocessed file, oldest first, read independently of the loader. */
function referencePrices(ticker: string): Array<{ date: string; values: number[] }> {
  const text = fs.readFileSync(path.join(folder, 'price', 'preprocessed', `${ticker}.txt`), 'utf8');
  return text.trim().split('\n').map((l) => l.split('\t')).map(([date, ...v]) => ({ date: date!, values: v.map(Number) })).reverse();
}

/** The UTC day of a Twitter created_at, read with Date. */
const utcDay = (createdAt: string): string => new Date(createdAt).toISOString().slice(0, 10);
const minusDays = (iso: string, k: number): string => new Date(Date.parse(`${iso}T00:00:00Z`) - k * 86_400_000).toISOString().slice(0, 10);

describe('no look-ahead', () => {
  it('uses only tweets and prices from before the target date, with the right windows (500 rows)', () => {
    const t = full.table;
    const n = t.numRows;
    const sample = Array.from({ length: 500 }, (_, i) => Math.floor(((i + 0.5) * n) / 500));
    const prices = new Map<string, ReturnType<typeof referencePrices>>();
    const seen = { splits: new Set<string>(), tickers: new Set<string>(), tweetRows: 0, shortWindows: 0 };
    for (const i of sample) {
      const ticker = t.getChild('ticker')!.get(i) as string;
      const date = t.getChild('date')!.get(i) as string;
      seen.splits.add(t.getChild('split')!.get(i) as string);
      seen.tickers.add(ticker);
      // prices: exactly the (up to) 5 trading days before d, all < d, with the file's values
      if (!prices.has(ticker)) prices.set(ticker, referencePrices(ticker));
      const ref = prices.get(ticker)!;
      const at = ref.findIndex((d) => d.date === date);
      expect(at).toBeGreaterThan(0);
      const expected = ref.slice(Math.max(0, at - 5), at);
      const priceDates = [...t.getChild('price_dates')!.get(i)!] as string[];
      expect(priceDates).toEqual(expected.map((d) => d.date));
      expect(priceDates.every((d) => d < date)).toBe(true);
      if (priceDates.length < 5) seen.shortWindows += 1;
      const window = rowsOf(t.getChild('prices')!.get(i)) as number[][];
      expect(window).toEqual(expected.map((d) => d.values.map((v) => Math.fround(v))));
      expect(t.getChild('movement')!.get(i)).toBe(ref[at]!.values[0]);
      // tweets: the first 30 messages (40 words each) of the files of d-5..d-1, oldest day first
      const offsets = [...t.getChild('tweet_day_offsets')!.get(i)!] as number[];
      const texts = [...t.getChild('tweets')!.get(i)!] as string[];
      const expectedTexts: string[] = [];
      const expectedOffsets: number[] = [];
      for (let k = 5; k >= 1; k--) {
        const file = path.join(folder, 'tweet', 'preprocessed', ticker, minusDays(date, k));
        if (!fs.existsSync(file)) continue;
        const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').slice(0, 30);
        for (const line of lines) {
          const tweet = JSON.parse(line) as { text: string[]; created_at: string };
          expect(utcDay(tweet.created_at) < date).toBe(true);
          expectedTexts.push(tweet.text.slice(0, 40).join(' '));
          expectedOffsets.push(k);
        }
      }
      expect(texts).toEqual(expectedTexts);
      expect(offsets).toEqual(expectedOffsets);
      expect(t.getChild('tweet_days')!.get(i)).toBe(new Set(offsets).size);
      if (texts.length > 0) seen.tweetRows += 1;
    }
    expect(seen.splits).toEqual(new Set(['train', 'validation', 'test']));
    expect(seen.tickers.size).toBeGreaterThan(80);
    expect(seen.tweetRows).toBeGreaterThan(250);
  });

  it('has full 5-day price windows except at a listing start (BABA from 2014-09-22, AGFS from 2014-11-21)', () => {
    const lengths = full.table.getChild('price_dates')!;
    const short: string[] = [];
    for (let i = 0; i < full.table.numRows; i++) {
      if (lengths.get(i)!.length < 5) short.push(`${String(full.table.getChild('ticker')!.get(i))} ${String(full.table.getChild('date')!.get(i))}`);
    }
    expect(short).toEqual(['AGFS 2014-11-25', 'BABA 2014-09-22', 'BABA 2014-09-23', 'BABA 2014-09-24', 'BABA 2014-09-25', 'BABA 2014-09-26']);
    expect(full.priceFeatures).toEqual(STOCKNET_PRICE_FEATURES);
  });
});

describe('loadStockNetPrices', () => {
  it('reads the raw Yahoo OHLCV history of 88 tickers, oldest first, leaving out Yahoo null days', async () => {
    const { table, rows, nullDays } = await loadStockNetPrices();
    expect(rows.size).toBe(88);
    const aapl = rows.get('AAPL')!;
    expect(aapl.end - aapl.start).toBe(1258);
    expect(table.get(aapl.start)!.toJSON()).toEqual({
      ticker: 'AAPL', date: '2012-09-04', open: 95.108574, high: 96.44857, low: 94.928574, close: 96.424286, adj_close: 87.12114, volume: 91973000,
    });
    expect(nullDays.map((d) => `${path.basename(d.file)}:${d.line} ${d.date}`)).toEqual(['PTR.csv:962 2016-06-29', 'REX.csv:962 2016-06-29', 'SNP.csv:962 2016-06-29']);
    const dates = table.getChild('date')!.toArray() as string[];
    for (const { start, end } of rows.values()) {
      const ordered = dates.slice(start, end).every((d, i, all) => i === 0 || d > all[i - 1]!);
      expect(ordered).toBe(true);
    }
  });
});
