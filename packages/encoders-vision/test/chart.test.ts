// Chart rendering checked pixel by pixel on hand-built windows (5-day charts: 32x15, price rows 0..24, a blank
// row 25, volume rows 26..31). The bars span prices 10..34, so price p sits exactly on row 34 - p.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ChartError, chartLayout, chartWindowsBefore, renderCharts, renderChartsArray, type ChartBar } from '../src/index.js';

const BARS: ChartBar[] = [
  { open: 20, high: 22, low: 18, close: 21, volume: 100, date: 'd0' },
  { open: 21, high: 25, low: 20, close: 23, volume: 200, date: 'd1' },
  { open: 23, high: 34, low: 22, close: 25, volume: 300, date: 'd2' },
  { open: 25, high: 26, low: 10, close: 11, volume: 600, date: 'd3' },
  { open: 12, high: 15, low: 11, close: 15, volume: 50, date: 'd4' },
];

/** The white pixels of a rendered `[H, W]` image as sorted "row,col" strings. */
function whitePixels(pixels: Float32Array, width: number, offset = 0, size = pixels.length): string[] {
  const out: string[] = [];
  for (let i = 0; i < size; i++) {
    const v = pixels[offset + i] as number;
    expect(v === 0 || v === 1).toBe(true);
    if (v === 1) out.push(`${Math.floor(i / width)},${i % width}`);
  }
  return out.sort();
}

function rows(col: number, from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, k) => `${from + k},${col}`);
}

/** The OHLC and volume pixels of BARS, worked out by hand. */
const OHLC_PIXELS = [
  // day 0: open 20 -> row 14 (col 0), bar 22..18 -> rows 12..16 (col 1), close 21 -> row 13 (col 2)
  '14,0', ...rows(1, 12, 16), '13,2',
  // day 1: open 21 -> 13, bar 25..20 -> 9..14, close 23 -> 11
  '13,3', ...rows(4, 9, 14), '11,5',
  // day 2: open 23 -> 11, bar 34..22 -> 0..12, close 25 -> 9
  '11,6', ...rows(7, 0, 12), '9,8',
  // day 3: open 25 -> 9, bar 26..10 -> 8..24 (the last price row), close 11 -> 23
  '9,9', ...rows(10, 8, 24), '23,11',
  // day 4: open 12 -> 22, bar 15..11 -> 19..23, close 15 -> 19
  '22,12', ...rows(13, 19, 23), '19,14',
];
/** Volumes 100, 200, 300, 600, 50 of max 600 over 6 rows: heights round(1), 2, 3, 6, round(0.5) = 1. */
const VOLUME_PIXELS = [...rows(1, 31, 31), ...rows(4, 30, 31), ...rows(7, 29, 31), ...rows(10, 26, 31), ...rows(13, 31, 31)];
/**
 * MA of day i without history = mean of closes 0..i: 21, 22, 23, 20, 19 -> rows 13, 12, 11, 14, 15 at the middle
 * columns; between days the line is interpolated one pixel per column: rows 13 -> 12 give 12.67, 12.33 -> 13, 12.
 */
const MA_PIXELS = ['13,1', '13,2', '12,3', '12,4', '12,5', '11,6', '11,7', '12,8', '13,9', '14,10', '14,11', '15,12', '15,13'];

describe('chart layout', () => {
  it('uses the paper sizes and a bottom fifth for volume', () => {
    expect(chartLayout(5)).toEqual({ days: 5, height: 32, width: 15, priceRows: 25, gapRows: 1, volumeRows: 6 });
    expect(chartLayout(20)).toEqual({ days: 20, height: 64, width: 60, priceRows: 51, gapRows: 1, volumeRows: 12 });
    expect(chartLayout(60)).toEqual({ days: 60, height: 96, width: 180, priceRows: 76, gapRows: 1, volumeRows: 19 });
    expect(() => chartLayout(7)).toThrow(/no standard image size for 7 days/);
    expect(chartLayout(7, 40).width).toBe(21);
  });
});

describe('renderCharts', () => {
  it('draws open tick, high-low bar, close tick and volume bars on the expected pixels', () => {
    const { pixels } = renderChartsArray([BARS], 5, { movingAverage: false });
    expect(whitePixels(pixels, 15)).toEqual([...OHLC_PIXELS, ...VOLUME_PIXELS].sort());
  });

  it('draws the moving average as a line over the bars', () => {
    const { pixels } = renderChartsArray([BARS], 5);
    expect(whitePixels(pixels, 15)).toEqual([...new Set([...OHLC_PIXELS, ...VOLUME_PIXELS, ...MA_PIXELS])].sort());
    expect(whitePixels(renderChartsArray([BARS], 5, { movingAverage: false, volume: false }).pixels, 15)).toEqual([...OHLC_PIXELS].sort());
  });

  it('takes the moving average over history bars before the drawn days', () => {
    const history: ChartBar[] = Array.from({ length: 4 }, () => ({ open: 30, high: 30, low: 30, close: 30, volume: 1e9 }));
    const { pixels } = renderChartsArray([[...history, ...BARS]], 5);
    // day 0's MA = (4 x 30 + 21) / 5 = 28.2 -> fractional row 5.8 -> row 6; history never changes the scale or volume
    const white = whitePixels(pixels, 15);
    expect(white).toContain('6,1');
    expect(white.filter((p) => Number(p.split(',')[0]) >= 25)).toEqual([...VOLUME_PIXELS].sort());
    // day 4's MA = mean of closes of days 0..4 = 19 -> row 15, as without history
    expect(white).toContain('15,13');
  });

  it('rounds halves down the image and centres a flat window', () => {
    const bars = BARS.map((b) => ({ ...b }));
    (bars[0] as ChartBar).open = 21.5; // fractional row 12.5 -> row 13
    const white = whitePixels(renderChartsArray([bars], 5, { movingAverage: false }).pixels, 15);
    expect(white).toContain('13,0');
    const flat = Array.from({ length: 5 }, () => ({ open: 7, high: 7, low: 7, close: 7, volume: 0 }));
    const flatWhite = whitePixels(renderChartsArray([flat], 5).pixels, 15);
    expect(flatWhite).toEqual(Array.from({ length: 15 }, (_, c) => `12,${c}`).sort()); // row (25 - 1) / 2 = 12, no volume
  });

  it('renders a batch into one [B, H, W, 1] tensor, each image independent', () => {
    const scaled = BARS.map((b) => ({ ...b, open: b.open * 3, high: b.high * 3, low: b.low * 3, close: b.close * 3, volume: b.volume * 7 }));
    const images = renderCharts([BARS, scaled, BARS], 5);
    expect(images.shape).toEqual([3, 32, 15, 1]);
    const data = images.dataSync() as Float32Array;
    const one = whitePixels(data, 15, 0, 480);
    expect(whitePixels(data, 15, 480, 480)).toEqual(one); // scale-free
    expect(whitePixels(data, 15, 960, 480)).toEqual(one);
    images.dispose();
    const big = renderCharts([Array.from({ length: 60 }, (_, i) => ({ open: 10 + i, high: 12 + i, low: 9 + i, close: 11 + i, volume: i }))], 60);
    expect(big.shape).toEqual([1, 96, 180, 1]);
    const row76 = big.slice([0, 76, 0, 0], [1, 1, 180, 1]);
    expect(tf.sum(row76).dataSync()[0]).toBe(0); // the gap row
    tf.dispose([big, row76]);
  });

  it('names the window, bar, date and field of bad input', () => {
    const bad = BARS.map((b) => ({ ...b }));
    (bad[2] as ChartBar).low = 40;
    expect(() => renderCharts([BARS, bad], 5)).toThrow(/chart window 1, bar 2 \(date d2\): field "high": high 34 is below low 40/);
    (bad[2] as ChartBar).low = Number.NaN;
    expect(() => renderCharts([bad], 5)).toThrow(ChartError);
    expect(() => renderCharts([bad], 5)).toThrow(/field "low": expected a finite number, got NaN/);
    (bad[2] as ChartBar).low = 22;
    (bad[4] as ChartBar).volume = -1;
    expect(() => renderCharts([bad], 5)).toThrow(/bar 4 \(date d4\): field "volume"/);
    expect(() => renderCharts([BARS.slice(1)], 5)).toThrow(/chart window 0: field "length": has 4 bars, a 5-day chart needs at least 5/);
  });
});

describe('chartWindowsBefore', () => {
  it('cuts the D days before each target date plus MA history, never the target day', () => {
    const series = Array.from({ length: 12 }, (_, i) => ({ date: `2020-01-${String(i + 1).padStart(2, '0')}`, open: 10, high: 11, low: 9, close: 10 + i, adjClose: 5 + i / 2, volume: 1 }));
    const out = chartWindowsBefore(series, ['2020-01-08', '2020-01-03', '2020-01-12'], { days: 3 });
    expect(out.targetIndex).toEqual([0, 2]);
    expect(out.skipped).toEqual([{ index: 1, date: '2020-01-03', reason: 'only 2 trading days before 2020-01-03, a chart needs 3' }]);
    expect(out.windows[0]?.map((b) => b.date)).toEqual(['2020-01-03', '2020-01-04', '2020-01-05', '2020-01-06', '2020-01-07']);
    expect(out.windows[0]?.[4]?.close).toBeCloseTo(8, 6); // adjusted: adjClose of 2020-01-07
    expect(out.windows[0]?.[4]?.high).toBeCloseTo(11 * (8 / 16), 6);
    const raw = chartWindowsBefore(series, ['2020-01-12'], { days: 3, maWindow: 1, adjusted: false });
    expect(raw.windows[0]?.map((b) => b.close)).toEqual([18, 19, 20]);
  });
});
