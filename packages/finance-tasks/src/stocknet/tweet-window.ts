// The tweets of the calendar days before one target date, read from a folder in StockNet's layout
// (<dir>/<TICKER>/<YYYY-MM-DD>, JSON lines); only the window's files are opened.
import fs from 'node:fs';
import path from 'node:path';
import type { BadRecordPolicy } from '@finmm/data';
import { readTextFileOrReject } from '../common/read-text.js';
import { epochDay } from '../common/iso-date.js';
import type { TweetDay } from './samples.js';
import { parseTweetDay } from './tweets.js';

/** Window and limits of `readTweetWindow`. */
export interface TweetWindowOptions {
  /** Calendar days before the target date (d-days .. d-1). */
  days: number;
  /** Messages kept per day (the first in file order). */
  maxMessages: number;
  /** Tokens kept per message. */
  maxWords: number;
}

/** YYYY-MM-DD of a day count since 1970-01-01. */
export function isoOfEpochDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** Messages per day offset (oldest first) for the ticker's window before `date`; days without a file are left out. */
export function readTweetWindow(dir: string, ticker: string, date: string, options: TweetWindowOptions, policy: BadRecordPolicy = {}): TweetDay[] {
  const target = epochDay(date);
  const out: TweetDay[] = [];
  for (let offset = options.days; offset >= 1; offset--) {
    const day = isoOfEpochDay(target - offset);
    const file = path.join(dir, ticker, day);
    if (!fs.existsSync(file)) continue;
    const text = readTextFileOrReject(file, policy);
    if (text === null) continue;
    const messages = parseTweetDay(text, file, day, { maxMessages: options.maxMessages, maxWords: options.maxWords }, policy);
    if (messages.length > 0) out.push({ offset, messages });
  }
  return out;
}
