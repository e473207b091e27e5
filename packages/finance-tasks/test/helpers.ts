// Test helpers: the real data folder and temporary copies of it that tests can corrupt.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireDataset } from '@finmm/core';
import { DataError } from '@finmm/data';

/** The real data directory (the parent of the dataset folders). */
export function realDataDir(): string {
  return path.dirname(requireDataset('german-credit'));
}

/** A fresh temporary folder; remove it with `fs.rmSync(dir, { recursive: true, force: true })`. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `finmm-${prefix}-`));
}

/** Copies `relative` paths (files or folders) of a dataset folder into `<dataDir>/<folder>/`. */
export function copyDataset(dataDir: string, folder: string, relative: readonly string[]): string {
  const from = path.join(realDataDir(), folder);
  const to = path.join(dataDir, folder);
  for (const r of relative) {
    fs.mkdirSync(path.dirname(path.join(to, r)), { recursive: true });
    fs.cpSync(path.join(from, r), path.join(to, r), { recursive: true });
  }
  return to;
}

/** Replaces line `line` (1-based) of a file, keeping its line ending (CRLF or LF). */
export function replaceLine(file: string, line: number, edit: (text: string) => string, encoding: BufferEncoding = 'utf8'): string {
  const text = fs.readFileSync(file, encoding);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(eol);
  const old = lines[line - 1];
  if (old === undefined) throw new Error(`${file} has no line ${line}`);
  lines[line - 1] = edit(old);
  fs.writeFileSync(file, lines.join(eol), encoding);
  return old;
}

/** The DataError a promise rejects with (fails the test when it resolves or throws something else). */
export async function dataErrorOf(promise: Promise<unknown>): Promise<DataError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DataError) return error;
    throw error;
  }
  throw new Error('expected a DataError, but the load succeeded');
}

/** Counts of each value of a column. */
export function countValues(values: Iterable<unknown>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[String(v)] = (counts[String(v)] ?? 0) + 1;
  return counts;
}
