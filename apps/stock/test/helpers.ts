// Test helpers: temporary folders, config files with their command comment, JSON lines, and a synthetic folder of
// price CSVs and tweet files in Yahoo's and StockNet's layouts.
import fs from 'node:fs';
import path from 'node:path';
import { Rng } from '@finmm/core';
import { appTempDir, writeAppConfig } from '../../../tools/test-helpers/app-files.js';

export { lines, readJsonl, readJson } from '../../../tools/test-helpers/app-files.js';

/** A fresh temporary folder; remove it with `fs.rmSync(dir, { recursive: true, force: true })`. */
export const tempDir = (prefix: string): string => appTempDir('stock', prefix);

/** Writes a YAML config whose first line is the command that runs it; returns its path. */
export const writeConfig = (dir: string, name: string, config: Record<string, unknown>): string => writeAppConfig('stock', dir, name, config);

/** `n` weekdays from `start` (YYYY-MM-DD) on. */
export function weekdays(start: string, n: number): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); out.length < n; t += 86_400_000) {
    const day = new Date(t).getUTCDay();
    if (day !== 0 && day !== 6) out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/**
 * A folder of `<TICKER>.csv` price files (random walks sharing a market factor) and a folder of tweet files,
 * in the original layouts. Returns the folders and the dates.
 */
export function syntheticMarket(root: string, tickers: readonly string[], days: number, seed: number): { prices: string; tweets: string; dates: string[] } {
  const rng = Rng.fromSeed(seed);
  const dates = weekdays('2019-01-01', days);
  const prices = path.join(root, 'prices');
  const tweets = path.join(root, 'tweets');
  fs.mkdirSync(prices, { recursive: true });
  const market = dates.map(() => 0.02 * (rng.float() - 0.5));
  for (const ticker of tickers) {
    let close = 20 + 80 * rng.float();
    const rows = dates.map((date, i) => {
      const open = close;
      close = Math.max(1, close * (1 + market[i]! + 0.02 * (rng.float() - 0.5)));
      const high = Math.max(open, close) * (1 + 0.01 * rng.float());
      const low = Math.min(open, close) * (1 - 0.01 * rng.float());
      return `${date},${open.toFixed(4)},${high.toFixed(4)},${low.toFixed(4)},${close.toFixed(4)},${(close * 0.98).toFixed(4)},${Math.round(1e5 * (1 + rng.float()))}`;
    });
    fs.writeFileSync(path.join(prices, `${ticker}.csv`), `Date,Open,High,Low,Close,Adj Close,Volume\n${rows.join('\n')}\n`);
    fs.mkdirSync(path.join(tweets, ticker), { recursive: true });
    dates.forEach((date, i) => {
      if (i % 3 !== 0) return;
      const mood = market[i]! > 0 ? 'rally bullish' : 'selloff bearish';
      const [y, m, d] = date.split('-');
      const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(m) - 1];
      const line = JSON.stringify({ text: `$${ticker.toLowerCase()} ${mood} today`.split(' '), created_at: `Mon ${month} ${d} 15:00:00 +0000 ${y}`, user_id_str: '7' });
      fs.writeFileSync(path.join(tweets, ticker, date), `${line}\n`);
    });
  }
  return { prices, tweets, dates };
}
