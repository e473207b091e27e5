// The TF-IDF ("wide") branch of the sentiment app: alone and next to the n-gram bag, the vectoriser fitted on the
// training rows only and saved in the model directory (tfidf.json), evaluate and predict reproducing the run's
// outputs from it, parameter groups named by branch, and the collated inputs.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry, type TextInput } from '@finmm/core';
import { TFIDF_ENCODER_TYPE, type TfidfJson } from '@finmm/encoders-text';
import { evaluateSentiment, loadSentimentConfig, loadSentimentData, loadSentimentModel, parseSentimentConfig, predictSentiment, trainSentiment, type SentimentModelInfo, type TrainOutcome } from '../src/index.js';
import { sentimentCollator, type TfidfTextInput } from '../src/collator.js';
import { buildSentimentModel, prepareText } from '../src/model/build.js';
import { transformerOf } from '../src/model/sentiment-model.js';
import { TFIDF_PLUS_TYPE, TfidfPlusEncoder } from '../src/model/tfidf-plus.js';
import '../src/register.js';
import { lines, readJson, readJsonl, syntheticReviews, tempDir, writeConfig, writeCsv } from './helpers.js';

const dir = tempDir('tfidf');
const runs = path.join(dir, 'runs');
// rows 0-149 train, 150-194 validation, 195-239 test; "zebra" is only ever in validation and test sentences
const reviews = syntheticReviews(240, 7).map((r, i) => ({ ...r, review: i >= 150 ? `${r.review} zebra` : r.review, part: i < 150 ? 'train' : i < 195 ? 'validation' : 'test' }));
const csv = writeCsv(path.join(dir, 'reviews.csv'), reviews);
const fusion = { type: 'fusion/concat', outDim: 16 };
const base = {
  data: { source: 'file', path: csv, text: 'review', label: 'mood', split: { by: 'column', column: 'part' } },
  seeds: [2],
  trainer: { epochs: 12, optimizer: { type: 'adamw', lr: 0.02 }, earlyStopping: { metric: 'sentiment.f1_macro', mode: 'max', patience: 4 } },
  progress: 'none',
};
const aloneConfig = writeConfig(dir, 'tfidf.yaml', { ...base, name: 'tfidf', model: { tfidf: { dim: 8 }, fusion } });
const plusConfig = writeConfig(dir, 'tfidf-ngram.yaml', {
  ...base,
  name: 'tfidf-ngram',
  model: { tfidf: { dim: 8, chars: null }, ngram: { buckets: 2000, dim: 16, maxLength: 64, wordDropout: 0.2 }, tokenizer: { vocabSize: 300, minFrequency: 1 }, fusion },
});

let alone: TrainOutcome;
let plus: TrainOutcome;
beforeAll(async () => {
  alone = await trainSentiment({ config: aloneConfig, set: [], runs }, lines().print);
  plus = await trainSentiment({ config: plusConfig, set: [], runs }, lines().print);
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const modelOf = (outcome: TrainOutcome): string => outcome.models[0] as string;

describe('the TF-IDF branch alone', () => {
  it('saves the vectoriser fitted on the training rows only, and no tokenizer', () => {
    const model = modelOf(alone);
    expect(fs.existsSync(path.join(model, 'tokenizer.json'))).toBe(false);
    const tfidf = readJson(path.join(model, 'tfidf.json')) as unknown as TfidfJson;
    expect(tfidf.documents).toBe(150);
    expect(tfidf.spec.blocks.map((b) => b.analyzer)).toEqual(['word', 'char_wb']);
    const words = tfidf.vocabularies[0]?.terms ?? [];
    expect(words).toContain('excellent');
    expect(words.some((t) => t.includes('zebra'))).toBe(false);
    expect(tfidf.vocabularies[1]?.terms.some((t) => t.includes('zeb'))).toBe(false);
    const info = readJson(path.join(model, 'sentiment.json')) as unknown as SentimentModelInfo;
    expect(info.text).toMatchObject({ ngram: null, transformer: null, tfidf: tfidf.spec });
    const config = readJson(path.join(model, 'config.json')) as { encoders: { text: { type: string; vocabSize: number } } };
    expect(config.encoders.text).toMatchObject({ type: TFIDF_ENCODER_TYPE, vocabSize: words.length + (tfidf.vocabularies[1]?.terms.length ?? 0) });
    expect(alone.summary.test.accuracy.mean).toBeGreaterThan(0.8); // the labels follow the sentiment words
  });

  it('evaluates and predicts from the model directory as the run did', async () => {
    const model = modelOf(alone);
    const saved = readJson(path.join(path.dirname(model), 'evaluation.json')) as { test: { accuracy: number; macroF1: number } };
    const { report } = await evaluateSentiment({ model, split: 'test', runs }, lines().print);
    expect([report.accuracy, report.macroF1]).toEqual([saved.test.accuracy, saved.test.macroF1]);
    const input = path.join(dir, 'new.jsonl');
    fs.writeFileSync(input, [JSON.stringify({ review: 'the board said results were great and excellent' }), JSON.stringify({ review: 'qqq' })].join('\n'));
    const output = path.join(dir, 'scored.jsonl');
    expect(await predictSentiment({ model, input, output }, lines().print)).toEqual({ records: 2, predicted: 2, errors: 0 });
    const [good, unseen] = readJsonl(output);
    expect(good).toMatchObject({ line: 1, prediction: 'up' });
    expect(Object.keys(unseen?.['probabilities'] as object)).toEqual(['down', 'flat', 'up']); // no feature known: the bias alone
  });
});

describe('the TF-IDF branch next to the n-gram bag', () => {
  it('builds text/tfidf-plus with parameter groups named by branch, and reproduces its test metrics when loaded', async () => {
    const model = modelOf(plus);
    const config = readJson(path.join(model, 'config.json')) as { encoders: { text: { type: string; tfidf: { type: string }; deep: { type: string } } } };
    expect(config.encoders.text).toMatchObject({ type: TFIDF_PLUS_TYPE, tfidf: { type: TFIDF_ENCODER_TYPE }, deep: { type: 'text/embedding-bag' } });
    const tfidf = readJson(path.join(model, 'tfidf.json')) as unknown as TfidfJson;
    expect(tfidf.spec.blocks.map((b) => b.analyzer)).toEqual(['word']);
    const loaded = await loadSentimentModel(model);
    try {
      expect(loaded.model.parameterGroups().map((g) => g.name).slice(0, 2)).toEqual(['text.tfidf', 'text.ngram']);
    } finally {
      loaded.model.dispose();
    }
    const saved = readJson(path.join(path.dirname(model), 'evaluation.json')) as { test: { accuracy: number; macroF1: number } };
    const { report } = await evaluateSentiment({ model, split: 'test', runs }, lines().print);
    expect([report.accuracy, report.macroF1]).toEqual([saved.test.accuracy, saved.test.macroF1]);
  });

  it('collates the token ids and the TF-IDF rows, word dropout leaving the TF-IDF rows whole', async () => {
    const { config } = loadSentimentConfig(plusConfig);
    const prepared = prepareText(config.model, reviews.slice(0, 150).map((r) => r.review));
    const texts = ['the company said sales were great', 'weak quarter'];
    const collate = async (dropout: number) => sentimentCollator(prepared.featurizer, dropout === 0 ? null : { rate: dropout, seed: 3 }).collate({ values: { text: texts }, rows: [0, 1] });
    const [plain, dropped] = [await collate(0), await collate(0.5)];
    const a = plain.input as TfidfTextInput;
    const b = dropped.input as TfidfTextInput;
    const rows = texts.map((t) => prepared.featurizer.tfidf?.transform(t).indices.length ?? 0);
    expect(a.tfidfIds.shape).toEqual([2, Math.max(...rows)]);
    expect(a.tfidfValues.arraySync()).toEqual(b.tfidfValues.arraySync());
    expect(tf.tidy(() => tf.sum(b.attentionMask).dataSync()[0] as number)).toBeLessThan(tf.tidy(() => tf.sum(a.attentionMask).dataSync()[0] as number));
    for (const input of [a, b]) tf.dispose([input.ids, input.attentionMask, input.tfidfIds, input.tfidfValues]);
    tf.dispose([plain.present, dropped.present]);
  });

  it('derives the seeds of both parts from its own, so a seeded model is rebuilt with the same weights', () => {
    const config = { type: TFIDF_PLUS_TYPE, tfidf: { type: TFIDF_ENCODER_TYPE, dim: 3 }, deep: { type: 'text/embedding-bag', dim: 4 }, seed: 9 };
    const context = { vocabSize: 12, tfidfVocabSize: 20 };
    const [a, b] = [registry.build('encoder', config, context), registry.build('encoder', config, context)] as TfidfPlusEncoder[];
    expect(a?.config()).toMatchObject({ seed: 9, tfidf: { seed: 10, vocabSize: 20 }, deep: { seed: 11, vocabSize: 12 } });
    a?.variables().forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from((b?.variables()[i] as tf.Variable).dataSync())));
    a?.dispose();
    b?.dispose();
  });

  it('refuses a text input without the TF-IDF rows, naming the missing fields', () => {
    const example = registry.get(TFIDF_PLUS_TYPE)?.examples[0];
    const encoder = registry.build('encoder', example) as TfidfPlusEncoder;
    const input: TextInput = { ids: tf.zeros([1, 2], 'int32') as tf.Tensor2D, attentionMask: tf.ones([1, 2]) as tf.Tensor2D };
    expect(() => encoder.encode(input, false)).toThrow(/no "tfidfIds"\/"tfidfValues"/);
    const wide: TfidfTextInput = { ...input, tfidfIds: tf.tensor2d([[3, 7]], [1, 2], 'int32'), tfidfValues: tf.tensor2d([[0.6, 0.8]]) };
    const out = encoder.encode(wide, true);
    expect(out.pooled.shape).toEqual([1, encoder.outDim]);
    expect(encoder.outDim).toBe(encoder.tfidf.outDim + encoder.deep.outDim);
    tf.dispose([out.pooled, input.ids, input.attentionMask, wide.tfidfIds, wide.tfidfValues]);
    encoder.dispose();
  });
});

describe('the TF-IDF branch next to the n-gram bag and the transformer', () => {
  it('puts the TF-IDF branch beside text/ngram-transformer, with every variable in one branch-named group, and encodes a collated batch', async () => {
    const config = parseSentimentConfig(
      {
        ...base,
        model: {
          tfidf: { dim: 4, words: { min: 1, max: 1 }, chars: null },
          ngram: { buckets: 500, dim: 8, maxLength: 32 },
          transformer: { architecture: { hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 16, maxPositions: 32 }, maxLength: 32 },
          tokenizer: { vocabSize: 200, minFrequency: 1 },
          fusion,
        },
        trainer: { epochs: 1, groupLr: { 'text.tfidf': 0.2, 'text.transformer.*': 0.5 } },
      },
      'three-branch config',
    );
    const data = await loadSentimentData(config.data);
    const prepared = prepareText(config.model, data.split.train.map((r) => data.texts[r] as string));
    const { model } = await buildSentimentModel(config, prepared, data.classes, 4, null);
    try {
      const encoder = model.fused.encoders.get('text') as TfidfPlusEncoder;
      expect(encoder.config()).toMatchObject({ type: TFIDF_PLUS_TYPE, deep: { type: 'text/ngram-transformer' } });
      expect(transformerOf(model.fused)).not.toBeNull();
      const groups = model.parameterGroups();
      expect(groups.map((g) => g.name)).toEqual(['text.tfidf', 'text.ngram', 'text.transformer.embeddings', 'text.transformer.layer.0', 'text.transformer.layer.1', 'fusion', 'head.sentiment']); // concat: no text.combine
      expect(new Set(groups.flatMap((g) => g.variables)).size).toBe(model.variables().length);
      const texts = data.split.train.slice(0, 4).map((r) => data.texts[r] as string);
      const batch = await sentimentCollator(prepared.featurizer).collate({ values: { text: texts }, rows: [0, 1, 2, 3] });
      const input = batch.input as TfidfTextInput & { ngramIds: tf.Tensor2D };
      expect(input.ngramIds.shape[0]).toBe(4);
      const out = encoder.encode(input, true);
      expect(out.pooled.shape).toEqual([4, encoder.tfidf.outDim + encoder.deep.outDim]);
      tf.dispose([out.pooled, batch.present, ...Object.values(input)]);
    } finally {
      model.dispose();
    }
  });
});
