// The directory every run writes: runs/<app>/<UTC timestamp>-<name>/ with the resolved config, data fingerprint,
// seeds, metrics logs, evaluation reports (JSON and Markdown) and model directories.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';

/** Where and under what name a run directory is made. */
export interface RunDirOptions {
  /** Folder holding every app's runs (default `runs` in the working directory, or FINMM_RUNS_DIR). */
  root?: string;
  /** App name, e.g. `credit`. */
  app: string;
  /** Run name, e.g. the config's name (letters, digits, `-`, `_`, `.`; others become `-`). */
  name: string;
  /** Time of the run (default now). */
  now?: Date;
}

/** `20251129-080643` in UTC. */
export function runTimestamp(now: Date): string {
  const iso = now.toISOString(); // 2025-11-29T08:06:43.123Z
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

/** The default runs root: FINMM_RUNS_DIR, else `runs` under the working directory. */
export function defaultRunsRoot(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env['FINMM_RUNS_DIR'] ?? 'runs');
}

/** A run's directory and writers for the files in it. */
export class RunDir {
  private constructor(readonly path: string) {}

  /** Creates a fresh `<root>/<app>/<timestamp>-<name>` (a `-2`, `-3`... suffix if it exists already). */
  static create(options: RunDirOptions): RunDir {
    const safe = options.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
    const base = join(resolve(options.root ?? defaultRunsRoot()), options.app, `${runTimestamp(options.now ?? new Date())}-${safe}`);
    let path = base;
    for (let k = 2; existsSync(path); k++) path = `${base}-${k}`;
    mkdirSync(path, { recursive: true });
    return new RunDir(path);
  }

  /** Uses an existing directory as a run directory. */
  static at(path: string): RunDir {
    mkdirSync(path, { recursive: true });
    return new RunDir(resolve(path));
  }

  /** The absolute path of a file or folder in the run directory. */
  file(...parts: string[]): string {
    return join(this.path, ...parts);
  }

  /** A sub-directory (created), e.g. one fit of a cross-validation. */
  sub(...parts: string[]): RunDir {
    return RunDir.at(this.file(...parts));
  }

  /** Writes `value` as indented JSON (NaN and Infinity become null); returns the path. */
  writeJson(name: string, value: unknown): string {
    const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
    return this.writeText(name, `${text}\n`);
  }

  /** Writes `value` as YAML after a `#` comment header (each line of `comment` commented); returns the path. */
  writeYaml(name: string, value: unknown, comment: string): string {
    const header = comment.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n');
    return this.writeText(name, `${header}\n${stringifyYaml(value)}`);
  }

  /** Writes a text file; returns the path. */
  writeText(name: string, text: string): string {
    const path = this.file(name);
    writeFileSync(path, text);
    return path;
  }
}
