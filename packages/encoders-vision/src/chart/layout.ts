// Sizes of the Jiang-Kelly-Xiu price-chart images and how their rows are split between prices and volume.

/** Image height x width for the day counts of Jiang, Kelly & Xiu (2023): 5 -> 32x15, 20 -> 64x60, 60 -> 96x180. */
export const CHART_SIZES: Readonly<Record<number, { height: number; width: number }>> = {
  5: { height: 32, width: 15 },
  20: { height: 64, width: 60 },
  60: { height: 96, width: 180 },
};

/** Where each part of a chart image lies; rows count from the top (row 0). */
export interface ChartLayout {
  /** Days drawn, D; the image is 3D pixels wide. */
  days: number;
  height: number;
  width: number;
  /** Rows 0 .. priceRows-1 hold the OHLC bars and the moving average. */
  priceRows: number;
  /** One blank row between prices and volume. */
  gapRows: number;
  /** The bottom floor(height / 5) rows hold the volume bars. */
  volumeRows: number;
}

/**
 * The layout of a `days`-day chart: the paper's size for 5, 20 or 60 days, or `height` when given (width is
 * always 3 x days). volumeRows = floor(height / 5), one gap row, priceRows = the rest (32 -> 25 + 1 + 6,
 * 64 -> 51 + 1 + 12, 96 -> 76 + 1 + 19).
 */
export function chartLayout(days: number, height?: number): ChartLayout {
  if (!Number.isInteger(days) || days < 1) throw new Error(`chartLayout: "days" must be an integer >= 1, got ${days}`);
  const h = height ?? CHART_SIZES[days]?.height;
  if (h === undefined) {
    throw new Error(`chartLayout: no standard image size for ${days} days (standard: ${Object.keys(CHART_SIZES).join(', ')}); give a height`);
  }
  if (!Number.isInteger(h) || h < 7) throw new Error(`chartLayout: "height" must be an integer >= 7, got ${h}`);
  const volumeRows = Math.floor(h / 5);
  const gapRows = 1;
  return { days, height: h, width: 3 * days, priceRows: h - volumeRows - gapRows, gapRows, volumeRows };
}
