// Market context for stock-movement samples: the cross-sectional average daily move of every ticker on the
// trading days before a target date, and the no-training rule "predict the previous trading day's average move".
// Only prices dated strictly before the target date are read for a target date.
import * as arrow from 'apache-arrow';
import type { StockNetPrices } from './load-prices.js';

/** One trading day of a ticker: its date (YYYY-MM-DD) and the close its return is computed from (adjusted when available). */
export interface DailyClose {
  date: string;
  close: number;
}

/** Options of `marketSeries`. */
export interface MarketSeriesOptions {
  /**
   * A date is a market day when at least this share of the tickers listed around it (first date <= date <= last
   * date of the ticker's closes) have a return on it; default 0.5. Keeps a stray row of one ticker from becoming a
   * market day.
   */
  minCoverage?: number;
}

/** The market's daily moves, oldest first. */
export interface MarketSeries {
  /** Market days, increasing. */
  dates: string[];
  /** Mean over tickers of the close-to-close return on that day (return of day t = close_t / close_{t-1} - 1). */
  meanMove: Float64Array;
  /** Share of those tickers whose return that day was > 0. */
  upShare: Float64Array;
  /** Tickers averaged that day. */
  count: Int32Array;
  /** Tickers the series was built from. */
  tickers: number;
}

/** Per-date sums of the tickers' returns. */
interface DayTotals {
  sum: number;
  up: number;
  count: number;
}

function checkSeries(ticker: string, days: readonly DailyClose[]): void {
  for (let i = 0; i < days.length; i++) {
    const day = days[i] as DailyClose;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day.date)) throw new Error(`marketSeries: ticker ${ticker}, row ${i}: field "date": expected YYYY-MM-DD, got ${JSON.stringify(day.date)}`);
    if (!(Number.isFinite(day.close) && day.close > 0)) throw new Error(`marketSeries: ticker ${ticker}, ${day.date}: field "close": expected a positive price, got ${day.close}`);
    if (i > 0 && !(day.date > (days[i - 1] as DailyClose).date)) throw new Error(`marketSeries: ticker ${ticker}, ${day.date}: dates must increase (after ${(days[i - 1] as DailyClose).date})`);
  }
}

/**
 * The cross-sectional average move per trading day of the given tickers' closes. A ticker's return on day t uses
 * its closes of t and of its previous row, so the move of day t is known at the close of t.
 */
export function marketSeries(closes: ReadonlyMap<string, readonly DailyClose[]>, options: MarketSeriesOptions = {}): MarketSeries {
  const minCoverage = options.minCoverage ?? 0.5;
  if (!(minCoverage >= 0 && minCoverage <= 1)) throw new Error(`marketSeries: option "minCoverage" must be in [0, 1], got ${minCoverage}`);
  const totals = new Map<string, DayTotals>();
  const spans: Array<[string, string]> = [];
  for (const [ticker, days] of closes) {
    checkSeries(ticker, days);
    for (let i = 1; i < days.length; i++) {
      const day = days[i] as DailyClose;
      const move = day.close / (days[i - 1] as DailyClose).close - 1;
      const t = totals.get(day.date) ?? { sum: 0, up: 0, count: 0 };
      t.sum += move;
      t.up += move > 0 ? 1 : 0;
      t.count += 1;
      totals.set(day.date, t);
    }
    if (days.length > 1) spans.push([(days[0] as DailyClose).date, (days[days.length - 1] as DailyClose).date]);
  }
  const dates = [...totals.keys()].sort().filter((date) => {
    const listed = spans.filter(([from, to]) => from <= date && date <= to).length;
    return (totals.get(date) as DayTotals).count >= minCoverage * listed;
  });
  const meanMove = new Float64Array(dates.length);
  const upShare = new Float64Array(dates.length);
  const count = new Int32Array(dates.length);
  dates.forEach((date, i) => {
    const t = totals.get(date) as DayTotals;
    meanMove[i] = t.sum / t.count;
    upShare[i] = t.up / t.count;
    count[i] = t.count;
  });
  return { dates, meanMove, upShare, count, tickers: closes.size };
}

/** Each ticker's (adjusted, by default) closes from a long price table such as `loadStockNetPrices` returns. */
export function dailyCloses(prices: Pick<StockNetPrices, 'table' | 'rows'>, adjusted = true): Map<string, DailyClose[]> {
  const dates = prices.table.getChild('date') as arrow.Vector<arrow.Utf8> | null;
  const close = prices.table.getChild(adjusted ? 'adj_close' : 'close') as arrow.Vector<arrow.Float64> | null;
  if (dates === null || close === null) throw new Error(`dailyCloses: the price table needs columns "date" and "${adjusted ? 'adj_close' : 'close'}"`);
  const out = new Map<string, DailyClose[]>();
  for (const [ticker, { start, end }] of prices.rows) {
    const days: DailyClose[] = [];
    for (let i = start; i < end; i++) days.push({ date: dates.get(i) as string, close: close.get(i) as number });
    out.set(ticker, days);
  }
  return out;
}

/** Index of the first market day on or after `date` (so days [0, index) lie strictly before it). */
function daysBefore(series: MarketSeries, date: string): number {
  let lo = 0;
  let hi = series.dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((series.dates[mid] as string) < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Names of the market-context features for `days` lags: `market_move_1..K`, then `market_up_share_1..K` (1 = the last market day before the target). */
export function marketContextNames(days: number): string[] {
  const lags = Array.from({ length: days }, (_, k) => k + 1);
  return [...lags.map((k) => `market_move_${k}`), ...lags.map((k) => `market_up_share_${k}`)];
}

/** Market-context features of target dates. */
export interface MarketContext {
  /** Row-major `[S, 2K]` in `marketContextNames(K)` order; 0 where `available` is 0. */
  values: Float32Array;
  /** `[S]`: 1 when K market days precede the target date. */
  available: Uint8Array;
  /** Features per target, 2K. */
  features: number;
  /** The last market day before each target date (null when none). */
  lastDay: Array<string | null>;
}

/**
 * For each target date d, the average move and up share of the `days` market days strictly before d, newest
 * first. Nothing dated d or later is read, so the features of d are known before d's open.
 */
export function marketContextBefore(series: MarketSeries, targetDates: readonly string[], days: number): MarketContext {
  if (!Number.isInteger(days) || days < 1) throw new Error(`marketContextBefore: "days" must be an integer >= 1, got ${days}`);
  const features = 2 * days;
  const values = new Float32Array(targetDates.length * features);
  const available = new Uint8Array(targetDates.length);
  const lastDay: Array<string | null> = [];
  targetDates.forEach((date, s) => {
    const end = daysBefore(series, date);
    lastDay.push(end > 0 ? (series.dates[end - 1] as string) : null);
    if (end < days) return;
    available[s] = 1;
    for (let k = 1; k <= days; k++) {
      values[s * features + k - 1] = series.meanMove[end - k] as number;
      values[s * features + days + k - 1] = series.upShare[end - k] as number;
    }
  });
  return { values, available, features, lastDay };
}

/**
 * The no-training rule "the stock moves as the market did on the previous trading day": 1 (up) when the average
 * move of the last market day before d is > 0, 0 (down) otherwise; null when no market day precedes d.
 */
export function marketRulePredictions(series: MarketSeries, targetDates: readonly string[]): Array<0 | 1 | null> {
  return targetDates.map((date) => {
    const end = daysBefore(series, date);
    if (end === 0) return null;
    return (series.meanMove[end - 1] as number) > 0 ? 1 : 0;
  });
}
