// Turns aligned StockNet samples into an Arrow table with list columns for the tweet and price windows.
import * as arrow from 'apache-arrow';
import type { DatasetSchema } from '@finmm/data';
import { listData, offsetsOf, utf8Data } from '../common/arrow-build.js';
import type { StockNetSample } from './samples.js';
import { STOCKNET_CLASSES, STOCKNET_PRICE_FEATURES } from './task.js';

const FEATURES = STOCKNET_PRICE_FEATURES.length;

function int32Data(values: Int32Array): arrow.Data<arrow.Int32> {
  return arrow.makeData({ type: new arrow.Int32(), length: values.length, nullCount: 0, data: values });
}

/** tweets (list<utf8>) and tweet_day_offsets (list<int32>), sharing one offsets array. */
function tweetColumns(samples: readonly StockNetSample[]): { tweets: arrow.Vector; dayOffsets: arrow.Vector } {
  const texts: string[] = [];
  const days: number[] = [];
  for (const s of samples) {
    for (const day of s.tweetDays) {
      for (const m of day.messages) {
        texts.push(m);
        days.push(day.offset);
      }
    }
  }
  const offsets = offsetsOf(samples.map((s) => s.tweetDays.reduce((n, d) => n + d.messages.length, 0)));
  return {
    tweets: arrow.makeVector(listData(utf8Data(texts), offsets)),
    dayOffsets: arrow.makeVector(listData(int32Data(Int32Array.from(days)), offsets)),
  };
}

/** prices (list<list<float32>>, [day][feature]) and price_dates (list<utf8>). */
function priceColumns(samples: readonly StockNetSample[]): { prices: arrow.Vector; dates: arrow.Vector } {
  const dayOffsets = offsetsOf(samples.map((s) => s.priceDays.length));
  const nDays = dayOffsets[samples.length] as number;
  const values = new Float32Array(nDays * FEATURES);
  const dates: string[] = [];
  for (const s of samples) {
    for (const d of s.priceDays) {
      values.set(d.features, dates.length * FEATURES);
      dates.push(d.date);
    }
  }
  const flat = arrow.makeData({ type: new arrow.Float32(), length: values.length, nullCount: 0, data: values });
  const featureOffsets = Int32Array.from({ length: nDays + 1 }, (_, i) => i * FEATURES);
  return {
    prices: arrow.makeVector(listData(listData(flat, featureOffsets), dayOffsets)),
    dates: arrow.makeVector(listData(utf8Data(dates), dayOffsets)),
  };
}

/**
 * Columns: ticker, date (YYYY-MM-DD), split, label (int32 1 up / 0 down), movement (float64), tweets
 * (list<utf8>, oldest day first, file order within a day), tweet_day_offsets (list<int32>, days before d of each
 * message), tweet_days (int32), prices (list<list<float32>>, [trading day][STOCKNET_PRICE_FEATURES], oldest first)
 * and price_dates (list<utf8>, the dates of the price rows).
 */
export function stockNetSamplesTable(samples: readonly StockNetSample[]): arrow.Table {
  const { tweets, dayOffsets } = tweetColumns(samples);
  const { prices, dates } = priceColumns(samples);
  return new arrow.Table({
    ticker: arrow.makeVector(utf8Data(samples.map((s) => s.ticker))),
    date: arrow.makeVector(utf8Data(samples.map((s) => s.date))),
    split: arrow.makeVector(utf8Data(samples.map((s) => s.split))),
    label: arrow.makeVector(Int32Array.from(samples, (s) => s.label)),
    movement: arrow.makeVector(Float64Array.from(samples, (s) => s.movement)),
    tweets,
    tweet_day_offsets: dayOffsets,
    tweet_days: arrow.makeVector(Int32Array.from(samples, (s) => s.tweetDays.length)),
    prices,
    price_dates: dates,
  });
}

/** The dataset schema: tweets are text, prices a [days, 6] series, label the movement task, ticker/date the keys. */
export function stockNetSchema(): DatasetSchema {
  return {
    name: 'stocknet',
    columns: {
      ticker: { role: 'group' },
      date: { role: 'time' },
      label: { role: 'label', task: 'movement', kind: 'binary', classes: [...STOCKNET_CLASSES] },
      tweets: { role: 'text' },
      prices: { role: 'timeseries', features: [...STOCKNET_PRICE_FEATURES] },
    },
  };
}
