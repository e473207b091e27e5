// Batches of a dataset table: a reproducible (seed, epoch) order, per-modality collators, labels, prefetching.
//
// Tensor ownership: every Batch yielded belongs to the consumer, which frees it with `disposeBatch(batch)` once
// the step is done. The iterator frees only batches it prepared but never handed out (after `break`/`return()`).
import type { Batch, Modality, TaskLabels } from '@finmm/core';
import { MODALITIES, Rng } from '@finmm/core';
import type * as tf from '@tensorflow/tfjs';
import type * as arrow from 'apache-arrow';
import type { Preprocessing } from '../preprocessing/bundle.js';
import type { DatasetSchema } from '../schema.js';
import { validateTableAgainstSchema } from '../schema-validation.js';
import { columnValues, requireColumn, type CellValue } from '../table-access.js';
import type { Collator, Collators } from './collator.js';
import { labelBuilders, type LabelBuilder } from './labels.js';
import { prefetch } from './prefetch.js';

/** How to iterate one epoch. */
export interface BatchOptions {
  batchSize: number;
  /** Shuffle the rows (default true); the order depends only on (seed, epoch). */
  shuffle?: boolean;
  seed?: number;
  epoch?: number;
  /** Drop a last batch smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Only these table rows, e.g. a split's training rows (default: all rows). */
  rows?: readonly number[];
  /** Skip this many batches of the epoch, to resume mid-epoch with the same order (default 0). */
  startBatch?: number;
  /** Batches prepared ahead of the consumer (default 1). */
  prefetch?: number;
  /** Batch rows of similar length together, to pad less (default: no grouping). */
  groupByLength?: LengthGrouping;
}

/**
 * Length grouping, as Hugging Face's `group_by_length`: the epoch order is cut into megabatches of `megabatches`
 * batches, each megabatch is sorted by length (longest first) and cut into batches. Batches then hold rows of
 * similar length and are padded less, while the shuffle still decides which rows share a megabatch.
 */
export interface LengthGrouping {
  /** Length of every table row (indexed by table row), e.g. its characters or tokens. */
  lengths: ArrayLike<number>;
  /** Batches per megabatch (default 50, Hugging Face's); a megabatch as large as the epoch sorts it whole. */
  megabatches?: number;
}

/** What a BatchSource is built from. */
export interface BatchSourceOptions {
  table: arrow.Table;
  schema: DatasetSchema;
  /** One collator per modality the batches carry. */
  collators: Collators;
  /** Fitted on the training rows; supplies label classes (else the schema's). */
  preprocessing?: Preprocessing;
  /** Names the table in errors (default: the schema's name). */
  source?: string;
}

/** Frees every tensor of a batch (inputs, presence masks, labels). */
export function disposeBatch(batch: Batch): void {
  for (const input of Object.values(batch.inputs)) {
    for (const t of Object.values(input as Record<string, tf.Tensor | undefined>)) t?.dispose();
  }
  for (const mask of Object.values(batch.present)) mask?.dispose();
  for (const labels of Object.values(batch.labels)) {
    labels.y.dispose();
    labels.mask.dispose();
  }
}

/** A 32-bit seed mixed from (seed, epoch), so each epoch's shuffle is independent yet reproducible. */
export function epochSeed(seed: number, epoch: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(epoch + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The row order of an epoch: `rows` shuffled by (seed, epoch), or as given when `shuffle` is false. */
export function epochOrder(rows: readonly number[], options: { seed?: number; epoch?: number; shuffle?: boolean }): number[] {
  const order = [...rows];
  if (options.shuffle === false) return order;
  return Rng.fromSeed(epochSeed(options.seed ?? 0, options.epoch ?? 0)).shuffle(order);
}

/** The epoch order regrouped by length: each run of `megabatches x batchSize` rows sorted longest first (stable). */
export function lengthGroupedOrder(order: readonly number[], batchSize: number, grouping: LengthGrouping): number[] {
  const megabatches = grouping.megabatches ?? 50;
  if (!Number.isInteger(megabatches) || megabatches < 1) throw new Error(`groupByLength.megabatches must be a positive integer, got ${megabatches}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const lengthOf = (row: number): number => {
    const length = grouping.lengths[row];
    if (length === undefined || !Number.isFinite(length) || length < 0) {
      throw new Error(`groupByLength.lengths: row ${row} has length ${String(length)}; expected a number >= 0 for every row (${grouping.lengths.length} given)`);
    }
    return length;
  };
  const span = megabatches * batchSize;
  const out: number[] = [];
  for (let start = 0; start < order.length; start += span) {
    const mega = order.slice(start, start + span).map((row, i) => ({ row, i, length: lengthOf(row) }));
    mega.sort((a, b) => b.length - a.length || a.i - b.i); // longest first; ties keep the shuffled order
    for (const m of mega) out.push(m.row);
  }
  return out;
}

/** Cuts an epoch order into batches of row indices. */
export function batchRows(order: readonly number[], batchSize: number, dropLast = false): number[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) {
    const rows = order.slice(i, i + batchSize);
    if (rows.length < batchSize && dropLast) break;
    out.push(rows);
  }
  return out;
}

/** Collates batches of a table's rows into core Batches. */
export class BatchSource {
  readonly table: arrow.Table;
  private readonly collators: Array<[Modality, Collator]>;
  private readonly labels: LabelBuilder[];
  private readonly columns: string[];

  constructor(options: BatchSourceOptions) {
    this.table = options.table;
    const source = options.source ?? options.schema.name;
    validateTableAgainstSchema(options.table, options.schema, source);
    this.collators = MODALITIES.flatMap((m) => {
      const c = options.collators[m] as Collator | undefined;
      if (c === undefined) return [];
      if (c.modality !== m) throw new Error(`the collator given for "${m}" builds "${c.modality}"`);
      return [[m, c] as [Modality, Collator]];
    });
    this.labels = labelBuilders(options.schema, options.preprocessing);
    this.columns = [...new Set([...this.collators.flatMap(([, c]) => c.columns), ...this.labels.map((l) => l.column)])];
    for (const column of this.columns) {
      try {
        requireColumn(this.table, column);
      } catch (error) {
        throw new Error(`${source}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
  }

  /** Number of rows of the table. */
  get numRows(): number {
    return this.table.numRows;
  }

  /** Number of batches an epoch over `rows` yields. */
  numBatches(options: Pick<BatchOptions, 'batchSize' | 'dropLast' | 'rows'>): number {
    const n = options.rows?.length ?? this.numRows;
    return options.dropLast === true ? Math.floor(n / options.batchSize) : Math.ceil(n / options.batchSize);
  }

  /** Collates the given table rows into one Batch (owned by the caller: free it with `disposeBatch`). */
  async collate(rows: readonly number[]): Promise<Batch> {
    const values: Record<string, CellValue[]> = {};
    for (const column of this.columns) values[column] = columnValues(this.table, column, rows);
    const batch: Batch = { size: rows.length, inputs: {}, present: {}, labels: {} };
    try {
      for (const [modality, collator] of this.collators) {
        const { input, present } = await collator.collate({ values, rows });
        (batch.inputs as Record<string, unknown>)[modality] = input;
        batch.present[modality] = present;
      }
      for (const builder of this.labels) {
        const labels: TaskLabels = builder.build(values[builder.column] ?? [], rows);
        batch.labels[builder.task] = labels;
      }
    } catch (error) {
      disposeBatch(batch); // free what was built before the failure
      throw error;
    }
    return batch;
  }

  /**
   * The batches of one epoch, prefetched: the next batch is prepared while the consumer trains on the current
   * one. The consumer owns every batch it receives and frees it with `disposeBatch`.
   */
  batches(options: BatchOptions): AsyncIterableIterator<Batch> {
    const rows = options.rows ?? Array.from({ length: this.numRows }, (_, i) => i);
    const shuffled = epochOrder(rows, options);
    const order = options.groupByLength === undefined ? shuffled : lengthGroupedOrder(shuffled, options.batchSize, options.groupByLength);
    const plan = batchRows(order, options.batchSize, options.dropLast).slice(options.startBatch ?? 0);
    const collate = (r: readonly number[]): Promise<Batch> => this.collate(r);
    async function* produce(): AsyncGenerator<Batch> {
      for (const r of plan) yield await collate(r);
    }
    return prefetch(produce(), { depth: options.prefetch ?? 1, dispose: disposeBatch });
  }
}
