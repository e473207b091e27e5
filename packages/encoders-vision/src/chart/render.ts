// Draws Jiang-Kelly-Xiu price charts (OHLC bars, moving-average line, volume bars) straight into one Float32Array
// for a whole batch: black (0) background, white (1) pixels, no per-pixel tensor ops.
//
// Rounding and placement rules, for a chart of D days with layout (priceRows P, volumeRows V, height H):
// - Day i (0 = oldest drawn) owns columns 3i (open tick), 3i+1 (high-low bar, MA point, volume bar), 3i+2 (close tick).
// - Price range: lo = min and hi = max over the drawn days of low, high, open, close and the MA (open and close lie
//   within [low, high] on valid data, so this is the window's min low / max high, MA included).
// - A price p sits at the fractional row f(p) = (hi - p) / (hi - lo) * (P - 1) (hi at row 0, lo at row P - 1) and is
//   drawn at row round(f) with round(x) = floor(x + 0.5) (halves go down the image). When hi = lo, f = (P - 1) / 2.
// - Open tick: (row(open), 3i). Close tick: (row(close), 3i+2). Bar: rows row(high)..row(low) of column 3i+1.
// - MA of day i: mean of the closes of the `maWindow` bars ending at day i (default maWindow = D, the image's day
//   count); bars before the drawn days count when the window holds them, else the mean of the closes available.
//   The line: (round(f(m_i)), 3i+1) for every day, and between days i and i+1 the columns 3i+2 and 3i+3 at rows
//   round(f_i + k (f_{i+1} - f_i) / 3), k = 1, 2 (one pixel per column, linear interpolation).
// - Volume: bar height round(v_i / vmax * V) pixels (vmax = the drawn days' max volume; none when vmax = 0),
//   filling rows H-h..H-1 of column 3i+1.
import * as tf from '@tensorflow/tfjs';
import { ChartError, checkBar, type ChartBar, type ChartWindow } from './bars.js';
import { chartLayout, type ChartLayout } from './layout.js';

/** Options of the chart renderer; every field is optional. */
export interface ChartOptions {
  /** Image height; default the paper's (32 / 64 / 96 for 5 / 20 / 60 days), required for other day counts. */
  height?: number;
  /** Draw the moving-average line; default true. */
  movingAverage?: boolean;
  /** Days of the moving average; default the image's day count (as Jiang, Kelly & Xiu). */
  maWindow?: number;
  /** Draw the volume bars; default true (the layout keeps the volume rows either way). */
  volume?: boolean;
}

const round = (x: number): number => Math.floor(x + 0.5);

/** Per-call scratch space: the drawn days' prices, so that bars are read once. */
interface Scratch {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  ma: Float64Array;
}

/** Validates every bar of a window (a cheap check first; the full one names the bad field). */
function checkWindow(window: ChartWindow, index: number, days: number): void {
  const n = window.length;
  if (n < days) throw new ChartError(`chart window ${index}: field "length": has ${n} bars, a ${days}-day chart needs at least ${days}`, index, 'length');
  for (let j = 0; j < n; j++) {
    const bar = window[j] as ChartBar;
    if (!(bar.high >= bar.low && bar.volume >= 0 && Number.isFinite(bar.open + bar.high + bar.low + bar.close + bar.volume))) checkBar(bar, index, j);
  }
}

/** Draws one chart into `pixels` starting at `offset` (the `H*W` floats must already be 0). */
function drawChart(pixels: Float32Array, offset: number, window: ChartWindow, index: number, layout: ChartLayout, options: Required<Omit<ChartOptions, 'height'>>, s: Scratch): void {
  const { days, width, height, priceRows, volumeRows } = layout;
  checkWindow(window, index, days);
  const first = window.length - days;
  let lo = Infinity;
  let hi = -Infinity;
  let vmax = 0;
  for (let i = 0; i < days; i++) {
    const bar = window[first + i] as ChartBar;
    s.open[i] = bar.open;
    s.high[i] = bar.high;
    s.low[i] = bar.low;
    s.close[i] = bar.close;
    s.volume[i] = bar.volume;
    lo = Math.min(lo, bar.low, bar.open, bar.close);
    hi = Math.max(hi, bar.high, bar.open, bar.close);
    if (bar.volume > vmax) vmax = bar.volume;
  }
  if (options.movingAverage) {
    // a running sum over the closes of the maWindow bars ending at each drawn day, history bars included
    const w = options.maWindow;
    const start = Math.max(0, first - w + 1);
    let sum = 0;
    for (let j = start; j < first; j++) sum += (window[j] as ChartBar).close;
    for (let i = 0; i < days; i++) {
      const j = first + i;
      sum += s.close[i] as number;
      if (j - w >= start) sum -= (window[j - w] as ChartBar).close;
      const m = sum / Math.min(w, j - start + 1);
      s.ma[i] = m;
      if (m < lo) lo = m;
      if (m > hi) hi = m;
    }
  }
  const span = hi - lo;
  const scale = span > 0 ? (priceRows - 1) / span : 0;
  const flat = (priceRows - 1) / 2;
  const frac = (p: number): number => (span > 0 ? (hi - p) * scale : flat);
  const volumeScale = options.volume && vmax > 0 ? volumeRows / vmax : 0;

  for (let i = 0; i < days; i++) {
    const mid = offset + 3 * i + 1; // column 3i+1 of row 0
    pixels[mid - 1 + round(frac(s.open[i] as number)) * width] = 1;
    pixels[mid + 1 + round(frac(s.close[i] as number)) * width] = 1;
    const bottom = round(frac(s.low[i] as number));
    for (let r = round(frac(s.high[i] as number)); r <= bottom; r++) pixels[mid + r * width] = 1;
    if (volumeScale > 0) {
      const h = round((s.volume[i] as number) * volumeScale);
      for (let r = height - h; r < height; r++) pixels[mid + r * width] = 1;
    }
  }
  if (options.movingAverage) {
    for (let i = 0; i < days; i++) {
      const f = frac(s.ma[i] as number);
      const col = offset + 3 * i + 1;
      pixels[col + round(f) * width] = 1;
      if (i + 1 < days) {
        const step = (frac(s.ma[i + 1] as number) - f) / 3;
        pixels[col + 1 + round(f + step) * width] = 1;
        pixels[col + 2 + round(f + 2 * step) * width] = 1;
      }
    }
  }
}

/** Renders a batch of charts into a new Float32Array `[B, H, W]` (row-major) and returns it with the layout. */
export function renderChartsArray(windows: ArrayLike<ChartWindow>, days: number, options: ChartOptions = {}): { pixels: Float32Array; layout: ChartLayout } {
  const layout = chartLayout(days, options.height);
  const maWindow = options.maWindow ?? days;
  if (!Number.isInteger(maWindow) || maWindow < 1) throw new Error(`renderCharts: option "maWindow" must be an integer >= 1, got ${maWindow}`);
  const resolved = { movingAverage: options.movingAverage ?? true, maWindow, volume: options.volume ?? true };
  const size = layout.height * layout.width;
  const pixels = new Float32Array(windows.length * size);
  const d = layout.days;
  const scratch: Scratch = { open: new Float64Array(d), high: new Float64Array(d), low: new Float64Array(d), close: new Float64Array(d), volume: new Float64Array(d), ma: new Float64Array(d) };
  for (let b = 0; b < windows.length; b++) drawChart(pixels, b * size, windows[b] as ChartWindow, b, layout, resolved, scratch);
  return { pixels, layout };
}

/** Renders a batch of `days`-day charts as an image tensor `[B, H, W, 1]` of 0 (black) and 1 (white). */
export function renderCharts(windows: ArrayLike<ChartWindow>, days: number, options: ChartOptions = {}): tf.Tensor4D {
  const { pixels, layout } = renderChartsArray(windows, days, options);
  return tf.tensor4d(pixels, [windows.length, layout.height, layout.width, 1]);
}
