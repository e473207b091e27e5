// An Arrow IPC cache of parsed sources: a second load of unchanged sources skips parsing.
import type * as arrow from 'apache-arrow';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromArrowBytes, tableToArrowFileBytes, writeFileAtomic } from './arrow-io.js';

/** What `loadWithArrowCache` needs: a cache key, the sources whose change invalidates it, and how to build. */
export interface ArrowCacheOptions {
  /** Names the cached table, e.g. `stocknet/tweets-v1`; bump it when the build logic changes. */
  key: string;
  /** Files or directories (listed recursively) whose paths, sizes and mtimes fingerprint the cache. */
  sources: string[];
  /** Default `${FINMM_CACHE_DIR or <repo>/node_modules/.cache/finmm or ~/.cache/finmm}/arrow`. */
  cacheDir?: string;
  /** Parses the sources; called only when the cache is missing, stale or corrupt. */
  build: () => Promise<arrow.Table>;
}

/** The loaded table, whether it came from the cache, and the cache file's path. */
export interface ArrowCacheResult {
  table: arrow.Table;
  fromCache: boolean;
  cacheFile: string;
}

/** Sidecar written next to each cache file: what it was built from and a checksum of its bytes. */
interface CacheMeta {
  version: 1;
  key: string;
  fingerprint: string;
  sha256: string;
  bytes: number;
  rows: number;
}

function findRepoRoot(start: string): string | null {
  let dir = path.resolve(start);
  let nearestWithModules: string | null = null;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'node_modules'))) {
      nearestWithModules ??= dir;
      try {
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { workspaces?: unknown };
        if (pkg.workspaces !== undefined) return dir; // the monorepo root wins over a package's own node_modules
      } catch {
        // no or unreadable package.json: keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return nearestWithModules;
    dir = parent;
  }
}

/** The default cache root: FINMM_CACHE_DIR, else `<repo>/node_modules/.cache/finmm`, else `~/.cache/finmm`. */
export function defaultCacheRoot(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const fromEnv = env['FINMM_CACHE_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(cwd, fromEnv);
  const repo = findRepoRoot(cwd);
  if (repo !== null) return path.join(repo, 'node_modules', '.cache', 'finmm');
  return path.join(os.homedir(), '.cache', 'finmm');
}

/** Fingerprint (sha256 hex) of the sources: every file's absolute path, size and mtime, listed recursively. */
export function fingerprintSources(sources: readonly string[]): string {
  const entries: string[] = [];
  for (const source of sources) {
    const root = path.resolve(source);
    const stat = fs.statSync(root, { throwIfNoEntry: false });
    if (stat === undefined) {
      entries.push(`${root}\tmissing`);
    } else if (stat.isDirectory()) {
      entries.push(`${root}\tdir`);
      for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
        if (entry.isDirectory()) continue;
        const file = path.join(entry.parentPath, entry.name);
        const s = fs.statSync(file, { throwIfNoEntry: false }); // follows links; a dangling one counts as missing
        entries.push(s === undefined ? `${file}\tmissing` : `${file}\t${s.size}\t${s.mtimeMs}`);
      }
    } else {
      entries.push(`${root}\t${stat.size}\t${stat.mtimeMs}`);
    }
  }
  entries.sort();
  return createHash('sha256').update(entries.join('\n')).digest('hex');
}

function cacheFileFor(cacheDir: string, key: string): string {
  const readable = key.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
  return path.join(cacheDir, `${readable}-${hash}.arrow`);
}

async function readMeta(metaFile: string): Promise<CacheMeta | null> {
  try {
    const meta = JSON.parse(await fs.promises.readFile(metaFile, 'utf8')) as Partial<CacheMeta>;
    if (meta.version !== 1 || typeof meta.fingerprint !== 'string' || typeof meta.sha256 !== 'string') return null;
    return meta as CacheMeta;
  } catch {
    return null;
  }
}

async function tryReadCache(cacheFile: string, key: string, fingerprint: string): Promise<arrow.Table | null> {
  const meta = await readMeta(`${cacheFile}.json`);
  if (meta === null || meta.key !== key || meta.fingerprint !== fingerprint) return null;
  let bytes: Uint8Array;
  try {
    bytes = await fs.promises.readFile(cacheFile);
  } catch {
    return null;
  }
  if (bytes.length !== meta.bytes || createHash('sha256').update(bytes).digest('hex') !== meta.sha256) return null;
  try {
    const table = tableFromArrowBytes(bytes, cacheFile);
    return table.numRows === meta.rows ? table : null;
  } catch {
    return null; // corrupt: rebuilt by the caller, never trusted
  }
}

/**
 * Loads a table from the Arrow cache when its sources are unchanged, else builds it and writes the cache
 * atomically; a missing, stale or corrupt cache file is rebuilt.
 */
export async function loadWithArrowCache(options: ArrowCacheOptions): Promise<ArrowCacheResult> {
  if (options.key === '') throw new Error('loadWithArrowCache: key must not be empty');
  const cacheDir = options.cacheDir ?? path.join(defaultCacheRoot(), 'arrow');
  const cacheFile = cacheFileFor(cacheDir, options.key);
  const fingerprint = fingerprintSources(options.sources);
  const cached = await tryReadCache(cacheFile, options.key, fingerprint);
  if (cached !== null) return { table: cached, fromCache: true, cacheFile };

  const table = await options.build();
  const bytes = tableToArrowFileBytes(table);
  const meta: CacheMeta = {
    version: 1,
    key: options.key,
    fingerprint,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.length,
    rows: table.numRows,
  };
  // Data first, then the sidecar: a crash in between leaves a sidecar that does not match, so it is rebuilt.
  await fs.promises.rm(`${cacheFile}.json`, { force: true });
  await writeFileAtomic(cacheFile, bytes);
  await writeFileAtomic(`${cacheFile}.json`, `${JSON.stringify(meta, null, 2)}\n`);
  return { table, fromCache: false, cacheFile };
}
