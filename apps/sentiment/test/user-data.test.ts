// The sentiment app on the user's own labelled texts: a CSV with a seeded stratified split, a JSON-lines file with
// a split column, evaluate/predict on the saved model (ids echoed), and clear errors for bad data.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateSentiment, loadSentimentData, predictSentiment, trainSentiment, type SentimentModelInfo, type TrainOutcome } from '../src/index.js';
import { lines, readJson, readJsonl, syntheticReviews, tempDir, writeConfig, writeCsv } from './helpers.js';

const dir = tempDir('user-data');
const runs = path.join(dir, 'runs');
const reviews = syntheticReviews(240, 11);
const csv = writeCsv(path.join(dir, 'reviews.csv'), reviews);
const base = {
  name: 'my-reviews',
  data: { source: 'file', path: csv, text: 'review', label: 'mood', id: 'id', split: { by: 'stratified', validation: 0.2, test: 0.25, seed: 4 } },
  seeds: [1],
  model: { ngram: { buckets: 2000, dim: 16, maxLength: 64 }, tokenizer: { vocabSize: 300, minFrequency: 1 }, fusion: { type: 'fusion/concat', outDim: 16 } },
  trainer: { epochs: 15, optimizer: { type: 'adamw', lr: 0.03 }, earlyStopping: { metric: 'sentiment.f1_macro', mode: 'max', patience: 5 } },
  progress: 'none',
};

let outcome: TrainOutcome;
beforeAll(async () => {
  outcome = await trainSentiment({ config: writeConfig(dir, 'reviews.yaml', base), set: [], runs }, lines().print);
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('sentiment on a CSV of your own', () => {
  it('takes the label set from the data, splits by label with the split seed, and learns the task', () => {
    const info = readJson(path.join(outcome.models[0] as string, 'sentiment.json')) as unknown as SentimentModelInfo;
    expect(info.classes).toEqual(['down', 'flat', 'up']);
    expect(info.text).toMatchObject({ field: 'review', idField: 'id', transformer: null });
    expect([info.split.train.length, info.split.validation.length, info.split.test.length]).toEqual([132, 48, 60]);
    const data = readJson(path.join(outcome.runDir, 'data.json')) as { parts: Record<string, { classes: Record<string, number> }> };
    expect(data.parts['test']?.classes).toEqual({ down: 20, flat: 20, up: 20 });
    expect(outcome.summary.test.accuracy.mean).toBeGreaterThan(0.8); // the labels follow the sentiment words
    expect(fs.readFileSync(path.join(outcome.runDir, 'summary.md'), 'utf8')).toContain('reviews.csv, 240 rows (train 132 / validation 48 / test 60)');
  });

  it('evaluates the saved model and predicts records, echoing their ids', async () => {
    const model = outcome.models[0] as string;
    expect((await evaluateSentiment({ model, split: 'test', runs }, lines().print)).report.n).toBe(60);
    const input = path.join(dir, 'new.jsonl');
    fs.writeFileSync(input, [JSON.stringify({ id: 'a', review: 'the company said results were great and excellent' }), JSON.stringify({ id: 'b', review: '' })].join('\n'));
    const output = path.join(dir, 'scored.jsonl');
    expect(await predictSentiment({ model, input, output }, lines().print)).toEqual({ records: 2, predicted: 1, errors: 1 });
    const [a, b] = readJsonl(output);
    expect(a).toMatchObject({ line: 1, id: 'a', prediction: 'up' });
    expect(Object.keys(a?.['probabilities'] as object)).toEqual(['down', 'flat', 'up']);
    expect(b).toEqual({ line: 2, error: 'field "review": the text is empty' });
  });
});

describe('loading your own data', () => {
  it('reads a JSON-lines file with a split column and a given label order', async () => {
    const file = path.join(dir, 'parts.jsonl');
    fs.writeFileSync(file, reviews.slice(0, 30).map((r, i) => JSON.stringify({ text: r.review, label: r.mood, part: ['fit', 'dev', 'final'][i % 3] })).join('\n'));
    const data = await loadSentimentData({ source: 'file', path: file, text: 'text', label: 'label', classes: ['up', 'flat', 'down'], split: { by: 'column', column: 'part', train: 'fit', validation: 'dev', test: 'final' }, lenient: false });
    expect(data.classes).toEqual(['up', 'flat', 'down']);
    expect([data.split.train.length, data.split.validation.length, data.split.test.length]).toEqual([10, 10, 10]);
    expect(data.labels[0]).toBe(['up', 'flat', 'down'].indexOf(reviews[0]?.mood as string));
    expect(data.ids.slice(0, 3)).toEqual([1, 2, 3]); // data row numbers when there is no id column
  });

  it('names the file, row, column and config field of bad data', async () => {
    const load = (overrides: Record<string, unknown>, rows = reviews.slice(0, 30) as Array<Record<string, unknown>>) => {
      const file = writeCsv(path.join(dir, `bad-${Object.keys(overrides).join('-') || 'rows'}.csv`), rows);
      return loadSentimentData({ source: 'file', path: file, text: 'review', label: 'mood', split: { by: 'stratified', validation: 0.2, test: 0.2, seed: 0 }, lenient: false, ...overrides } as never);
    };
    await expect(load({ text: 'body' })).rejects.toThrow(/bad-text\.csv: config field "data\.text": no column "body" \(the table has: id, review, mood\)/);
    const emptyText = reviews.slice(0, 30).map((r, i) => (i === 2 ? { ...r, review: ' ' } : r));
    await expect(load({}, emptyText)).rejects.toThrow(/bad-rows\.csv: data row 3: the text "review" is empty/);
    await expect(load({ classes: ['up', 'down'] })).rejects.toThrow(/data row 3: label "flat" of column "mood" is not one of config field "data.classes": "up", "down"/);
    await expect(load({ split: { by: 'column', column: 'id', train: 'train', validation: 'validation', test: 'test' } })).rejects.toThrow(/data row 1: split column "id" holds "r0"; expected one of "train", "validation", "test"/);
    const skipped = await load({ lenient: true }, emptyText);
    expect(skipped.texts).toHaveLength(29);
    expect(skipped.skipped.total).toBe(1);
  });
});
