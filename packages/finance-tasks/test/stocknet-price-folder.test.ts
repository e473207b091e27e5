// Samples from a folder of Yahoo price CSVs and StockNet-layout tweet files: movement from adjusted closes, the
// caller's splits and thresholds, tweet windows strictly before the target date, and errors naming file and line.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isoOfEpochDay, loadPriceFolder, readPriceFolder, readTweetWindow, type DateSplit } from '../src/index.js';
import { tempDir } from './helpers.js';

const root = tempDir('price-folder');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const SPLITS: DateSplit[] = [
  { name: 'train', from: '2020-01-01', to: '2020-02-01' },
  { name: 'validation', from: '2020-02-01', to: '2020-02-15' },
  { name: 'test', from: '2020-02-15', to: '2020-03-01' },
];

/** Weekdays from 2019-12-02 on, `n` of them. */
function weekdays(n: number): string[] {
  const out: string[] = [];
  for (let day = Date.UTC(2019, 11, 2) / 86_400_000; out.length < n; day++) {
    const weekday = new Date(day * 86_400_000).getUTCDay();
    if (weekday !== 0 && weekday !== 6) out.push(isoOfEpochDay(day));
  }
  return out;
}

/** A Yahoo CSV whose adjusted close moves by `moves[i]` on day i (close = adjusted close x 1.1). */
function writePrices(dir: string, ticker: string, dates: string[], moves: (i: number) => number): number[] {
  let adj = 100;
  const adjs: number[] = [];
  const lines = dates.map((date, i) => {
    if (i > 0) adj *= 1 + moves(i);
    adjs.push(adj);
    const close = adj * 1.1;
    return `${date},${close.toFixed(6)},${(close * 1.01).toFixed(6)},${(close * 0.99).toFixed(6)},${close.toFixed(6)},${adj.toFixed(6)},${1000 + i}`;
  });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${ticker}.csv`), `Date,Open,High,Low,Close,Adj Close,Volume\n${lines.join('\n')}\n`);
  return adjs;
}

function writeTweets(dir: string, ticker: string, day: string, texts: string[]): void {
  fs.mkdirSync(path.join(dir, ticker), { recursive: true });
  const [y, m, d] = day.split('-');
  const month = ['Jan', 'Feb', 'Mar'][Number(m) - 1];
  const lines = texts.map((t) => JSON.stringify({ text: t.split(' '), created_at: `Wed ${month} ${d} 12:00:00 +0000 ${y}`, user_id_str: '1' }));
  fs.writeFileSync(path.join(dir, ticker, day), `${lines.join('\n')}\n`);
}

const dates = weekdays(70);
const prices = path.join(root, 'prices');
const tweets = path.join(root, 'tweets');
const moveOf = (i: number): number => [0.02, -0.01, 0.001, -0.03, 0.006][i % 5]!;
const adjA = writePrices(prices, 'AAA', dates, moveOf);
writePrices(prices, 'BBB', dates, (i) => -moveOf(i));
const target = '2020-02-18'; // a Tuesday in the test split
writeTweets(tweets, 'AAA', '2020-02-12', ['too early by one day']); // d-6
writeTweets(tweets, 'AAA', '2020-02-14', ['friday news $aaa']);
writeTweets(tweets, 'AAA', '2020-02-17', ['monday holiday chat', 'second message']);
writeTweets(tweets, 'AAA', target, ['written on the target day itself']);

describe('loadPriceFolder', () => {
  const data = loadPriceFolder({ prices, tweets, splits: SPLITS });
  const column = (name: string): unknown[] => [...data.table.getChild(name)!];

  it('labels each day by its adjusted-close move with the StockNet thresholds and the given splits', () => {
    const tickers = column('ticker');
    const rowDates = column('date') as string[];
    const a = rowDates.map((d, i) => ({ d, i })).filter(({ i }) => tickers[i] === 'AAA');
    // moves 0.02 and -0.01 and -0.03 and 0.006 pass the rule; 0.001 is dropped
    const expected = dates.flatMap((d, i) => (i > 0 && d >= '2020-01-01' && d < '2020-03-01' && moveOf(i) !== 0.001 ? [d] : []));
    expect(a.map(({ d }) => d)).toEqual(expected);
    const k = dates.indexOf(target);
    const row = a.find(({ d }) => d === target)!.i;
    expect(column('movement')[row] as number).toBeCloseTo(adjA[k]! / adjA[k - 1]! - 1, 5);
    expect(column('label')[row]).toBe(moveOf(k) > 0 ? 1 : 0);
    expect(column('split')[row]).toBe('test');
    expect(new Set(column('split'))).toEqual(new Set(['train', 'validation', 'test']));
    expect(data.tickers).toEqual(['AAA', 'BBB']);
    expect(data.priceFiles.map((f) => path.basename(f))).toEqual(['AAA.csv', 'BBB.csv']);
  });

  it('takes the tweets of the 5 calendar days before the target date, never of the date itself', () => {
    const row = (column('date') as string[]).findIndex((d, i) => d === target && column('ticker')[i] === 'AAA');
    expect([...(data.table.getChild('tweets')!.get(row) as Iterable<string>)]).toEqual(['friday news $aaa', 'monday holiday chat', 'second message']);
    expect([...(data.table.getChild('tweet_day_offsets')!.get(row) as Iterable<number>)]).toEqual([4, 1, 1]);
    const window = readTweetWindow(tweets, 'AAA', target, { days: 5, maxMessages: 30, maxWords: 40 });
    expect(window).toEqual([{ offset: 4, messages: ['friday news $aaa'] }, { offset: 1, messages: ['monday holiday chat', 'second message'] }]);
    expect(readTweetWindow(tweets, 'AAA', target, { days: 5, maxMessages: 1, maxWords: 1 })).toEqual([{ offset: 4, messages: ['friday'] }, { offset: 1, messages: ['monday'] }]);
  });

  it('keeps only the asked tickers and other thresholds', () => {
    const only = loadPriceFolder({ prices, splits: SPLITS, tickers: ['BBB'], rule: { dropFrom: -0.02, dropTo: 0.02, upAbove: 0 } });
    expect(new Set(only.table.getChild('ticker')!)).toEqual(new Set(['BBB']));
    expect([...only.table.getChild('movement')!].every((m) => Math.abs(m as number) >= 0.02 - 1e-9)).toBe(true);
    expect(only.prices.rows.size).toBe(2); // every ticker's prices are still read
    expect(() => loadPriceFolder({ prices, splits: SPLITS, tickers: ['ZZZ'] })).toThrow(/no price file for ticker\(s\) ZZZ/);
  });

  it('rejects bad splits, missing folders and bad price rows with the file, line and field', () => {
    expect(() => loadPriceFolder({ prices, splits: SPLITS.slice(0, 2) })).toThrow(/give the target-date ranges of train, validation and test/);
    const overlap = [SPLITS[0]!, { name: 'validation' as const, from: '2020-01-20', to: '2020-02-15' }, SPLITS[2]!];
    expect(() => loadPriceFolder({ prices, splits: overlap })).toThrow(/splits "train" \(2020-01-01..2020-02-01\) and "validation" \(2020-01-20..2020-02-15\) overlap/);
    expect(() => loadPriceFolder({ prices: path.join(root, 'nope'), splits: SPLITS })).toThrow(/price folder .*nope does not exist/);
    expect(() => loadPriceFolder({ prices, tweets: path.join(root, 'nope'), splits: SPLITS })).toThrow(/tweet folder .*nope does not exist/);
    const bad = path.join(root, 'bad');
    writePrices(bad, 'CCC', dates.slice(0, 10), moveOf);
    const file = path.join(bad, 'CCC.csv');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n(2019-12-05,[^,]*),[^,]*,/, '\n$1,abc,'));
    expect(() => readPriceFolder(bad)).toThrow(/CCC\.csv:5 field "High": expected a number, got "abc"/);
  });
});
