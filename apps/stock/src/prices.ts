// Every ticker's raw daily bars as OHLCV rows, and the market series computed from their adjusted closes.
import type * as arrow from 'apache-arrow';
import type { OhlcvRow } from '@finmm/encoders-timeseries';
import { marketSeries, type MarketSeries, type StockNetPrices } from '@finmm/finance-tasks';

/** Daily bars per ticker, oldest first (open/high/low/close as traded, adjClose for returns). */
export type PriceHistory = ReadonlyMap<string, readonly OhlcvRow[]>;

/** The long price table of `loadStockNetPrices` / `readPriceFolder` as rows per ticker. */
export function pricesByTicker(prices: Pick<StockNetPrices, 'table' | 'rows'>): PriceHistory {
  const column = (name: string): arrow.Vector => {
    const v = prices.table.getChild(name);
    if (v === null) throw new Error(`the price table has no column "${name}"`);
    return v;
  };
  const [date, open, high, low, close, adj, volume] = ['date', 'open', 'high', 'low', 'close', 'adj_close', 'volume'].map(column) as arrow.Vector[];
  const out = new Map<string, OhlcvRow[]>();
  for (const [ticker, { start, end }] of prices.rows) {
    const rows: OhlcvRow[] = [];
    for (let i = start; i < end; i++) {
      rows.push({
        date: date?.get(i) as string,
        open: open?.get(i) as number,
        high: high?.get(i) as number,
        low: low?.get(i) as number,
        close: close?.get(i) as number,
        adjClose: adj?.get(i) as number,
        volume: volume?.get(i) as number,
      });
    }
    out.set(ticker, rows);
  }
  return out;
}

/** The market's daily average move over every ticker's adjusted closes. */
export function marketOf(prices: PriceHistory, minCoverage: number): MarketSeries {
  const closes = new Map([...prices].map(([ticker, rows]) => [ticker, rows.map((r) => ({ date: r.date, close: r.adjClose ?? r.close }))]));
  return marketSeries(closes, { minCoverage });
}

/** Index of the first row dated on or after `date` (rows [0, index) lie strictly before it). */
export function rowsBefore(rows: readonly OhlcvRow[], date: string): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((rows[mid] as OhlcvRow).date < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
