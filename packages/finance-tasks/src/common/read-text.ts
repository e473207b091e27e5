// Reading a source file whole, with a read failure reported as a DataError naming the file.
import fs from 'node:fs';
import { DataError, rejectRecord, type BadRecordPolicy } from '@finmm/data';

function cannotRead(file: string, error: unknown): DataError {
  return new DataError({ file }, `cannot read: ${error instanceof Error ? error.message : String(error)}`);
}

/** Reads a text file (sync: faster than async reads for many small files); a failure names the file. */
export function readTextFile(file: string, encoding: BufferEncoding = 'utf8'): string {
  try {
    return fs.readFileSync(file, encoding);
  } catch (error) {
    throw cannotRead(file, error);
  }
}

/** Reads a text file, or rejects it under `policy` (an error, or skipped and counted when lenient) and returns null. */
export function readTextFileOrReject(file: string, policy: BadRecordPolicy): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    rejectRecord(cannotRead(file, error), policy);
    return null;
  }
}
