// Errors and lenient-mode reports for bad input: every message names the file, line and field.

/** Where a bad value sits in a source. */
export interface SourceLocation {
  file: string;
  /** 1-based line number, when the source has lines. */
  line?: number;
  /** Column or field name, when one is to blame. */
  field?: string;
}

/** Formats a location as `file:line field "name"`. */
export function formatLocation(at: SourceLocation): string {
  return `${at.file}${at.line !== undefined ? `:${at.line}` : ''}${at.field !== undefined ? ` field "${at.field}"` : ''}`;
}

/** A malformed record, missing column, wrong type or unparsable value; the message names where and what was expected. */
export class DataError extends Error {
  constructor(
    readonly at: SourceLocation,
    /** What is wrong and what was expected, e.g. `expected a number, got "abc"`. */
    readonly reason: string,
    /** The underlying error, e.g. from the file system or a parser. */
    options?: ErrorOptions,
  ) {
    super(`${formatLocation(at)}: ${reason}`, options);
    this.name = 'DataError';
  }
}

/** Records skipped in lenient mode, counted by reason, with the first few kept for the report. */
export class SkipReport {
  readonly byReason = new Map<string, number>();
  readonly examples: DataError[] = [];
  total = 0;

  constructor(private readonly keepExamples = 20) {}

  /** Counts one skipped record. */
  add(error: DataError): void {
    this.total += 1;
    const reason = error.reason.replace(/"[^"]*"/g, '"…"'); // group by reason regardless of the bad value
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
    if (this.examples.length < this.keepExamples) this.examples.push(error);
  }

  /** One line per reason with its count, then example locations. */
  summary(): string {
    if (this.total === 0) return 'no records skipped';
    const reasons = [...this.byReason.entries()].sort((a, b) => b[1] - a[1]).map(([r, n]) => `  ${n} x ${r}`);
    const examples = this.examples.slice(0, 5).map((e) => `  e.g. ${e.message}`);
    return [`${this.total} records skipped:`, ...reasons, ...examples].join('\n');
  }
}

/** How readers treat bad records: strict throws the first DataError, lenient skips and counts them. */
export interface BadRecordPolicy {
  lenient?: boolean;
  /** Receives skipped records in lenient mode. */
  skipped?: SkipReport;
}

/** Throws `error` unless the policy is lenient, in which case it is counted and the record must be skipped. */
export function rejectRecord(error: DataError, policy: BadRecordPolicy): void {
  if (policy.lenient !== true) throw error;
  policy.skipped?.add(error);
}
