// Aligns one ticker's prices and tweets into StockNet samples: one per kept target date, inputs strictly before it.
import { epochDay } from '../common/iso-date.js';
import type { PreprocessedDay } from './preprocessed-prices.js';
import { stockNetLabel, stockNetSplitOf, type StockNetSplit } from './task.js';

/** The messages of one day of the tweet window. */
export interface TweetDay {
  /** Calendar days before the target date (1 = the day before). */
  offset: number;
  messages: readonly string[];
}

/** One (ticker, target date) sample. */
export interface StockNetSample {
  ticker: string;
  date: string;
  split: StockNetSplit;
  /** 1 up, 0 down. */
  label: 0 | 1;
  movement: number;
  /** Days of the tweet window that have messages, oldest first. */
  tweetDays: TweetDay[];
  /** The trading days before the target date, oldest first (fewer than the window only at a listing's start). */
  priceDays: PreprocessedDay[];
}

/** Window sizes and filters of sample building. */
export interface SampleWindow {
  /** Calendar days of tweets and trading days of prices before the target date. */
  days: number;
  /** Drop samples with fewer days of tweets than this. */
  minTweetDays: number;
}

/**
 * The samples of one ticker: every trading day d in a split whose movement passes the label rule, with the tweets
 * of the calendar days d-days..d-1 and the `days` trading days before d (nothing from d or later).
 */
export function buildTickerSamples(
  ticker: string,
  days: readonly PreprocessedDay[],
  tweetsByDay: ReadonlyMap<string, readonly string[]>,
  window: SampleWindow,
): StockNetSample[] {
  const byEpochDay = new Map<number, readonly string[]>();
  for (const [date, messages] of tweetsByDay) byEpochDay.set(epochDay(date), messages);
  const samples: StockNetSample[] = [];
  days.forEach((day, i) => {
    const split = stockNetSplitOf(day.date);
    if (split === null) return;
    const label = stockNetLabel(day.movement);
    if (label === null) return;
    const tweetDays: TweetDay[] = [];
    const target = epochDay(day.date);
    for (let offset = window.days; offset >= 1; offset--) {
      const messages = byEpochDay.get(target - offset);
      if (messages !== undefined && messages.length > 0) tweetDays.push({ offset, messages });
    }
    if (tweetDays.length < window.minTweetDays) return;
    const priceDays = days.slice(Math.max(0, i - window.days), i);
    samples.push({ ticker, date: day.date, split, label, movement: day.movement, tweetDays, priceDays });
  });
  return samples;
}
