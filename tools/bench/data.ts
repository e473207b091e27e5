// Benchmarks loading all of StockNet (25,711 tweet files + 88 price files) into aligned samples: the cold load
// (Arrow cache removed first) and the warm load from the Arrow cache, median of 3 each.
// Run: `npm run bench:data` (node tools/run-ts.mjs tools/bench/data.ts). Writes runs/bench/data-<time>.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStockNet } from '@finmm/finance-tasks';

const REPEATS = 3;
const GOAL_MS = { cold: 10_000, warm: 1_000 };

/** The median of a non-empty list. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Times one StockNet load into `cacheDir`; checks it came from (or bypassed) the cache as expected. */
async function timeLoad(cacheDir: string, expectCache: boolean): Promise<{ ms: number; rows: number }> {
  const start = performance.now();
  const { table, fromCache } = await loadStockNet({ cacheDir });
  const ms = performance.now() - start;
  if (fromCache !== expectCache) throw new Error(`expected a ${expectCache ? 'warm' : 'cold'} load, got fromCache=${fromCache}`);
  return { ms, rows: table.numRows };
}

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'finmm-bench-data-'));
try {
  const cold: number[] = [];
  const warm: number[] = [];
  let rows = 0;
  let cacheBytes = 0;
  for (let i = 0; i < REPEATS; i++) {
    fs.rmSync(cacheDir, { recursive: true, force: true }); // cold: no cache file
    const c = await timeLoad(cacheDir, false);
    cold.push(c.ms);
    rows = c.rows;
  }
  for (let i = 0; i < REPEATS; i++) warm.push((await timeLoad(cacheDir, true)).ms);
  for (const f of fs.readdirSync(cacheDir)) if (f.endsWith('.arrow')) cacheBytes += fs.statSync(path.join(cacheDir, f)).size;

  const result = {
    bench: 'data/stocknet',
    when: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${os.platform()} ${os.arch()}` },
    samples: rows,
    cacheBytes,
    coldMs: { median: median(cold), runs: cold },
    warmMs: { median: median(warm), runs: warm },
    goalMs: GOAL_MS,
    meetsGoal: median(cold) < GOAL_MS.cold && median(warm) < GOAL_MS.warm,
  };
  const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  console.log(`StockNet, ${rows} samples (Arrow cache ${(cacheBytes / 2 ** 20).toFixed(1)} MiB), ${os.cpus().length} CPUs`);
  console.log(`  cold (no cache): median ${fmt(result.coldMs.median)}  runs ${cold.map(fmt).join(', ')}  goal < ${fmt(GOAL_MS.cold)}`);
  console.log(`  warm (cache):    median ${fmt(result.warmMs.median)}  runs ${warm.map(fmt).join(', ')}  goal < ${fmt(GOAL_MS.warm)}`);
  const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'runs', 'bench');
  fs.mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, `data-${result.when.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`  written to ${path.relative(process.cwd(), outFile)}`);
  if (!result.meetsGoal) process.exitCode = 1;
} finally {
  fs.rmSync(cacheDir, { recursive: true, force: true });
}
