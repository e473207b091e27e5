// Test helpers: temporary folders, config files with their command comment, and synthetic credit tables.
import fs from 'node:fs';
import { Rng } from '@finmm/core';
import { appTempDir, writeAppConfig } from '../../../tools/test-helpers/app-files.js';

export { lines, readJsonl } from '../../../tools/test-helpers/app-files.js';

/** A fresh temporary folder; remove it with `fs.rmSync(dir, { recursive: true, force: true })`. */
export const tempDir = (prefix: string): string => appTempDir('credit', prefix);

/** Writes a YAML config whose first line is the command that runs it; returns its path. */
export const writeConfig = (dir: string, name: string, config: Record<string, unknown>): string => writeAppConfig('credit', dir, name, config);

/** One synthetic applicant: `signal` and `segment` drive the label, the rest is noise. */
export interface SyntheticRow {
  id: string;
  signal: number;
  noise: number;
  segment: 'safe' | 'risky';
  colour: 'red' | 'green' | 'blue';
  zip: number;
  defaulted: 'yes' | 'no';
}

/** Rows where P(default) rises with `signal` and with `segment = risky`; `noise`, `colour` and `zip` are irrelevant. */
export function syntheticRows(n: number, seed: number): SyntheticRow[] {
  const rng = Rng.fromSeed(seed);
  const colours = ['red', 'green', 'blue'] as const;
  return Array.from({ length: n }, (_, i) => {
    const signal = rng.float();
    const segment = rng.float() < 0.3 ? 'risky' : 'safe';
    const score = 6 * (signal - 0.6) + (segment === 'risky' ? 3 : 0) + (rng.float() - 0.5);
    return {
      id: `c${i}`,
      signal: Math.round(signal * 1000) / 1000,
      noise: Math.round((rng.float() * 10 - 5) * 100) / 100,
      segment,
      colour: colours[rng.int(0, 2)] as SyntheticRow['colour'],
      zip: 10000 + rng.int(0, 4),
      defaulted: score > 0 ? 'yes' : 'no',
    };
  });
}

/** Writes rows as CSV with a header; returns the path. */
export function writeCsv(file: string, rows: ReadonlyArray<Record<string, unknown>>): string {
  const header = Object.keys(rows[0] ?? {});
  fs.writeFileSync(file, `${header.join(',')}\n${rows.map((r) => header.map((h) => String(r[h])).join(',')).join('\n')}\n`);
  return file;
}
