// Loads the raw Yahoo OHLCV history of every StockNet ticker (for chart images and market context).
import fs from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import type { BadRecordPolicy } from '@finmm/data';
import { readTextFile } from '../common/read-text.js';
import { utf8Data } from '../common/arrow-build.js';
import { datasetFolder } from '../common/dataset-folder.js';
import { OHLCV_FIELDS, parseRawPrices, type RawPriceDay, type YahooNullDay } from './raw-prices.js';

/** Options of `loadStockNetPrices`. */
export interface StockNetPricesOptions extends BadRecordPolicy {
  /** Data directory holding `stocknet/`; default FINMM_DATA_DIR or ../shared/data. */
  dataDir?: string;
  /** Only these tickers (default every price/raw/*.csv). */
  tickers?: readonly string[];
}

/**
 * Columns ticker, date (YYYY-MM-DD) and float64 open, high, low, close, adj_close, volume; rows sorted by ticker,
 * then date. `rows` gives each ticker's [start, end) row range. Days Yahoo lists as all-`null` are left out and
 * listed in `nullDays` (PTR, REX and SNP on 2016-06-29 in the original files).
 */
export interface StockNetPrices {
  table: arrow.Table;
  rows: ReadonlyMap<string, { start: number; end: number }>;
  nullDays: YahooNullDay[];
}

/** Reads price/raw/<T>.csv for each ticker into one long table; bad rows throw or are skipped. */
export async function loadStockNetPrices(options: StockNetPricesOptions = {}): Promise<StockNetPrices> {
  const dir = path.join(datasetFolder('stocknet', options.dataDir), 'price', 'raw');
  const available = fs.readdirSync(dir).filter((f) => f.endsWith('.csv') && !f.startsWith('.')).map((f) => f.slice(0, -4)).sort();
  const tickers = options.tickers === undefined ? available : [...new Set(options.tickers)].sort();
  const missing = tickers.filter((t) => !available.includes(t));
  if (missing.length > 0) throw new Error(`loadStockNetPrices: no raw price file for ticker(s) ${missing.join(', ')} in ${dir}`);
  return readPriceFiles(dir, tickers, options);
}

/** Reads `<dir>/<TICKER>.csv` (Yahoo's raw layout) for each ticker into one table sorted by ticker, then date. */
export function readPriceFiles(dir: string, tickers: readonly string[], policy: BadRecordPolicy = {}): StockNetPrices {
  const tickerColumn: string[] = [];
  const all: RawPriceDay[] = [];
  const rows = new Map<string, { start: number; end: number }>();
  const nullDays: YahooNullDay[] = [];
  for (const ticker of tickers) {
    const file = path.join(dir, `${ticker}.csv`);
    const text = readTextFile(file);
    const parsed = parseRawPrices(text, file, policy);
    rows.set(ticker, { start: all.length, end: all.length + parsed.days.length });
    for (const day of parsed.days) {
      all.push(day);
      tickerColumn.push(ticker);
    }
    nullDays.push(...parsed.nullDays);
  }
  const columns: Record<string, arrow.Vector> = {
    ticker: arrow.makeVector(utf8Data(tickerColumn)),
    date: arrow.makeVector(utf8Data(all.map((d) => d.date))),
  };
  OHLCV_FIELDS.forEach((name, i) => {
    columns[name] = arrow.makeVector(Float64Array.from(all, (d) => d.values[i] as number));
  });
  return { table: new arrow.Table(columns), rows, nullDays };
}
