// A JSON-lines log of a run's training and evaluation records.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JsonValue } from '@finmm/core';

/** One record of the metrics log. */
export type MetricsRecord = { type: 'train' | 'eval' | 'event'; time: string } & Record<string, JsonValue>;

/** Appends one JSON object per line to a file (or nowhere when the path is null). */
export class MetricsLog {
  constructor(private readonly path: string | null) {
    if (path !== null) mkdirSync(dirname(path), { recursive: true });
  }

  /** Appends a record, stamped with the current time. */
  write(type: MetricsRecord['type'], fields: Record<string, JsonValue>): void {
    if (this.path === null) return;
    appendFileSync(this.path, `${JSON.stringify({ type, time: new Date().toISOString(), ...fields })}\n`);
  }
}
