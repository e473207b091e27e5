// Batches from a stream of Arrow RecordBatches (a large source that is never loaded whole).
import type { Batch } from '@finmm/core';
import { Rng } from '@finmm/core';
import * as arrow from 'apache-arrow';
import { BatchSource, batchRows, disposeBatch, epochSeed, type BatchSourceOptions } from './batch-source.js';
import { prefetch } from './prefetch.js';

/** How to batch a stream. */
export interface StreamBatchOptions extends Omit<BatchSourceOptions, 'table'> {
  batchSize: number;
  dropLast?: boolean;
  /** Shuffle rows within windows of this many batches (default 0: keep the stored order). */
  shuffleWindowBatches?: number;
  seed?: number;
  epoch?: number;
  /** Batches prepared ahead of the consumer (default 1). */
  prefetch?: number;
}

/**
 * Batches of a RecordBatch stream (e.g. `streamCsv`, `streamArrow`), holding at most one window of rows in memory;
 * with `shuffleWindowBatches` the rows of each window are shuffled reproducibly from (seed, epoch).
 * Prefetched like `BatchSource.batches`; the consumer frees each batch with `disposeBatch`.
 */
export function streamBatches(recordBatches: AsyncIterable<arrow.RecordBatch>, options: StreamBatchOptions): AsyncIterableIterator<Batch> {
  const shuffleWindow = options.shuffleWindowBatches ?? 0;
  const windowRows = options.batchSize * Math.max(1, shuffleWindow);
  const rng = Rng.fromSeed(epochSeed(options.seed ?? 0, options.epoch ?? 0));

  async function* windowBatches(table: arrow.Table): AsyncGenerator<Batch> {
    const source = new BatchSource({ ...options, table });
    const rows = Array.from({ length: table.numRows }, (_, i) => i);
    const order = shuffleWindow > 0 ? rng.shuffle(rows) : rows;
    for (const r of batchRows(order, options.batchSize, options.dropLast)) yield await source.collate(r);
  }

  async function* produce(): AsyncGenerator<Batch> {
    let pending: arrow.Table | null = null;
    for await (const recordBatch of recordBatches) {
      pending = pending === null ? new arrow.Table([recordBatch]) : new arrow.Table([...pending.batches, recordBatch]);
      while (pending.numRows >= windowRows) {
        yield* windowBatches(pending.slice(0, windowRows));
        pending = pending.slice(windowRows);
      }
    }
    if (pending !== null && pending.numRows > 0) yield* windowBatches(pending);
  }

  return prefetch(produce(), { depth: options.prefetch ?? 1, dispose: disposeBatch });
}
