// The model inputs of (ticker, target date) pairs, all from data dated strictly before the target date:
// tweets as hashed ids (text), price-feature windows (timeseries), candlestick charts (image, rendered per batch)
// and the market context (tabular). Scalers are fitted on the training rows only and saved with the model.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '@finmm/core';
import { computeFeatures, FeatureScaler, featureNames, windowsBefore, type FeatureScalerJson, type FeatureTable, type OhlcvRow } from '@finmm/encoders-timeseries';
import { chartLayout, chartWindowsBefore, renderChartsArray } from '@finmm/encoders-vision';
import { marketContextBefore, marketContextNames, type MarketSeries } from '@finmm/finance-tasks';
import type { StockInputsConfig } from './config.js';
import { marketOf, type PriceHistory } from './prices.js';
import { TweetIds } from './tweet-ids.js';

/** The name of the model's task and its head. */
export const MOVEMENT_TASK = 'movement';

/** The (ticker, target date) pairs inputs are built for, with the messages of their tweet windows (newest first). */
export interface Targets {
  ticker: readonly string[];
  date: readonly string[];
  messages: ReadonlyArray<readonly string[]>;
}

/** Fitted on the training rows: standardisation of the price features and of the market context. */
export interface StockPreprocessing {
  prices: FeatureScalerJson | null;
  market: FeatureScalerJson | null;
}

/** Which inputs a target has (for predict's output and tests). */
export interface TargetPresence {
  tweetIds: number;
  priceDays: number;
  chart: boolean;
  market: boolean;
}

/** Price-feature windows `[S, N, F]` with step masks `[S, N]`. */
interface PriceWindows {
  names: string[];
  days: number;
  values: Float32Array;
  mask: Float32Array;
}

/** Shared by the inputs of one dataset: the prices, the market series and each ticker's feature table. */
export class PriceContext {
  private readonly features = new Map<string, FeatureTable>();
  private marketSeries: MarketSeries | null = null;

  constructor(
    readonly prices: PriceHistory,
    private readonly inputs: StockInputsConfig,
  ) {}

  /** The market series (built once). */
  market(): MarketSeries {
    const cfg = this.inputs.market;
    this.marketSeries ??= marketOf(this.prices, cfg?.minCoverage ?? 0.5);
    return this.marketSeries;
  }

  /** A ticker's price-feature table (computed once). */
  featureTable(ticker: string): FeatureTable {
    const cfg = this.inputs.prices;
    if (cfg === null || cfg === undefined) throw new Error('the model has no price input');
    let table = this.features.get(ticker);
    if (table === undefined) {
      table = computeFeatures(this.history(ticker), { features: cfg.features }, `prices of ${ticker}`);
      this.features.set(ticker, table);
    }
    return table;
  }

  /** A ticker's bars; the error names the ticker. */
  history(ticker: string): readonly OhlcvRow[] {
    const rows = this.prices.get(ticker);
    if (rows === undefined) throw new Error(`no prices for ticker "${ticker}"`);
    return rows;
  }
}

/** Row indices grouped by ticker, in first-seen order. */
function byTicker(targets: Targets, rows: readonly number[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const t = targets.ticker[r] as string;
    const list = groups.get(t);
    if (list === undefined) groups.set(t, [r]);
    else list.push(r);
  }
  return groups;
}

/**
 * Every input of the targets, computed once (the chart images are rendered per batch). Create with
 * `StockInputs.build`, fit the scalers on the training rows with `fit`, apply them (or loaded ones) with `scale`,
 * then `collate` batches.
 */
export class StockInputs {
  private scaled = false;

  private constructor(
    readonly targets: Targets,
    readonly config: StockInputsConfig,
    readonly context: PriceContext,
    private readonly text: { tokenizer: TweetIds; ids: Int32Array[] } | null,
    private readonly prices: PriceWindows | null,
    private readonly market: { names: string[]; values: Float32Array; available: Uint8Array } | null,
  ) {}

  /** Computes the unscaled inputs of `targets`. */
  static build(targets: Targets, context: PriceContext, config: StockInputsConfig): StockInputs {
    const n = targets.ticker.length;
    if (targets.date.length !== n || targets.messages.length !== n) throw new Error('StockInputs.build: ticker, date and messages must have one entry per target');
    let text: { tokenizer: TweetIds; ids: Int32Array[] } | null = null;
    if (config.tweets !== null && config.tweets !== undefined) {
      const tokenizer = new TweetIds(config.tweets);
      text = { tokenizer, ids: targets.messages.map((m) => tokenizer.encode(m)) };
    }
    let prices: PriceWindows | null = null;
    if (config.prices !== null && config.prices !== undefined) {
      const { days } = config.prices;
      const names = featureNames({ features: config.prices.features });
      const f = names.length;
      const values = new Float32Array(n * days * f);
      const mask = new Float32Array(n * days);
      for (const [ticker, rows] of byTicker(targets, Array.from({ length: n }, (_, i) => i))) {
        const w = windowsBefore(context.featureTable(ticker), rows.map((r) => targets.date[r] as string), { days, minDays: 1 });
        w.targetIndex.forEach((k, s) => {
          const r = rows[k] as number;
          values.set(w.values.subarray(s * days * f, (s + 1) * days * f), r * days * f);
          mask.set(w.mask.subarray(s * days, (s + 1) * days), r * days);
        });
      }
      prices = { names, days, values, mask };
    }
    let market: { names: string[]; values: Float32Array; available: Uint8Array } | null = null;
    if (config.market !== null && config.market !== undefined) {
      const ctx = marketContextBefore(context.market(), targets.date, config.market.days);
      market = { names: marketContextNames(config.market.days), values: ctx.values, available: ctx.available };
    }
    return new StockInputs(targets, config, context, text, prices, market);
  }

  /** Word/n-gram vocabulary of the text input (null without tweets). */
  get vocabSize(): number | null {
    return this.text?.tokenizer.vocabSize ?? null;
  }

  /** Features per price day (null without prices). */
  get priceFeatures(): string[] | null {
    return this.prices?.names ?? null;
  }

  /** Market-context feature names (null without it). */
  get marketFeatures(): string[] | null {
    return this.market?.names ?? null;
  }

  /** Fits the scalers on `rows` (the training rows): observed price days and available market contexts only. */
  fit(rows: readonly number[]): StockPreprocessing {
    const gather = (values: Float32Array, width: number, keep: (r: number, j: number) => boolean, per: number): { v: Float32Array; m: Float32Array } => {
      const v = new Float32Array(rows.length * per * width);
      const m = new Float32Array(rows.length * per);
      rows.forEach((r, i) => {
        v.set(values.subarray(r * per * width, (r + 1) * per * width), i * per * width);
        for (let j = 0; j < per; j++) m[i * per + j] = keep(r, j) ? 1 : 0;
      });
      return { v, m };
    };
    let prices: FeatureScalerJson | null = null;
    if (this.prices !== null) {
      const p = this.prices;
      const { v, m } = gather(p.values, p.names.length, (r, j) => (p.mask[r * p.days + j] as number) > 0, p.days);
      prices = FeatureScaler.fit(v, p.names, m).toJSON();
    }
    let market: FeatureScalerJson | null = null;
    if (this.market !== null) {
      const k = this.market;
      const { v, m } = gather(k.values, k.names.length, (r) => k.available[r] === 1, 1);
      market = FeatureScaler.fit(v, k.names, m).toJSON();
    }
    return { prices, market };
  }

  /** Standardises the price and market inputs with fitted (or loaded) scalers; once. */
  scale(preprocessing: StockPreprocessing, source = 'preprocessing'): this {
    if (this.scaled) throw new Error('StockInputs.scale: the inputs are scaled already');
    if (this.prices !== null) {
      if (preprocessing.prices === null) throw new Error(`${source}: field "prices": the model has a price input but no fitted price scaler`);
      const scaler = FeatureScaler.fromJSON(preprocessing.prices, `${source} field "prices"`);
      if (scaler.names.join(',') !== this.prices.names.join(',')) throw new Error(`${source}: field "prices.names": ${scaler.names.join(', ')} do not match the price features ${this.prices.names.join(', ')}`);
      this.prices.values = scaler.transform(this.prices.values, this.prices.mask);
    }
    if (this.market !== null) {
      if (preprocessing.market === null) throw new Error(`${source}: field "market": the model has a market input but no fitted market scaler`);
      const scaler = FeatureScaler.fromJSON(preprocessing.market, `${source} field "market"`);
      if (scaler.names.join(',') !== this.market.names.join(',')) throw new Error(`${source}: field "market.names": ${scaler.names.join(', ')} do not match ${this.market.names.join(', ')}`);
      this.market.values = scaler.transform(this.market.values, Float32Array.from(this.market.available));
    }
    this.scaled = true;
    return this;
  }

  /** Which inputs target `r` has. */
  presence(r: number): TargetPresence {
    let priceDays = 0;
    if (this.prices !== null) for (let j = 0; j < this.prices.days; j++) priceDays += (this.prices.mask[r * this.prices.days + j] as number) > 0 ? 1 : 0;
    let chart = false;
    const cfg = this.config.chart;
    if (cfg !== null && cfg !== undefined) {
      const rows = this.context.history(this.targets.ticker[r] as string);
      chart = chartWindowsBefore(rows, [this.targets.date[r] as string], { days: cfg.days }).windows.length === 1;
    }
    return { tweetIds: this.text?.ids[r]?.length ?? 0, priceDays, chart, market: this.market === null ? false : this.market.available[r] === 1 };
  }

  /**
   * A core Batch of the given target rows; `labels` (0/1 per target, or null where unknown) fill the movement
   * task. The caller frees it with `disposeBatch`.
   */
  collate(rows: readonly number[], labels: ReadonlyArray<number | null> | null): Batch {
    if (!this.scaled && (this.prices !== null || this.market !== null)) throw new Error('StockInputs.collate: call scale() first');
    const b = rows.length;
    const batch: Batch = { size: b, inputs: {}, present: {}, labels: {} };
    if (this.text !== null) {
      const ids = rows.map((r) => this.text?.ids[r] as Int32Array);
      const t = Math.max(1, ...ids.map((x) => x.length));
      const flat = new Int32Array(b * t);
      const mask = new Float32Array(b * t);
      ids.forEach((x, i) => {
        flat.set(x, i * t);
        mask.fill(1, i * t, i * t + x.length);
      });
      batch.inputs.text = { ids: tf.tensor2d(flat, [b, t], 'int32'), attentionMask: tf.tensor2d(mask, [b, t]) }; // [B, T]
      batch.present.text = tf.tensor1d(ids.map((x) => (x.length > 0 ? 1 : 0)));
    }
    if (this.prices !== null) {
      const { days, names, values, mask } = this.prices;
      const f = names.length;
      const v = new Float32Array(b * days * f);
      const m = new Float32Array(b * days);
      const present = new Float32Array(b);
      rows.forEach((r, i) => {
        v.set(values.subarray(r * days * f, (r + 1) * days * f), i * days * f);
        m.set(mask.subarray(r * days, (r + 1) * days), i * days);
        present[i] = (mask[(r + 1) * days - 1] as number) > 0 ? 1 : 0; // windows are left-padded: the last day is observed when any is
      });
      batch.inputs.timeseries = { values: tf.tensor3d(v, [b, days, f]), stepMask: tf.tensor2d(m, [b, days]) }; // [B, N, F], [B, N]
      batch.present.timeseries = tf.tensor1d(present);
    }
    const chart = this.config.chart;
    if (chart !== null && chart !== undefined) {
      const layout = chartLayout(chart.days, chart.height);
      const size = layout.height * layout.width;
      const pixels = new Float32Array(b * size);
      const present = new Float32Array(b);
      const positions = new Map<number, number[]>(); // row -> batch positions (a row may repeat)
      rows.forEach((r, i) => positions.set(r, [...(positions.get(r) ?? []), i]));
      for (const [ticker, group] of byTicker(this.targets, [...positions.keys()])) {
        const cut = chartWindowsBefore(this.context.history(ticker), group.map((r) => this.targets.date[r] as string), { days: chart.days });
        if (cut.windows.length === 0) continue;
        const drawn = renderChartsArray(cut.windows, chart.days, { height: chart.height, movingAverage: chart.movingAverage, volume: chart.volume }).pixels;
        cut.targetIndex.forEach((k, s) => {
          for (const i of positions.get(group[k] as number) ?? []) {
            pixels.set(drawn.subarray(s * size, (s + 1) * size), i * size);
            present[i] = 1;
          }
        });
      }
      batch.inputs.image = { pixels: tf.tensor4d(pixels, [b, layout.height, layout.width, 1]) }; // [B, H, W, 1]
      batch.present.image = tf.tensor1d(present);
    }
    if (this.market !== null) {
      const { names, values, available } = this.market;
      const f = names.length;
      const v = new Float32Array(b * f);
      rows.forEach((r, i) => v.set(values.subarray(r * f, (r + 1) * f), i * f));
      batch.inputs.tabular = { numeric: tf.tensor2d(v, [b, f]) }; // [B, 2K]
      batch.present.tabular = tf.tensor1d(rows.map((r) => available[r] as number));
    }
    if (labels !== null) {
      const y = rows.map((r) => labels[r] ?? 0);
      const mask = rows.map((r) => (labels[r] === null || labels[r] === undefined ? 0 : 1));
      batch.labels[MOVEMENT_TASK] = { y: tf.tensor1d(y, 'int32'), mask: tf.tensor1d(mask) }; // [B]
    }
    return batch;
  }
}
