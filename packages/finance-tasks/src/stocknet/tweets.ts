// Parses tweet/preprocessed/<T>/<YYYY-MM-DD>: JSON lines {"text": [tokens], "created_at", "user_id_str"}.
import { DataError, rejectRecord, type BadRecordPolicy } from '@finmm/data';

const MONTHS: Readonly<Record<string, string>> = {
  Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12',
};
// Twitter's created_at, always UTC in this corpus: "Wed Jan 01 03:59:03 +0000 2014".
const CREATED_AT = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) (\d{2}) \d{2}:\d{2}:\d{2} \+0000 (\d{4})$/;

/** Limits applied while reading a day's file. */
export interface TweetLimits {
  /** Keep the first this many valid messages of the file (all lines are still validated). */
  maxMessages: number;
  /** Keep the first this many tokens of a message. */
  maxWords: number;
}

/** The UTC day (YYYY-MM-DD) of a Twitter created_at string, or null when it is not in Twitter's format. */
export function createdAtDay(createdAt: string): string | null {
  const m = CREATED_AT.exec(createdAt);
  if (m === null) return null;
  const month = MONTHS[m[1] as string];
  return month === undefined ? null : `${m[3]}-${month}-${m[2]}`;
}

function parseMessage(raw: string, file: string, line: number, day: string, maxWords: number): string {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new DataError({ file, line }, `not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new DataError({ file, line }, 'expected a JSON object per line');
  const record = json as Record<string, unknown>;
  const tokens = record['text'];
  if (!Array.isArray(tokens)) throw new DataError({ file, line, field: 'text' }, 'expected an array of tokens');
  const kept = tokens.length > maxWords ? tokens.slice(0, maxWords) : tokens;
  for (const token of tokens) {
    if (typeof token !== 'string') throw new DataError({ file, line, field: 'text' }, `expected string tokens, got ${JSON.stringify(token)}`);
  }
  const createdAt = record['created_at'];
  const created = typeof createdAt === 'string' ? createdAtDay(createdAt) : null;
  if (created === null) {
    throw new DataError({ file, line, field: 'created_at' }, `expected a Twitter date like "Wed Jan 01 03:59:03 +0000 2014", got ${JSON.stringify(createdAt)}`);
  }
  if (created > day) throw new DataError({ file, line, field: 'created_at' }, `tweet of ${created} in the file of the earlier day ${day}`);
  return kept.join(' ');
}

/** The messages (first `maxWords` tokens joined by spaces) of one day's file; bad lines throw or are skipped. */
export function parseTweetDay(text: string, file: string, day: string, limits: TweetLimits, policy: BadRecordPolicy = {}): string[] {
  const messages: string[] = [];
  let start = 0;
  let line = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line += 1;
    const raw = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    if (raw.trim() === '') continue;
    try {
      const message = parseMessage(raw, file, line, day, limits.maxWords);
      if (messages.length < limits.maxMessages) messages.push(message);
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      rejectRecord(error, policy);
    }
  }
  return messages;
}
