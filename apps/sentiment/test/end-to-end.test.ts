// train -> evaluate -> predict on a slice of the real Financial PhraseBank (FinBERT split): the run directory,
// honest splits (tokenizer fitted on the training rows only), predict's output and error lines, and that a rerun
// with the same config and seed gives the same metrics.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDataset } from '@finmm/core';
import { configHeaderProblem } from '@finmm/finance-tasks';
import { evaluateSentiment, loadSentimentData, predictSentiment, trainSentiment, type SentimentModelInfo, type TrainOutcome } from '../src/index.js';
import { trainSentimentTokenizer } from '../src/text-features.js';
import { lines, readJson, readJsonl, tempDir, writeConfig } from './helpers.js';

const dir = tempDir('e2e');
const runs = path.join(dir, 'runs');
const phrasebank = requireDataset('financial-phrasebank');
const config = writeConfig(dir, 'slice.yaml', {
  name: 'slice',
  data: { source: 'phrasebank', limit: 300 },
  seeds: [5],
  model: {
    ngram: { n: 2, buckets: 4000, dim: 16, maxLength: 96 },
    transformer: null,
    tokenizer: { vocabSize: 1500, minFrequency: 2 },
    fusion: { type: 'fusion/concat', outDim: 16 },
  },
  trainer: { epochs: 6, optimizer: { type: 'adamw', lr: 0.02 }, earlyStopping: { metric: 'sentiment.f1_macro', mode: 'max', patience: 3 } },
  progress: 'none',
});

let first: TrainOutcome;
beforeAll(async () => {
  first = await trainSentiment({ config, set: [], runs }, lines().print);
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const fit = (): string => path.dirname(first.models[0] as string);

describe('sentiment train on a PhraseBank slice', () => {
  it('writes the resolved config, data fingerprint, seeds, metrics log, reports, test predictions and the model', () => {
    const run = first.runDir;
    expect(path.relative(runs, run)).toMatch(/^sentiment[/\\]\d{8}-\d{6}-slice$/);
    const resolved = fs.readFileSync(path.join(run, 'config.yaml'), 'utf8');
    expect(configHeaderProblem(path.join(run, 'config.yaml'), resolved)).toBeNull();
    const data = readJson(path.join(run, 'data.json')) as { files: Array<{ name: string; sha256: string }>; rows: number; parts: Record<string, { rows: number; classes: Record<string, number> }> };
    const file = path.join(phrasebank, 'FinancialPhraseBank-v1.0', 'Sentences_50Agree.txt');
    expect(data.files.find((f) => f.name === 'Sentences_50Agree.txt')?.sha256).toBe(createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
    expect(data.files.map((f) => f.name)).toContain('split_50agree_finbert.json');
    expect(data.rows).toBe(4846);
    expect(data.parts['train']?.rows).toBe(300);
    // an evenly spaced slice keeps every class (the file is sorted by label)
    expect(Object.values(data.parts['train']?.classes ?? {}).every((n) => n >= 20)).toBe(true);
    expect(readJson(path.join(run, 'seeds.json'))['seeds']).toEqual([5]);
    const log = readJsonl(path.join(fit(), 'train', 'metrics.jsonl'));
    expect(log.filter((r) => r['type'] === 'eval').length).toBeGreaterThanOrEqual(3);
    const evaluation = readJson(path.join(fit(), 'evaluation.json')) as { test: { n: number; accuracy: number; macroF1: number; report: { confusion: number[][] } } };
    expect(evaluation.test.n).toBe(300);
    expect(evaluation.test.report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(300);
    expect(evaluation.test.accuracy).toBeGreaterThan(0.5); // above the 0.33 of guessing among three classes
    const markdown = fs.readFileSync(path.join(fit(), 'evaluation.md'), 'utf8');
    for (const part of ['macro-F1', 'precision', '| actual \\ predicted | negative | neutral | positive |', 'validation split (chose the epoch)']) expect(markdown).toContain(part);
    const predictions = fs.readFileSync(path.join(fit(), 'test-predictions.csv'), 'utf8').trim().split('\n');
    expect(predictions[0]).toBe('row,id,label,prediction,p_negative,p_neutral,p_positive');
    expect(predictions).toHaveLength(301);
    const summary = fs.readFileSync(path.join(run, 'summary.md'), 'utf8');
    expect(summary).toMatch(/\| this run, mean ± std over 1 seed \(5\) \| 0\.\d{4} ± 0\.0000 \| 0\.\d{4} ± 0\.0000 \|/);
    expect(summary).not.toContain('FinBERT'); // references are shown beside full-split runs only
    for (const name of ['config.json', 'model.safetensors', 'tokenizer.json', 'sentiment.json']) expect(fs.existsSync(path.join(first.models[0] as string, name))).toBe(true);
    expect(fs.readdirSync(path.join(fit(), 'train')).sort()).toEqual(['config.json', 'metrics.jsonl', 'report.json']); // no duplicate weights
  });

  it('keeps the parts apart and fits the tokenizer on the training rows only', async () => {
    const info = readJson(path.join(first.models[0] as string, 'sentiment.json')) as unknown as SentimentModelInfo;
    const { train, validation, test } = info.split;
    expect(new Set([...train, ...validation, ...test]).size).toBe(train.length + validation.length + test.length);
    const data = await loadSentimentData({ source: 'phrasebank', limit: 300 });
    const expected = trainSentimentTokenizer(train.map((r) => data.texts[r] as string), { vocabSize: 1500, minFrequency: 2 });
    expect(JSON.parse(fs.readFileSync(path.join(first.models[0] as string, 'tokenizer.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('gives the same metrics when rerun with the same config and seed, and frees its tensors', async () => {
    const tensors = tf.memory().numTensors;
    const second = await trainSentiment({ config, set: [], runs }, lines().print);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(second.runDir).not.toBe(first.runDir);
    expect(second.summary.seeds.map((s) => [s.epochs, s.bestEpoch, s.validation, s.test])).toEqual(first.summary.seeds.map((s) => [s.epochs, s.bestEpoch, s.validation, s.test]));
  }, 120_000);
});

describe('sentiment evaluate', () => {
  it('reproduces the test metrics from the saved model directory', async () => {
    const out = lines();
    const result = await evaluateSentiment({ model: first.models[0] as string, split: 'test', runs }, out.print);
    const saved = readJson(path.join(fit(), 'evaluation.json')) as { test: { accuracy: number; macroF1: number; report: { confusion: number[][] } } };
    expect(result.report.accuracy).toBe(saved.test.accuracy);
    expect(result.report.macroF1).toBe(saved.test.macroF1);
    expect(result.report.report.confusion).toEqual(saved.test.report.confusion);
    expect(fs.existsSync(path.join(result.runDir, 'evaluation.md'))).toBe(true);
    expect(out.all[0]).toMatch(/^sentiment: test \(300 rows, held-out test rows: never trained or tuned on\): accuracy 0\.\d{4}, macro-F1 0\.\d{4}/);
    expect((await evaluateSentiment({ model: first.models[0] as string, split: 'validation', runs }, lines().print)).report.n).toBe(300);
  });

  it('names the problem for a directory that is not a sentiment model', async () => {
    await expect(evaluateSentiment({ model: path.join(dir, 'nowhere'), split: 'test', runs }, lines().print)).rejects.toThrow(/model directory .*nowhere does not exist/);
    await expect(evaluateSentiment({ model: first.runDir, split: 'test', runs }, lines().print)).rejects.toThrow(/is not a model directory \(no config\.json\)/);
  });
});

describe('sentiment predict', () => {
  it('writes one JSON line per record: class probabilities, or an error line with the line number', async () => {
    const input = path.join(dir, 'sentences.jsonl');
    const rising = 'Operating profit rose to EUR 13.1 mn from EUR 8.7 mn in the corresponding period in 2007.';
    fs.writeFileSync(input, [
      JSON.stringify({ sentence: rising }),
      '{"sentence": ',
      JSON.stringify({ text: 'Sales fell sharply and the company issued a profit warning.' }),
      JSON.stringify({ sentence: '   ' }),
      JSON.stringify({ sentence: 42 }),
      JSON.stringify({ title: 'no text here' }),
      '',
      '["an", "array"]',
      JSON.stringify({ sentence: rising }),
    ].join('\n'));
    const output = path.join(dir, 'out', 'predictions.jsonl');
    const tensors = tf.memory().numTensors;
    const result = await predictSentiment({ model: first.models[0] as string, input, output }, lines().print);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(result).toEqual({ records: 8, predicted: 3, errors: 5 });
    const out = readJsonl(output);
    expect(out.map((o) => o['line'])).toEqual([1, 2, 3, 4, 5, 6, 8, 9]);
    expect(out[1]).toEqual({ line: 2, error: expect.stringMatching(/^not valid JSON/) as unknown });
    expect(out[3]).toEqual({ line: 4, error: 'field "sentence": the text is empty' });
    expect(out[4]).toEqual({ line: 5, error: 'field "sentence": expected a text, got 42' });
    expect(out[5]).toEqual({ line: 6, error: 'field "sentence" (or "text") is missing' });
    expect(out[6]).toEqual({ line: 8, error: 'expected a JSON object, got an array' });
    for (const line of [out[0], out[2], out[7]]) {
      const p = line?.['probabilities'] as Record<string, number>;
      expect(Object.keys(p)).toEqual(['negative', 'neutral', 'positive']);
      expect(p['negative']! + p['neutral']! + p['positive']!).toBeCloseTo(1, 5);
      const best = Object.entries(p).sort((a, b) => b[1] - a[1])[0]?.[0];
      expect(line?.['prediction']).toBe(best);
    }
    expect(out[7]?.['probabilities']).toEqual(out[0]?.['probabilities']); // the same sentence, the same answer

    const csv = path.join(dir, 'sentences.csv');
    fs.writeFileSync(csv, `id,sentence\n1,"${rising}"\n2\n3,""\n`);
    const fromCsv = path.join(dir, 'out', 'predictions-csv.jsonl');
    expect(await predictSentiment({ model: first.models[0] as string, input: csv, output: fromCsv }, lines().print)).toEqual({ records: 3, predicted: 1, errors: 2 });
    const csvOut = readJsonl(fromCsv);
    expect(csvOut[0]?.['probabilities']).toEqual(out[0]?.['probabilities']);
    expect(csvOut[1]).toEqual({ line: 3, error: 'expected 2 fields (as the header), got 1' });
    expect(csvOut[2]).toEqual({ line: 4, error: 'field "sentence": the text is empty' });
  });

  it('agrees with the probabilities the run wrote for the test sentences', async () => {
    const info = readJson(path.join(first.models[0] as string, 'sentiment.json')) as unknown as SentimentModelInfo;
    const data = await loadSentimentData({ source: 'phrasebank', limit: 300 });
    const rows = info.split.test.slice(0, 5);
    const input = path.join(dir, 'test-rows.jsonl');
    fs.writeFileSync(input, rows.map((r) => JSON.stringify({ sentence: data.texts[r] })).join('\n'));
    const output = path.join(dir, 'out', 'test-rows.jsonl');
    await predictSentiment({ model: first.models[0] as string, input, output }, lines().print);
    const csv = fs.readFileSync(path.join(fit(), 'test-predictions.csv'), 'utf8').trim().split('\n').slice(1, 6).map((l) => l.split(','));
    readJsonl(output).forEach((line, i) => {
      const p = line['probabilities'] as Record<string, number>;
      expect(p['positive']).toBeCloseTo(Number(csv[i]?.[6]), 5);
      expect(line['prediction']).toBe(csv[i]?.[3]);
    });
  });
});
