// train -> evaluate -> predict on a slice of the real StockNet (3 tickers, 2 epochs): the run directory, honest
// splits and scalers, evaluate reproducing the run's test metrics, and predict's output and error lines.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDataset } from '@finmm/core';
import { configHeaderProblem, runAppCli } from '@finmm/finance-tasks';
import { FeatureScaler } from '@finmm/encoders-timeseries';
import { evaluateStock, loadStockData, predictStock, sampleInputs, splitRows, stockCli, trainStock, type StockModelInfo, type TrainOutcome } from '../src/index.js';
import { lines, readJson, readJsonl, tempDir, writeConfig } from './helpers.js';

const dir = tempDir('e2e');
const runs = path.join(dir, 'runs');
const stocknet = requireDataset('stocknet');
const TICKERS = ['AAPL', 'JPM', 'XOM'];
const config = writeConfig(dir, 'slice.yaml', {
  name: 'slice',
  data: { source: 'stocknet', tickers: TICKERS },
  inputs: {
    tweets: { encoder: { type: 'text/embedding-bag', dim: 8 }, maxTokens: 64, buckets: 1024, ngrams: 2, ngramBuckets: 1024 },
    prices: { encoder: { type: 'timeseries/alstm', units: 4 }, days: 5 },
    chart: { encoder: { type: 'vision/jkx-cnn', baseChannels: 2, blocks: 2, batchNorm: false, dropout: 0, outDim: 8 }, days: 20, height: 16 },
    market: { encoder: { type: 'tabular/mlp', hidden: [8], outDim: 8 }, days: 5 },
  },
  model: { fusion: { type: 'fusion/concat', hidden: [], outDim: 8 } },
  seeds: [1],
  batchSize: 64,
  trainer: { epochs: 2, optimizer: { type: 'adamw', lr: 0.003 }, earlyStopping: { metric: 'loss', patience: 2 } },
  bootstrap: { resamples: 300, seed: 5 },
  progress: 'none',
});

let run: TrainOutcome;
let model: string;
beforeAll(async () => {
  run = await trainStock({ config, set: [], runs }, lines().print);
  model = run.models[0] as string;
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('stock train', () => {
  it('writes the resolved config, data fingerprint, seeds, metrics log, reports and the model', () => {
    expect(path.relative(runs, run.runDir)).toMatch(/^stock[/\\]\d{8}-\d{6}-slice$/);
    const resolved = path.join(run.runDir, 'config.yaml');
    expect(configHeaderProblem(resolved, fs.readFileSync(resolved, 'utf8'))).toBeNull();
    const data = readJson<{ files: Array<{ name: string; sha256: string }>; counts: Record<string, { samples: number; days: number }>; marketTickers: number; official: boolean }>(path.join(run.runDir, 'data.json'));
    const sha = createHash('sha256').update(fs.readFileSync(path.join(stocknet, 'price', 'raw', 'AAPL.csv'))).digest('hex');
    expect(data.files.find((f) => f.name === 'AAPL.csv')?.sha256).toBe(sha);
    const tweetFiles = TICKERS.reduce((n, t) => n + fs.readdirSync(path.join(stocknet, 'tweet', 'preprocessed', t)).length, 0);
    expect(data.files.map((f) => f.name)).toEqual(expect.arrayContaining(['AAPL.txt', 'XOM.txt', `tweets (${tweetFiles} files of 3 tickers)`]));
    expect(data.marketTickers).toBe(88); // the market context averages every ticker, not only the three trained on
    expect(data.official).toBe(false);
    expect(data.counts['test']!.days).toBeGreaterThan(50); // of the 64 trading days of the test split
    const seedDir = path.join(run.runDir, 'seeds', 'seed1');
    expect(readJsonl(path.join(seedDir, 'train', 'metrics.jsonl')).filter((r) => r['type'] === 'eval')).toHaveLength(2);
    for (const file of ['config.json', 'model.safetensors', 'preprocessing.json', 'stock.json']) expect(fs.existsSync(path.join(seedDir, 'model', file))).toBe(true);
    expect(fs.existsSync(path.join(seedDir, 'train', 'checkpoints'))).toBe(false);
    const csv = fs.readFileSync(path.join(seedDir, 'test-predictions.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('ticker,date,label,p_up');
    expect(csv).toHaveLength(data.counts['test']!.samples + 1);
    const summary = fs.readFileSync(path.join(run.runDir, 'summary.md'), 'utf8');
    for (const part of ['| model, seed 1 | 0.', "market rule: previous market day's average move (no training)", 'majority class of train', '## Model minus market rule (paired: the same resampled days)', '300 day-clustered bootstrap resamples']) {
      expect(summary).toContain(part);
    }
    expect(summary).not.toContain('published'); // three tickers are not StockNet's protocol
    const evaluation = fs.readFileSync(path.join(seedDir, 'evaluation.md'), 'utf8');
    expect(evaluation).toContain('| model − market rule (paired) | ');
    expect(evaluation).toContain('ROC-AUC');
  });

  it('trains on the training dates, chooses epochs on validation, fits the scalers on training rows only', async () => {
    const info = readJson<StockModelInfo>(path.join(model, 'stock.json'));
    expect(info.training.keptEpoch).toBeGreaterThanOrEqual(1);
    expect(info.metrics['test']?.['accuracy']).toBe(run.summary.seeds[0]?.test.metrics.accuracy);
    const data = await loadStockData(info.data.config);
    const train = splitRows(data.samples, 'train');
    const lastTrain = train.map((r) => data.samples.date[r] as string).sort().at(-1) as string;
    const firstTest = splitRows(data.samples, 'test').map((r) => data.samples.date[r] as string).sort()[0] as string;
    expect(lastTrain < '2015-08-01' && firstTest >= '2015-10-01').toBe(true);
    const saved = readJson<{ prices: { mean: number[] }; market: { mean: number[]; std: number[] } }>(path.join(model, 'preprocessing.json'));
    expect(saved.prices.mean).toEqual(sampleInputs(data, { inputs: info.inputs }).preprocessing.prices?.mean);
    // fitted on all rows, the market scaler would differ: the saved one saw the training rows only
    const { inputs } = sampleInputs(data, { inputs: info.inputs });
    const all = inputs.fit(data.samples.ticker.map((_, i) => i));
    expect(all.market?.mean).not.toEqual(saved.market.mean);
    expect(FeatureScaler.fromJSON(saved.market).names[0]).toBe('market_move_1');
  });

  it('evaluate reproduces the test metrics of the run from the saved model', async () => {
    const out = lines();
    const evaluated = await evaluateStock({ model, split: 'test', runs }, out.print);
    const seed = run.summary.seeds[0]!;
    expect(evaluated.evaluation.metrics.accuracy).toBe(seed.test.metrics.accuracy);
    expect(evaluated.evaluation.metrics.mcc).toBe(seed.test.metrics.mcc);
    expect(evaluated.evaluation.bootstrap.metrics['market_rule']).toEqual(seed.test.bootstrap.metrics['market_rule']);
    expect(out.all[0]).toMatch(/^stock: test \(\d+ samples on \d+ days, held-out test split.*\): accuracy 0\.\d{4}, MCC -?0\.\d{4}/);
    expect(fs.existsSync(path.join(evaluated.runDir, 'evaluation.md'))).toBe(true);
    const validation = await evaluateStock({ model, split: 'validation', runs }, lines().print);
    expect(validation.evaluation.metrics.accuracy).toBeCloseTo(readJson<StockModelInfo>(path.join(model, 'stock.json')).metrics['validation']?.['accuracy'] ?? -1, 10);
  });

  it('predict scores good records as the run did, and writes an error line for each bad one', async () => {
    const csv = fs.readFileSync(path.join(run.runDir, 'seeds', 'seed1', 'test-predictions.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const [ticker, date, , pUp] = csv[7] as string[];
    const input = path.join(dir, 'targets.jsonl');
    fs.writeFileSync(
      input,
      [
        JSON.stringify({ ticker, date }),
        'not json',
        JSON.stringify({ ticker: 'NOPE', date: '2015-10-05' }),
        JSON.stringify({ ticker: 'AAPL', date: '2015-02-30' }),
        JSON.stringify({ ticker: 'AAPL', date: '2030-01-02' }),
        JSON.stringify({ date: '2015-10-05', tweets: 'not a list' }),
        '',
        JSON.stringify({ ticker: 'JPM', date: '2014-06-02', tweets: ['$jpm beats estimates', 'bullish on banks'] }),
      ].join('\n'),
    );
    const output = path.join(dir, 'out', 'predictions.jsonl');
    const outcome = await predictStock({ model, input, output }, lines().print);
    expect(outcome).toEqual({ records: 7, predicted: 2, errors: 5 });
    const out = readJsonl(output);
    expect(out.map((r) => r['line'])).toEqual([1, 2, 3, 4, 5, 6, 8]);
    const first = out[0] as { probabilities: { up: number; down: number }; prediction: string; split: string; inputs: { chart: boolean; market: boolean; priceDays: number } };
    expect(first.probabilities.up).toBeCloseTo(Number(pUp), 5); // the same inputs as at training time, tweets read from the folder
    expect(first.probabilities.up + first.probabilities.down).toBeCloseTo(1, 6);
    expect(first.prediction).toBe(first.probabilities.up >= 0.5 ? 'up' : 'down');
    expect(first).toMatchObject({ split: 'test', inputs: { chart: true, market: true, priceDays: 5 } });
    expect(out[1]!['error']).toMatch(/^not valid JSON/);
    expect(out[2]!['error']).toMatch(/field "ticker": unknown ticker "NOPE"; the model's price data has 88 tickers/);
    expect(out[3]!['error']).toBe('field "date": expected a date YYYY-MM-DD, got "2015-02-30"');
    expect(out[4]!['error']).toMatch(/the last price of AAPL before 2030-01-02 is from 2017-09-01, \d+ days earlier \(at most 10\)/);
    expect(out[5]!['error']).toBe('field "ticker" is missing; field "tweets": expected a list of message texts (newest first)');
    expect(out[6]).toMatchObject({ ticker: 'JPM', date: '2014-06-02', split: 'train', warnings: ['the date is in the training split: the model was trained on it'] });
    expect((out[6] as { inputs: { tweetIds: number } }).inputs.tweetIds).toBeGreaterThan(5);
    // CSV input, with a record of the wrong width
    const csvInput = path.join(dir, 'targets.csv');
    fs.writeFileSync(csvInput, `ticker,date\n${ticker},${date}\nXOM\n`);
    const csvOut = path.join(dir, 'out', 'predictions-csv.jsonl');
    await predictStock({ model, input: csvInput, output: csvOut }, lines().print);
    const fromCsv = readJsonl(csvOut);
    expect((fromCsv[0] as { probabilities: { up: number } }).probabilities.up).toBe(first.probabilities.up);
    expect(fromCsv[1]).toEqual({ line: 3, error: 'expected 2 fields (as the header), got 1' });
  });

  it('a rerun of the same config and seed gives the same predictions', async () => {
    const again = await trainStock({ config, set: [], runs }, lines().print);
    const read = (runDir: string): string => fs.readFileSync(path.join(runDir, 'seeds', 'seed1', 'test-predictions.csv'), 'utf8');
    expect(read(again.runDir)).toBe(read(run.runDir));
    expect(again.summary.overSeeds).toEqual(run.summary.overSeeds);
  }, 60_000);

  it('the command line gives help, and one error line with a non-zero exit on failure', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    expect(await runAppCli(stockCli(io), ['train', '--help'], io)).toBe(0);
    expect(out.join('')).toContain('--set <key=value>');
    out.length = 0;
    expect(await runAppCli(stockCli(io), ['evaluate', '--model', path.join(dir, 'missing')], io)).toBe(1);
    expect(out.join('')).toMatch(/^stock: error: model directory .*missing does not exist\n$/);
    out.length = 0;
    expect(await runAppCli(stockCli(io), ['train', '--config', config, '--set', 'inputs.tweets.maxTokens=-1'], io)).toBe(1);
    expect(out.join('')).toMatch(/^stock: error: .*slice\.yaml \(with --set inputs\.tweets\.maxTokens=-1\): config field "inputs\.tweets\.maxTokens": /);
  });
});
