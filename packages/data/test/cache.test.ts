import { findDataDir } from '@finmm/core';
import * as arrow from 'apache-arrow';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultCacheRoot, fingerprintSources, loadWithArrowCache, readArrowFile, writeArrowFile } from '../src/index.js';
import { DataError } from '../src/errors.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finmm-cache-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function makeSources(): string {
  const src = path.join(dir, 'src');
  fs.mkdirSync(path.join(src, 'a', 'b'), { recursive: true });
  fs.writeFileSync(path.join(src, 'a', 'one.csv'), 'x\n1\n');
  fs.writeFileSync(path.join(src, 'a', 'b', 'two.csv'), 'x\n2\n');
  return src;
}

function tableOf(values: number[]): arrow.Table {
  return new arrow.Table({ x: arrow.vectorFromArray(values, new arrow.Float64()) });
}

describe('loadWithArrowCache', () => {
  it('builds once, then hits the cache', async () => {
    const src = makeSources();
    let builds = 0;
    const build = async (): Promise<arrow.Table> => {
      builds += 1;
      return tableOf([1, 2, 3]);
    };
    const cacheDir = path.join(dir, 'cache');
    const first = await loadWithArrowCache({ key: 'test/one', sources: [src], cacheDir, build });
    expect(first.fromCache).toBe(false);
    expect(fs.existsSync(first.cacheFile)).toBe(true);
    const second = await loadWithArrowCache({ key: 'test/one', sources: [src], cacheDir, build });
    expect(second.fromCache).toBe(true);
    expect(second.cacheFile).toBe(first.cacheFile);
    expect(builds).toBe(1);
    expect([...second.table.getChild('x')!]).toEqual([1, 2, 3]);
    // no temp files left behind
    expect(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('is invalidated by touching, changing, adding or removing a source file', async () => {
    const src = makeSources();
    const cacheDir = path.join(dir, 'cache');
    let builds = 0;
    const build = async (): Promise<arrow.Table> => tableOf([++builds]);
    const load = () => loadWithArrowCache({ key: 'k', sources: [src], cacheDir, build });
    expect((await load()).fromCache).toBe(false);
    expect((await load()).fromCache).toBe(true);

    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(src, 'a', 'b', 'two.csv'), later, later); // touch
    expect((await load()).fromCache).toBe(false);
    expect((await load()).fromCache).toBe(true);

    fs.writeFileSync(path.join(src, 'a', 'one.csv'), 'x\n1\n3\n'); // change
    expect((await load()).fromCache).toBe(false);
    fs.writeFileSync(path.join(src, 'a', 'three.csv'), 'x\n'); // add
    expect((await load()).fromCache).toBe(false);
    fs.rmSync(path.join(src, 'a', 'three.csv')); // remove
    const result = await load();
    expect(result.fromCache).toBe(false);
    expect([...result.table.getChild('x')!]).toEqual([builds]);
    expect((await load()).fromCache).toBe(true);
  });

  it('rebuilds a corrupt or truncated cache file instead of trusting it', async () => {
    const src = makeSources();
    const cacheDir = path.join(dir, 'cache');
    let builds = 0;
    const build = async (): Promise<arrow.Table> => {
      builds += 1;
      return tableOf([1, 2, 3, 4, 5, 6, 7, 8]);
    };
    const load = () => loadWithArrowCache({ key: 'k', sources: [src], cacheDir, build });
    const { cacheFile } = await load();
    const good = fs.readFileSync(cacheFile);

    const corruptions: Array<(b: Buffer) => Buffer> = [
      (b) => b.subarray(0, b.length >> 1), // truncated
      () => Buffer.alloc(0), // empty
      () => Buffer.from('not arrow at all'), // garbage
      (b) => {
        const c = Buffer.from(b);
        c[c.length >> 1] = (c[c.length >> 1]! ^ 0xff) & 0xff; // one flipped byte
        return c;
      },
    ];
    for (const corrupt of corruptions) {
      fs.writeFileSync(cacheFile, corrupt(good));
      const before = builds;
      const result = await load();
      expect(result.fromCache).toBe(false);
      expect(builds).toBe(before + 1);
      expect([...result.table.getChild('x')!]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect((await load()).fromCache).toBe(true);
    }
    fs.rmSync(`${cacheFile}.json`); // lost sidecar
    expect((await load()).fromCache).toBe(false);
  });

  it('keeps different keys apart and accepts single files as sources', async () => {
    const src = makeSources();
    const file = path.join(src, 'a', 'one.csv');
    const cacheDir = path.join(dir, 'cache');
    const a = await loadWithArrowCache({ key: 'a', sources: [file], cacheDir, build: async () => tableOf([1]) });
    const b = await loadWithArrowCache({ key: 'b', sources: [file], cacheDir, build: async () => tableOf([2]) });
    expect(a.cacheFile).not.toBe(b.cacheFile);
    const a2 = await loadWithArrowCache({ key: 'a', sources: [file], cacheDir, build: async () => tableOf([9]) });
    expect(a2.fromCache).toBe(true);
    expect([...a2.table.getChild('x')!]).toEqual([1]);
  });

  it('uses FINMM_CACHE_DIR, else the repository node_modules/.cache', () => {
    expect(defaultCacheRoot({ FINMM_CACHE_DIR: '/x/y' })).toBe('/x/y');
    const root = defaultCacheRoot({});
    expect(root.endsWith(path.join('node_modules', '.cache', 'finmm'))).toBe(true);
    expect(fs.existsSync(path.join(root, '..', '..', '..', 'package.json'))).toBe(true);
  });
});

describe('fingerprintSources', () => {
  it('lists many small files quickly (StockNet tweets when present, else 5,000 files)', () => {
    const dataDir = findDataDir()?.dir;
    let src = dataDir === undefined ? '' : path.join(dataDir, 'stocknet', 'tweet', 'preprocessed');
    if (!fs.existsSync(src)) {
      src = path.join(dir, 'many');
      for (let d = 0; d < 10; d++) {
        fs.mkdirSync(path.join(src, `d${d}`), { recursive: true });
        for (let f = 0; f < 500; f++) fs.writeFileSync(path.join(src, `d${d}`, `f${f}`), '');
      }
    }
    fingerprintSources([src]); // warm the OS caches
    const start = performance.now();
    const fp = fingerprintSources([src]);
    const ms = performance.now() - start;
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintSources([src])).toBe(fp);
    expect(ms).toBeLessThan(3000); // ~120-250 ms for StockNet's 25,711 files on an idle machine; loose for busy CI
  });
});

describe('readArrowFile / writeArrowFile', () => {
  it('round-trips a table and names the file when it is not Arrow', async () => {
    const file = path.join(dir, 'sub', 't.arrow');
    await writeArrowFile(file, tableOf([1.5, -2]));
    expect([...(await readArrowFile(file)).getChild('x')!]).toEqual([1.5, -2]);
    fs.writeFileSync(file, '{"not": "arrow"}\n');
    await expect(readArrowFile(file)).rejects.toThrow(DataError);
    await expect(readArrowFile(file)).rejects.toThrow(file);
    await expect(readArrowFile(path.join(dir, 'missing.arrow'))).rejects.toThrow(/missing\.arrow: cannot read/);
  });
});
