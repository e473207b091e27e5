// Calendar arithmetic on YYYY-MM-DD strings (UTC days, no time zones involved).

/** Days since 1970-01-01 of a YYYY-MM-DD date (assumed valid). */
export function epochDay(iso: string): number {
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86_400_000;
}
