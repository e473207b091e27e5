// Strict date parsing: ISO 8601, Twitter's `created_at`, epoch numbers, or a caller's parser; never a guess.

/** How dates are written: a named format, or a function returning epoch milliseconds (null when unparsable). */
export type DateFormat = 'iso' | 'twitter' | 'epoch-ms' | 'epoch-s' | ((text: string) => number | null);

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const TWITTER = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-]\d{4}) (\d{4})$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const INTEGER = /^[+-]?\d+$/;

function offsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined || zone === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (m === null) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (Number(m[2]) > 23 || Number(m[3]) > 59) return null;
  return m[1] === '-' ? -minutes : minutes;
}

/** Epoch ms of a calendar date and time, or null when a part is out of range (e.g. February 30). */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number | null {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? t : null;
}

/** Parses `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]` (no zone means UTC) to epoch ms, or null. */
export function parseIsoDate(text: string): number | null {
  const m = ISO.exec(text);
  if (m === null) return null;
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  const t = utc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms);
  const offset = offsetMinutes(m[8]);
  return t === null || offset === null ? null : t - offset * 60_000;
}

/** Parses Twitter's `Wed Jan 01 03:59:03 +0000 2014` to epoch ms, or null. */
export function parseTwitterDate(text: string): number | null {
  const m = TWITTER.exec(text);
  if (m === null) return null;
  const t = utc(Number(m[7]), MONTHS.indexOf(m[1] ?? '') + 1, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), 0);
  const offset = offsetMinutes(m[6]);
  return t === null || offset === null ? null : t - offset * 60_000;
}

/** Whether `text` is an ISO date without a time part. */
export function isIsoDateOnly(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && parseIsoDate(text) !== null;
}

/** Parses a date in the given format to epoch ms; null when it is not a valid date in that format. */
export function parseDate(text: string, format: DateFormat = 'iso'): number | null {
  const trimmed = text.trim();
  switch (format) {
    case 'iso':
      return parseIsoDate(trimmed);
    case 'twitter':
      return parseTwitterDate(trimmed);
    case 'epoch-ms':
    case 'epoch-s': {
      if (!INTEGER.test(trimmed)) return null;
      const value = Number(trimmed) * (format === 'epoch-s' ? 1000 : 1);
      return Number.isSafeInteger(value) ? value : null;
    }
    default: {
      const value = format(trimmed);
      return value !== null && Number.isFinite(value) ? value : null;
    }
  }
}

/** A short name of a date format for error messages. */
export function describeDateFormat(format: DateFormat = 'iso'): string {
  if (typeof format === 'function') return 'the custom date format';
  return {
    iso: 'an ISO 8601 date (YYYY-MM-DD[THH:MM[:SS][Z|±HH:MM]])',
    twitter: 'a Twitter date (Www Mmm DD HH:MM:SS ±HHMM YYYY)',
    'epoch-ms': 'epoch milliseconds',
    'epoch-s': 'epoch seconds',
  }[format];
}
