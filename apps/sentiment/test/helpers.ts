// Test helpers: temporary folders, config files with their command comment, JSON lines, small labelled texts.
import fs from 'node:fs';
import { Rng } from '@finmm/core';
import { appTempDir, writeAppConfig } from '../../../tools/test-helpers/app-files.js';

export { lines, readJson, readJsonl } from '../../../tools/test-helpers/app-files.js';

/** A fresh temporary folder; remove it with `fs.rmSync(dir, { recursive: true, force: true })`. */
export const tempDir = (prefix: string): string => appTempDir('sentiment', prefix);

/** Writes a YAML config whose first line is the command that runs it; returns its path. */
export const writeConfig = (dir: string, name: string, config: Record<string, unknown>): string => writeAppConfig('sentiment', dir, name, config);

const GOOD = ['great', 'excellent', 'strong', 'rising', 'record'];
const BAD = ['terrible', 'weak', 'falling', 'loss', 'poor'];
const FILLER = ['the', 'company', 'said', 'quarter', 'sales', 'shares', 'market', 'today', 'results', 'board'];

/** Short reviews whose label follows their sentiment words ("up" with good words, "down" with bad ones, "flat" with none). */
export function syntheticReviews(n: number, seed: number): Array<{ id: string; review: string; mood: 'up' | 'down' | 'flat' }> {
  const rng = Rng.fromSeed(seed);
  const pick = (words: readonly string[]): string => words[rng.int(0, words.length - 1)] as string;
  return Array.from({ length: n }, (_, i) => {
    const mood = (['up', 'down', 'flat'] as const)[i % 3] as 'up' | 'down' | 'flat';
    const words = Array.from({ length: 6 }, () => pick(FILLER));
    if (mood !== 'flat') words.splice(rng.int(0, 5), 0, pick(mood === 'up' ? GOOD : BAD), pick(mood === 'up' ? GOOD : BAD));
    return { id: `r${i}`, review: words.join(' '), mood };
  });
}

/** Writes rows as CSV with a header (fields quoted); returns the path. */
export function writeCsv(file: string, rows: ReadonlyArray<Record<string, unknown>>): string {
  const header = Object.keys(rows[0] ?? {});
  const cell = (v: unknown): string => `"${String(v).replace(/"/g, '""')}"`;
  fs.writeFileSync(file, `${header.join(',')}\n${rows.map((r) => header.map((h) => cell(r[h])).join(',')).join('\n')}\n`);
  return file;
}
