// Arrow IPC files as a stream of RecordBatches, read lazily from disk.
import * as arrow from 'apache-arrow';
import fs from 'node:fs';
import { DataError } from '../errors.js';

/** Streams the RecordBatches of an Arrow IPC file (file or stream format) without loading it whole. */
export async function* streamArrow(file: string): AsyncGenerator<arrow.RecordBatch> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (error) {
    throw new DataError({ file }, `cannot read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    let reader: arrow.AsyncRecordBatchStreamReader;
    let count = 0;
    try {
      reader = await arrow.RecordBatchReader.from(handle);
      await reader.open();
    } catch (error) {
      throw new DataError({ file }, `not a valid Arrow IPC file: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const iterator = reader[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<arrow.RecordBatch>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw new DataError({ file }, `corrupt Arrow record batch ${count}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      if (next.done === true) break;
      count += 1;
      yield next.value;
    }
  } finally {
    await handle.close();
  }
}
