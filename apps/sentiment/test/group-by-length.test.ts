// groupByLength: training batches of similar length (Hugging Face's group_by_length). The config's megabatch size
// and the rows' lengths (the primary branch's ids, or the TF-IDF non-zeros) reach the batch plan, a bad value is a
// config error, and a grouped run reproduces its metrics.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSentimentConfig, trainSentiment } from '../src/index.js';
import { lengthGrouping, trainBatchOptions } from '../src/fit.js';
import type { EncodedText } from '../src/text-features.js';
import type { SentimentData } from '../src/data.js';
import { lines, syntheticReviews, tempDir, writeConfig, writeCsv } from './helpers.js';

const dir = tempDir('group-by-length');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const reviews = syntheticReviews(120, 4).map((r, i) => ({ ...r, part: i < 80 ? 'train' : i < 100 ? 'validation' : 'test' }));
const csv = writeCsv(path.join(dir, 'reviews.csv'), reviews);
const config = (extra: Record<string, unknown>): string =>
  writeConfig(dir, `grouped-${Object.keys(extra).join('-') || 'plain'}.yaml`, {
    name: 'grouped',
    data: { source: 'file', path: csv, text: 'review', label: 'mood', split: { by: 'column', column: 'part' } },
    seeds: [3],
    model: { tfidf: { dim: 8 }, fusion: { type: 'fusion/concat', outDim: 16 } },
    batchSize: 8,
    trainer: { epochs: 3, optimizer: { type: 'adamw', lr: 0.02 } },
    progress: 'none',
    ...extra,
  });

describe('sentiment groupByLength', () => {
  const data = { texts: ['a', 'bbb', 'cc'], split: { train: [0, 2], validation: [1], test: [] } } as unknown as SentimentData;
  const plainConfig = loadSentimentConfig(config({})).config;
  const groupedConfig = loadSentimentConfig(config({ groupByLength: 5 })).config;

  it('sorts by the primary ids (the transformer tokens), by the TF-IDF non-zeros for that branch alone, and only training rows', () => {
    const encoded: Record<number, EncodedText> = {
      0: { ids: [1, 2, 3, 4], ngramIds: [9] },
      1: { ids: [1] },
      2: { ids: [], tfidf: { indices: [3, 7], values: [0.5, 0.5] } },
    };
    const seen: number[] = [];
    const encode = (row: number, text: string): EncodedText => {
      expect(text).toBe(data.texts[row]);
      seen.push(row);
      return encoded[row] as EncodedText;
    };
    expect(lengthGrouping(plainConfig, data, encode)).toBeNull();
    expect(lengthGrouping(groupedConfig, data, encode)).toEqual({ lengths: [4, 0, 2], megabatches: 5 });
    expect(seen).toEqual([0, 2]); // the validation row is never encoded for grouping
  });

  it('passes the grouping to the training batches, and nothing without it', () => {
    const plain = trainBatchOptions(plainConfig, data, { seed: 1, epoch: 2 }, null);
    expect(plain).toEqual({ batchSize: 8, rows: [0, 2], seed: 1, epoch: 2 });
    const grouping = { lengths: [4, 0, 2], megabatches: 5 };
    expect(trainBatchOptions(groupedConfig, data, { seed: 1, epoch: 2 }, grouping)).toEqual({ ...plain, groupByLength: grouping });
  });

  it('refuses a megabatch size that is not a positive integer, naming the field', () => {
    expect(() => loadSentimentConfig(config({ groupByLength: 0 }))).toThrow(/groupByLength/);
    expect(() => loadSentimentConfig(config({ groupByLength: 2.5 }))).toThrow(/groupByLength/);
  });

  it('trains with grouped batches and gives the same metrics when rerun', async () => {
    const file = config({ groupByLength: 2 });
    const runs = path.join(dir, 'runs');
    const [first, second] = [await trainSentiment({ config: file, set: [], runs }, lines().print), await trainSentiment({ config: file, set: [], runs }, lines().print)];
    const metrics = (o: typeof first) => o.summary.seeds.map((s) => [s.epochs, s.validation, s.test]);
    expect(metrics(second)).toEqual(metrics(first));
    expect(first.summary.seeds[0]?.test.accuracy).toBeGreaterThan(0);
  }, 60_000);
});
