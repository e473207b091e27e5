// groupByLength: training batches of similar sentence length (Hugging Face's group_by_length). The config's
// megabatch size and the sentences' lengths reach the batch plan, a bad value is a config error, and a grouped
// run reproduces its metrics.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSentimentConfig, trainSentiment } from '../src/index.js';
import { trainBatchOptions } from '../src/fit.js';
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

  it('passes the megabatch size and every sentence length to the training batches, and nothing without it', () => {
    const plain = trainBatchOptions(loadSentimentConfig(config({})).config, data, { seed: 1, epoch: 2 });
    expect(plain).toEqual({ batchSize: 8, rows: [0, 2], seed: 1, epoch: 2 });
    const grouped = trainBatchOptions(loadSentimentConfig(config({ groupByLength: 5 })).config, data, { seed: 1, epoch: 2 });
    expect(grouped).toEqual({ ...plain, groupByLength: { lengths: [1, 3, 2], megabatches: 5 } });
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
