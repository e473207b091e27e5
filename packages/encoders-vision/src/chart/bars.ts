// The daily bars a chart is drawn from, and their validation (errors name the window, bar, date and field).

/** One day's prices and volume. A `@finmm/encoders-timeseries` OhlcvRow is one. */
export interface ChartBar {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Used in error messages when present. */
  date?: string;
}

/** Bars of one chart, oldest first: the last `days` are drawn, earlier ones only feed the moving average. */
export type ChartWindow = ArrayLike<ChartBar>;

/** A bad bar or window; the message names the window index, bar index, date and field. */
export class ChartError extends Error {
  constructor(
    message: string,
    /** Index of the window in the batch. */
    readonly window: number,
    /** Field that is wrong (`high`, `volume`, ... or `length`). */
    readonly field: string,
  ) {
    super(message);
    this.name = 'ChartError';
  }
}

const FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;

/** Throws a ChartError unless every bar has finite prices, high >= low and volume >= 0. */
export function checkBar(bar: ChartBar, window: number, index: number): void {
  const where = (): string => `chart window ${window}, bar ${index}${bar.date === undefined ? '' : ` (date ${bar.date})`}`;
  for (const field of FIELDS) {
    const value = bar[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new ChartError(`${where()}: field "${field}": expected a finite number, got ${String(value)}`, window, field);
  }
  if (bar.high < bar.low) throw new ChartError(`${where()}: field "high": high ${bar.high} is below low ${bar.low}`, window, 'high');
  if (bar.volume < 0) throw new ChartError(`${where()}: field "volume": expected a volume >= 0, got ${bar.volume}`, window, 'volume');
}
