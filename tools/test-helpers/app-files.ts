// Helpers shared by the apps' tests: temporary folders, config files that start with their command, JSON(L) reads.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

/** The apps whose tests use these helpers. */
export type AppName = 'credit' | 'sentiment' | 'stock';

/** A fresh temporary folder named after the app; remove it with `fs.rmSync(dir, { recursive: true, force: true })`. */
export function appTempDir(app: AppName, prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `finmm-${app}-${prefix}-`));
}

/** Writes a YAML config whose first line is the app command that runs it; returns its path. */
export function writeAppConfig(app: AppName, dir: string, name: string, config: Record<string, unknown>): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `# node tools/run-ts.mjs apps/${app}/src/main.ts train --config ${file}\n${stringify(config)}`);
  return file;
}

/** Collects printed lines instead of writing them. */
export function lines(): { print: (line: string) => void; all: string[] } {
  const all: string[] = [];
  return { print: (line) => all.push(line), all };
}

/** Reads a JSON-lines file. */
export function readJsonl(file: string): Array<Record<string, unknown>> {
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Reads a JSON file. */
export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}
