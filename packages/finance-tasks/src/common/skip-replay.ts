// Keeps the records a lenient build skipped inside the table's metadata, so a cache hit can report them again.
import * as arrow from 'apache-arrow';
import { DataError, SkipReport, type BadRecordPolicy, type SourceLocation } from '@finmm/data';

const KEY = 'finmm.skipped';

/** A skipped record as stored in table metadata. */
export interface StoredSkip {
  at: SourceLocation;
  reason: string;
}

/** A skip report that keeps every skipped record and forwards each to another report. */
export class CollectingSkipReport extends SkipReport {
  readonly all: StoredSkip[] = [];

  constructor(private readonly forward?: SkipReport) {
    super();
  }

  /** Counts one skipped record, keeps it and forwards it. */
  override add(error: DataError): void {
    super.add(error);
    this.all.push({ at: error.at, reason: error.reason });
    this.forward?.add(error);
  }
}

/** The table with the skipped records stored in its schema metadata. */
export function withSkipped(table: arrow.Table, skipped: readonly StoredSkip[]): arrow.Table {
  const metadata = new Map(table.schema.metadata);
  metadata.set(KEY, JSON.stringify(skipped));
  const schema = new arrow.Schema(table.schema.fields, metadata);
  return new arrow.Table(schema, table.batches.map((b) => new arrow.RecordBatch(schema, b.data)));
}

/** Replays the skipped records stored in a cached table into the caller's report; returns how many. */
export function replaySkipped(table: arrow.Table, policy: BadRecordPolicy): number {
  const json = table.schema.metadata.get(KEY);
  if (json === undefined) return 0;
  const stored = JSON.parse(json) as StoredSkip[];
  for (const s of stored) policy.skipped?.add(new DataError(s.at, s.reason));
  return stored.length;
}
