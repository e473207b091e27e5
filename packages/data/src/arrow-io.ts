// Reading and writing whole Arrow IPC files; writes are atomic (temp file + rename).
import * as arrow from 'apache-arrow';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DataError } from './errors.js';

const MAGIC = 'ARROW1';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Writes `bytes` to `file` atomically: a temp file in the same folder, then a rename over the target. */
export async function writeFileAtomic(file: string, bytes: Uint8Array | string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.promises.writeFile(temp, bytes);
    await fs.promises.rename(temp, file);
  } catch (error) {
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
}

/** Encodes a table in the Arrow IPC file format. */
export function tableToArrowFileBytes(table: arrow.Table): Uint8Array {
  return arrow.tableToIPC(table, 'file');
}

/** Decodes Arrow IPC bytes (file or stream format); a truncated or corrupt buffer is a DataError naming `file`. */
export function tableFromArrowBytes(bytes: Uint8Array, file: string): arrow.Table {
  const head = Buffer.from(bytes.subarray(0, MAGIC.length)).toString('latin1');
  const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - MAGIC.length))).toString('latin1');
  const isFileFormat = head === MAGIC;
  if (isFileFormat && tail !== MAGIC) {
    throw new DataError({ file }, 'not a valid Arrow IPC file: the closing ARROW1 magic is missing (truncated?)');
  }
  if (!isFileFormat && bytes.length < 8) {
    throw new DataError({ file }, `not a valid Arrow IPC file: only ${bytes.length} bytes`);
  }
  try {
    const table = arrow.tableFromIPC(bytes);
    if (table.schema.fields.length === 0) throw new Error('no schema or no columns');
    // Touch every column once so that corrupt buffers fail here, not later in a consumer.
    for (const field of table.schema.fields) table.getChild(field.name)?.get(Math.max(0, table.numRows - 1));
    return table;
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError({ file }, `not a valid Arrow IPC file: ${describe(error)}`, { cause: error });
  }
}

/** Writes a table to an Arrow IPC file atomically (temp + rename), creating the folder. */
export async function writeArrowFile(file: string, table: arrow.Table): Promise<void> {
  await writeFileAtomic(file, tableToArrowFileBytes(table));
}

/** Reads a whole Arrow IPC file (file or stream format) into a table; a corrupt file is a DataError naming it. */
export async function readArrowFile(file: string): Promise<arrow.Table> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (error) {
    throw new DataError({ file }, `cannot read: ${describe(error)}`, { cause: error });
  }
  return tableFromArrowBytes(bytes, file);
}
