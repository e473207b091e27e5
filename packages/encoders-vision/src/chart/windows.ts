// Cuts chart windows from a daily series: the bars before each target date (never the target itself), plus the
// earlier bars the moving average needs.
import type { ChartBar } from './bars.js';

/** A daily row with a date and optionally an adjusted close (an encoders-timeseries OhlcvRow fits). */
export interface DatedBar extends ChartBar {
  date: string;
  adjClose?: number;
}

/** Options of `chartWindowsBefore`. */
export interface ChartWindowOptions {
  /** Days drawn, D. */
  days: number;
  /** Moving-average days; default D. The window also takes up to maWindow - 1 earlier bars for it. */
  maWindow?: number;
  /** Scale open, high, low and close by adjClose / close when the rows have adjClose; default true. */
  adjusted?: boolean;
}

/** Windows cut by `chartWindowsBefore`. */
export interface ChartWindows {
  /** Bars of each window, oldest first: up to maWindow - 1 history bars, then the D drawn days. */
  windows: ChartBar[][];
  /** For each window, the index of its target date in the `targetDates` given. */
  targetIndex: number[];
  /** Targets with fewer than D bars before them. */
  skipped: Array<{ index: number; date: string; reason: string }>;
}

function adjust(row: DatedBar, adjusted: boolean): ChartBar {
  if (!adjusted || row.adjClose === undefined) return row;
  const k = row.adjClose / row.close;
  return { date: row.date, open: row.open * k, high: row.high * k, low: row.low * k, close: row.adjClose, volume: row.volume };
}

/** For each target date d, the D bars with date < d (plus MA history); rows must be sorted by date. */
export function chartWindowsBefore(rows: ArrayLike<DatedBar>, targetDates: readonly string[], options: ChartWindowOptions): ChartWindows {
  const { days } = options;
  const history = (options.maWindow ?? days) - 1;
  const adjusted = options.adjusted ?? true;
  const dates = Array.from({ length: rows.length }, (_, i) => (rows[i] as DatedBar).date);
  const out: ChartWindows = { windows: [], targetIndex: [], skipped: [] };
  targetDates.forEach((date, index) => {
    let lo = 0;
    let hi = dates.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((dates[mid] as string) < date) lo = mid + 1;
      else hi = mid;
    }
    const end = lo; // rows [.., end) lie before the target date
    if (end < days) {
      out.skipped.push({ index, date, reason: `only ${end} trading days before ${date}, a chart needs ${days}` });
      return;
    }
    const start = Math.max(0, end - days - history);
    const bars: ChartBar[] = [];
    for (let j = start; j < end; j++) bars.push(adjust(rows[j] as DatedBar, adjusted));
    out.windows.push(bars);
    out.targetIndex.push(index);
  });
  return out;
}
