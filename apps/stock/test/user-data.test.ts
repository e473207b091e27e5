// Training on your own data: a folder of Yahoo price CSVs and StockNet-layout tweet files with the date splits in
// the config; predictions read the folder's tweets; bad price rows fail with file, line and field (or are
// skipped and counted in lenient mode).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictStock, trainStock, type TrainOutcome } from '../src/index.js';
import { lines, readJson, readJsonl, syntheticMarket, tempDir, writeConfig } from './helpers.js';

const dir = tempDir('user-data');
const runs = path.join(dir, 'runs');
const TICKERS = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'];
const { prices, tweets } = syntheticMarket(dir, TICKERS, 240, 3);
const base = {
  name: 'mine',
  data: {
    source: 'folder',
    prices: path.relative(process.cwd(), prices),
    tweets,
    splits: { train: { from: '2019-02-01', to: '2019-07-01' }, validation: { from: '2019-07-01', to: '2019-09-01' }, test: { from: '2019-09-01', to: '2019-12-01' } },
    tickers: ['AAA', 'BBB', 'CCC'],
  },
  inputs: {
    tweets: { encoder: { type: 'text/embedding-bag', dim: 4 }, maxTokens: 32, buckets: 256, ngrams: 1, ngramBuckets: 1 },
    prices: { encoder: { type: 'timeseries/lstm', hidden: 4 }, days: 5, features: ['return', 'range', 'volumeZ'] },
    chart: { encoder: { type: 'vision/jkx-cnn', baseChannels: 2, blocks: 1, batchNorm: false, dropout: 0, outDim: 4 }, days: 10, height: 12 },
    market: { encoder: { type: 'tabular/mlp', hidden: [], outDim: 4 }, days: 3 },
  },
  seeds: [4],
  batchSize: 32,
  trainer: { epochs: 2, optimizer: { type: 'adamw', lr: 0.01 } },
  bootstrap: { resamples: 100 },
  progress: 'none',
};

let run: TrainOutcome;
beforeAll(async () => {
  run = await trainStock({ config: writeConfig(dir, 'mine.yaml', base), set: [], runs }, lines().print);
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a folder of your own price CSVs and tweets', () => {
  it('trains with the config splits, a market context over every file, and a data fingerprint', () => {
    const data = readJson<{ name: string; official: boolean; counts: Record<string, { samples: number; tickers: number }>; marketTickers: number; files: Array<{ name: string }> }>(path.join(run.runDir, 'data.json'));
    expect(data).toMatchObject({ name: 'prices', official: false, marketTickers: 5 });
    expect(data.counts['train']!.tickers).toBe(3);
    for (const split of ['train', 'validation', 'test']) expect(data.counts[split]!.samples).toBeGreaterThan(20);
    expect(data.files.map((f) => f.name)).toEqual(['AAA.csv', 'BBB.csv', 'CCC.csv', 'DDD.csv', 'EEE.csv', expect.stringMatching(/^tweets \(\d+ files of 3 tickers\)$/)]);
    const resolved = fs.readFileSync(path.join(run.runDir, 'config.yaml'), 'utf8');
    expect(resolved).toContain(`prices: ${prices}`); // made absolute
    expect(run.summary.seeds[0]?.test.samples).toBe(data.counts['test']!.samples);
  });

  it('predicts a test target as the run scored it, with the tweets read from the folder', async () => {
    const row = fs.readFileSync(path.join(run.runDir, 'seeds', 'seed4', 'test-predictions.csv'), 'utf8').trim().split('\n')[5]!.split(',');
    const input = path.join(dir, 'in.jsonl');
    fs.writeFileSync(input, `${JSON.stringify({ ticker: row[0], date: row[1] })}\n${JSON.stringify({ ticker: 'DDD', date: row[1] })}\n`);
    const output = path.join(dir, 'out.jsonl');
    await predictStock({ model: run.models[0] as string, input, output }, lines().print);
    const [first, second] = readJsonl(output) as Array<{ probabilities: { up: number }; inputs: { tweetIds: number; chart: boolean } }>;
    expect(first!.probabilities.up).toBeCloseTo(Number(row[3]), 5);
    expect(second!.inputs.chart).toBe(true); // a ticker outside the trained ones is still in the price data
  });

  it('fails on a bad price row naming the file, line and field; lenient mode skips and counts it', async () => {
    const file = path.join(prices, 'EEE.csv');
    const text = fs.readFileSync(file, 'utf8').split('\n');
    text[9] = text[9]!.replace(/^([^,]+),[^,]+,/, '$1,n/a,');
    fs.writeFileSync(file, text.join('\n'));
    const strict = writeConfig(dir, 'strict.yaml', base);
    await expect(trainStock({ config: strict, set: [], runs }, lines().print)).rejects.toThrow(/EEE\.csv:10 field "Open": expected a number, got "n\/a"/);
    const lenient = writeConfig(dir, 'lenient.yaml', { ...base, data: { ...base.data, lenient: true }, inputs: { market: base.inputs.market }, trainer: { epochs: 1 } });
    const again = await trainStock({ config: lenient, set: [], runs }, lines().print);
    expect(readJson<{ skipped: { total: number } }>(path.join(again.runDir, 'data.json')).skipped.total).toBe(1);
  });
});
