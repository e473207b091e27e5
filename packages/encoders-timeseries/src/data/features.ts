// Price features per trading day computed from OHLCV rows: returns, ranges, volume z-scores, moving-average gaps
// and rolling volatility. Each day uses only itself and earlier days.
import { OhlcvError, toOhlcvRows, validateOhlcv, type OhlcvColumns, type OhlcvRow, type OhlcvRows } from './ohlcv.js';

/** The feature families `computeFeatures` can produce. */
export const FEATURE_KINDS = ['return', 'logReturn', 'range', 'closePosition', 'volumeZ', 'maGap', 'volatility'] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];

/** Options of `computeFeatures`; every field is optional. */
export interface FeatureOptions {
  /** Families to compute, in this order; default all of FEATURE_KINDS. */
  features?: readonly FeatureKind[];
  /** Moving-average windows (days) of the `maGap<k>` columns, `close / MA_k(close) - 1`; default [5, 10, 20]. */
  maWindows?: readonly number[];
  /** Windows (days) of the `volatility<k>` columns, the standard deviation of the last k log returns; default [5, 20]. */
  volatilityWindows?: readonly number[];
  /** Trailing days (the day itself included) of the volume z-score's mean and standard deviation; default 20. */
  volumeWindow?: number;
  /**
   * Use `adjClose` for the close-to-close features (returns, MA gaps, volatility) when the rows have it; default
   * true. Then every row must have it. `range` and `closePosition` are ratios of one day's prices and use the raw ones.
   */
  adjusted?: boolean;
}

/** Features of a series: `values[t * F + f]` is feature `names[f]` of day `dates[t]`. */
export interface FeatureTable {
  /** Column names, e.g. `return`, `maGap5`, `volatility20`. */
  names: string[];
  /** Date of each row, as in the input. */
  dates: string[];
  /** Row-major `[N, F]`; rows before `firstValid` are NaN (not enough history). */
  values: Float32Array;
  /** Index of the first row whose every feature is defined. */
  firstValid: number;
}

const DEFAULTS = { maWindows: [5, 10, 20], volatilityWindows: [5, 20], volumeWindow: 20 } as const;

function checkWindows(name: string, windows: readonly number[]): void {
  for (const w of windows) {
    if (!Number.isInteger(w) || w < 2) throw new Error(`computeFeatures: option "${name}": windows must be integers >= 2, got ${w}`);
  }
}

/** The column names `computeFeatures` produces for the given options. */
export function featureNames(options: FeatureOptions = {}): string[] {
  const names: string[] = [];
  for (const kind of options.features ?? FEATURE_KINDS) {
    if (kind === 'maGap') names.push(...(options.maWindows ?? DEFAULTS.maWindows).map((w) => `maGap${w}`));
    else if (kind === 'volatility') names.push(...(options.volatilityWindows ?? DEFAULTS.volatilityWindows).map((w) => `volatility${w}`));
    else names.push(kind);
  }
  return names;
}

/** The close series the close-to-close features use: adjusted closes when asked for and present. */
function closeSeries(rows: OhlcvRows, adjusted: boolean, source: string): Float64Array {
  const n = rows.length;
  const close = new Float64Array(n);
  const useAdjusted = adjusted && n > 0 && (rows[0] as OhlcvRow).adjClose !== undefined;
  for (let t = 0; t < n; t++) {
    const row = rows[t] as OhlcvRow;
    if (useAdjusted && row.adjClose === undefined) {
      throw new OhlcvError(`${source}: row ${t} (date ${row.date}): field "adjClose": missing while earlier rows have it`, row.date, 'adjClose');
    }
    close[t] = useAdjusted ? (row.adjClose as number) : row.close;
  }
  return close;
}

/** Mean and standard deviation (population) of `x[from..to]`, both ends included. */
function meanStd(x: Float64Array, from: number, to: number): [number, number] {
  let sum = 0;
  for (let i = from; i <= to; i++) sum += x[i] as number;
  const mean = sum / (to - from + 1);
  let sq = 0;
  for (let i = from; i <= to; i++) sq += ((x[i] as number) - mean) ** 2;
  return [mean, Math.sqrt(sq / (to - from + 1))];
}

/**
 * Computes the features of every day of a series, given as rows or columns (validated first; a bad row throws
 * naming its date and field).
 * Day t uses days <= t only. Rules: `return` = c_t / c_{t-1} - 1; `logReturn` = ln(c_t / c_{t-1});
 * `range` = (high - low) / close; `closePosition` = (close - low) / (high - low), 0.5 when high = low;
 * `volumeZ` = (v_t - mean) / std over the last `volumeWindow` days, 0 when the std is 0;
 * `maGap<k>` = c_t / mean(c_{t-k+1..t}) - 1; `volatility<k>` = std of the last k log returns.
 */
export function computeFeatures(input: OhlcvRows | OhlcvColumns, options: FeatureOptions = {}, source = 'rows'): FeatureTable {
  const rows = toOhlcvRows(input, source);
  validateOhlcv(rows, source);
  const kinds = options.features ?? FEATURE_KINDS;
  const maWindows = options.maWindows ?? DEFAULTS.maWindows;
  const volWindows = options.volatilityWindows ?? DEFAULTS.volatilityWindows;
  const volumeWindow = options.volumeWindow ?? DEFAULTS.volumeWindow;
  checkWindows('maWindows', maWindows);
  checkWindows('volatilityWindows', volWindows);
  checkWindows('volumeWindow', [volumeWindow]);
  const unknown = kinds.find((k) => !(FEATURE_KINDS as readonly string[]).includes(k));
  if (unknown !== undefined) throw new Error(`computeFeatures: option "features": unknown feature '${unknown}' (known: ${FEATURE_KINDS.join(', ')})`);

  const n = rows.length;
  const names = featureNames({ ...options, features: kinds });
  const f = names.length;
  const close = closeSeries(rows, options.adjusted ?? true, source);
  const volume = Float64Array.from({ length: n }, (_, t) => (rows[t] as OhlcvRow).volume);
  const logRet = new Float64Array(n).fill(Number.NaN); // logRet[t] = ln(c_t / c_{t-1}), defined from t = 1
  for (let t = 1; t < n; t++) logRet[t] = Math.log((close[t] as number) / (close[t - 1] as number));

  const needs: number[] = [0];
  if (kinds.includes('return') || kinds.includes('logReturn')) needs.push(1);
  if (kinds.includes('volumeZ')) needs.push(volumeWindow - 1);
  if (kinds.includes('maGap')) needs.push(...maWindows.map((w) => w - 1));
  if (kinds.includes('volatility')) needs.push(...volWindows);
  const firstValid = Math.min(Math.max(...needs), n);

  const values = new Float32Array(n * f).fill(Number.NaN);
  for (let t = firstValid; t < n; t++) {
    const row = rows[t] as OhlcvRow;
    const c = close[t] as number;
    let col = t * f;
    for (const kind of kinds) {
      switch (kind) {
        case 'return':
          values[col++] = c / (close[t - 1] as number) - 1;
          break;
        case 'logReturn':
          values[col++] = logRet[t] as number;
          break;
        case 'range':
          values[col++] = (row.high - row.low) / row.close;
          break;
        case 'closePosition':
          values[col++] = row.high === row.low ? 0.5 : (row.close - row.low) / (row.high - row.low);
          break;
        case 'volumeZ': {
          const [mean, std] = meanStd(volume, t - volumeWindow + 1, t);
          values[col++] = std === 0 ? 0 : ((volume[t] as number) - mean) / std;
          break;
        }
        case 'maGap':
          for (const w of maWindows) values[col++] = c / meanStd(close, t - w + 1, t)[0] - 1;
          break;
        case 'volatility':
          for (const w of volWindows) values[col++] = meanStd(logRet, t - w + 1, t)[1];
          break;
      }
    }
  }
  return { names, dates: Array.from({ length: n }, (_, t) => (rows[t] as OhlcvRow).date), values, firstValid };
}
