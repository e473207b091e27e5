import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SkipReport } from '@finmm/data';
import { loadStockNet, loadStockNetPrices } from '../src/index.js';
import { copyDataset, dataErrorOf, replaceLine, tempDir } from './helpers.js';

// Malformed copies of the original layout: PTR (prices, tweets, a Yahoo all-null day) and UL (prices only).
const TICKERS = ['PTR', 'UL'];
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

interface Copy {
  dataDir: string;
  prices: string;
  raw: string;
  tweets: string;
}

function copy(): Copy {
  const dataDir = tempDir('stocknet');
  dirs.push(dataDir);
  const files = [...TICKERS.flatMap((t) => [`price/raw/${t}.csv`, `price/preprocessed/${t}.txt`]), 'tweet/preprocessed/PTR'];
  const folder = copyDataset(dataDir, 'stocknet', files);
  return {
    dataDir,
    prices: path.join(folder, 'price', 'preprocessed', 'PTR.txt'),
    raw: path.join(folder, 'price', 'raw', 'PTR.csv'),
    tweets: path.join(folder, 'tweet', 'preprocessed', 'PTR'),
  };
}

/** 1-based line of `date` in a price file. */
function lineOf(file: string, date: string): number {
  const index = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.startsWith(date));
  if (index < 0) throw new Error(`${date} not in ${file}`);
  return index + 1;
}

const setField = (sep: string, i: number, value: string) => (line: string): string => line.split(sep).map((f, j) => (j === i ? value : f)).join(sep);

let cleanRows = 0;
let windowDay = ''; // a PTR tweet day that falls in the window of a kept sample
beforeAll(async () => {
  const c = copy();
  const { table } = await loadStockNet({ dataDir: c.dataDir, cache: false });
  cleanRows = table.numRows;
  for (let i = 0; i < table.numRows && windowDay === ''; i++) {
    const offsets = table.getChild('tweet_day_offsets')!.get(i)!;
    if (table.getChild('ticker')!.get(i) === 'PTR' && offsets.length > 0) {
      const d = new Date(`${String(table.getChild('date')!.get(i))}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() - (offsets.get(offsets.length - 1) as number));
      windowDay = d.toISOString().slice(0, 10);
    }
  }
});

describe('malformed preprocessed price files', () => {
  const cases: Array<[string, (line: string) => string, string | undefined, RegExp]> = [
    ['2015-06-01', (l) => l.split('\t').slice(0, 3).join('\t'), undefined, /expected 7 tab-separated fields .* got 3/],
    ['2015-06-02', setField('\t', 3, 'abc'), 'high', /expected a number, got "abc"/],
    ['2015-06-03', setField('\t', 6, ''), 'volume', /expected a number, got ""/],
    ['2015-06-04', setField('\t', 1, 'NaN'), 'movement_percent', /expected a number, got "NaN"/],
    ['2015-06-05', setField('\t', 0, '2015-02-30'), 'date', /expected a date YYYY-MM-DD, got "2015-02-30"/],
    ['2015-06-08', setField('\t', 0, '2015-06-09'), 'date', /newest first without repeats: 2015-06-09 after 2015-06-09/],
  ];

  it('names file, line and field', async () => {
    for (const [date, edit, field, reason] of cases) {
      const c = copy();
      const line = lineOf(c.prices, date);
      replaceLine(c.prices, line, edit);
      const error = await dataErrorOf(loadStockNet({ dataDir: c.dataDir, cache: false }));
      expect(error.at).toEqual(field === undefined ? { file: c.prices, line } : { file: c.prices, line, field });
      expect(error.reason).toMatch(reason);
    }
  });

  it('skips the bad days in lenient mode; windows use the remaining trading days', async () => {
    const c = copy();
    const bad = cases.map(([date, edit]) => {
      replaceLine(c.prices, lineOf(c.prices, date), edit);
      return date;
    });
    const skipped = new SkipReport();
    const { table } = await loadStockNet({ dataDir: c.dataDir, cache: false, lenient: true, skipped });
    expect(skipped.total).toBe(cases.length);
    const dates = new Set<string>();
    for (let i = 0; i < table.numRows; i++) {
      if (table.getChild('ticker')!.get(i) === 'PTR') for (const d of table.getChild('price_dates')!.get(i)!) dates.add(d as string);
    }
    expect(dates.has('2015-05-29')).toBe(true);
    for (const d of bad) expect(dates.has(d)).toBe(false);
    expect(table.numRows).toBeGreaterThan(cleanRows - 20);
    expect(table.numRows).toBeLessThanOrEqual(cleanRows);
  });
});

describe('malformed tweet files', () => {
  const cases: Array<[(line: string) => string, string | undefined, RegExp]> = [
    [(l) => l.slice(0, 40), undefined, /not valid JSON/],
    [(l) => l.replace(/"created_at": "[^"]*"/, '"created_at": "yesterday"'), 'created_at', /expected a Twitter date .* got "yesterday"/],
    [(l) => l.replace(/"created_at": "[^"]*"/, '"created_at": "Fri Jan 01 10:00:00 +0000 2100"'), 'created_at', /tweet of 2100-01-01 in the file of the earlier day/],
    [(l) => l.replace(/"text": \[[^\]]*\]/, '"text": "one string"'), 'text', /expected an array of tokens/],
    [(l) => l.replace(/"text": \[/, '"text": [7, '), 'text', /expected string tokens, got 7/],
    [() => '[1, 2]', undefined, /expected a JSON object per line/],
  ];

  it('names file and line (and field)', async () => {
    expect(windowDay).not.toBe('');
    for (const [edit, field, reason] of cases) {
      const c = copy();
      const file = path.join(c.tweets, windowDay);
      replaceLine(file, 1, edit);
      const error = await dataErrorOf(loadStockNet({ dataDir: c.dataDir, cache: false }));
      expect(error.at).toEqual(field === undefined ? { file, line: 1 } : { file, line: 1, field });
      expect(error.message.startsWith(`${file}:1`)).toBe(true);
      expect(error.reason).toMatch(reason);
    }
  });

  it('rejects a file not named by its day', async () => {
    const c = copy();
    const file = path.join(c.tweets, 'tweets-2015-01-02.json');
    fs.writeFileSync(file, '');
    const error = await dataErrorOf(loadStockNet({ dataDir: c.dataDir, cache: false }));
    expect(error.at).toEqual({ file });
    expect(error.reason).toMatch(/named by its day, YYYY-MM-DD/);
  });

  it('skips bad lines in lenient mode, keeps the cache, and reports them again on a cache hit', async () => {
    const c = copy();
    const file = path.join(c.tweets, windowDay);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').length;
    replaceLine(file, 1, (l) => l.slice(0, 40));
    const cacheDir = tempDir('stocknet-fuzz-cache');
    dirs.push(cacheDir);
    const first = new SkipReport();
    const cold = await loadStockNet({ dataDir: c.dataDir, cacheDir, lenient: true, skipped: first });
    expect(cold.fromCache).toBe(false);
    expect(first.total).toBe(1);
    expect(first.examples[0]!.at).toEqual({ file, line: 1 });
    expect(cold.table.numRows).toBe(cleanRows);
    const dayOffsets = cold.table.getChild('tweet_day_offsets')!;
    const messages = cold.table.getChild('tweets')!;
    const dates = cold.table.getChild('date')!;
    // the sample of the next trading day holds the day's other messages only
    for (let i = 0; i < cold.table.numRows; i++) {
      if (cold.table.getChild('ticker')!.get(i) !== 'PTR' || (dates.get(i) as string) <= windowDay) continue;
      const offsets = [...dayOffsets.get(i)!] as number[];
      const k = (Date.parse(dates.get(i) as string) - Date.parse(windowDay)) / 86_400_000;
      expect(offsets.filter((o) => o === k).length).toBe(Math.min(30, lines - 1));
      expect(messages.get(i)!.length).toBe(offsets.length);
      break;
    }
    const second = new SkipReport();
    const warm = await loadStockNet({ dataDir: c.dataDir, cacheDir, lenient: true, skipped: second });
    expect(warm.fromCache).toBe(true);
    expect(second.total).toBe(1);
    expect(second.examples[0]!.message).toBe(first.examples[0]!.message);
    // strict mode does not reuse the lenient cache
    await expect(loadStockNet({ dataDir: c.dataDir, cacheDir })).rejects.toThrow(/not valid JSON/);
  });
});

describe('malformed raw Yahoo price files', () => {
  const cases: Array<[number, (line: string) => string, string | undefined, RegExp]> = [
    [2, () => 'Date,Open,High,Low,Close,Volume', undefined, /expected the header "Date,Open,High,Low,Close,Adj Close,Volume"/],
    [10, setField(',', 4, '12,5'), undefined, /expected 7 comma-separated fields/],
    [11, setField(',', 4, 'x1'), 'Close', /expected a number, got "x1"/],
    [12, setField(',', 5, 'null'), 'Adj Close', /expected a number, got "null"/],
    [13, setField(',', 0, '2013/01/02'), 'Date', /expected a date YYYY-MM-DD/],
    [14, setField(',', 0, '2012-01-02'), 'Date', /oldest first without repeats/],
  ];

  it('names file, line and field', async () => {
    for (const [line, edit, field, reason] of cases) {
      const c = copy();
      const at = line === 2 ? 1 : line;
      replaceLine(c.raw, at, edit);
      const error = await dataErrorOf(loadStockNetPrices({ dataDir: c.dataDir }));
      expect(error.at).toEqual(field === undefined ? { file: c.raw, line: at } : { file: c.raw, line: at, field });
      expect(error.reason).toMatch(reason);
    }
  });

  it('skips bad rows in lenient mode and lists the Yahoo all-null day', async () => {
    const c = copy();
    const clean = await loadStockNetPrices({ dataDir: c.dataDir });
    for (const [line, edit] of cases.slice(1)) replaceLine(c.raw, line, edit);
    const skipped = new SkipReport();
    const { table, rows, nullDays } = await loadStockNetPrices({ dataDir: c.dataDir, lenient: true, skipped });
    expect(skipped.total).toBe(cases.length - 1);
    expect(table.numRows).toBe(clean.table.numRows - (cases.length - 1));
    expect(rows.get('UL')).toEqual({ start: rows.get('PTR')!.end, end: table.numRows });
    expect(nullDays).toEqual([{ file: c.raw, line: 962, date: '2016-06-29' }]);
  });
});
