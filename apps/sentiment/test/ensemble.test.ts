// Sentiment ensembles (late fusion): the weighted mean of members' probabilities, greedy weight selection on
// validation log loss, the ensemble directory (members copied, ensemble.json), evaluate and predict on it matching
// the members' own probabilities, freed tensors, and clear errors for members that do not belong together.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  combineProbabilities,
  ENSEMBLE_FILE,
  ensembleSentiment,
  evaluateSentiment,
  greedyWeights,
  loadSentimentData,
  loadSentimentPredictor,
  meanLogLoss,
  predictSentiment,
  readEnsembleInfo,
  readPredictorInfo,
  sentimentCli,
  trainSentiment,
  type SentimentEnsembleInfo,
  type TrainOutcome,
} from '../src/index.js';
import { lines, readJson, readJsonl, syntheticReviews, tempDir, writeConfig, writeCsv } from './helpers.js';

describe('combineProbabilities and greedyWeights', () => {
  it('averages the members row by row with the given weights', () => {
    const a = [[0.8, 0.2], [0.1, 0.9]];
    const b = [[0.4, 0.6], [0.5, 0.5]];
    const mixed = combineProbabilities([a, b], [0.75, 0.25]);
    expect(mixed[0]?.[0]).toBeCloseTo(0.7, 12);
    expect(mixed[1]?.[1]).toBeCloseTo(0.8, 12);
    expect(() => combineProbabilities([a, b], [1])).toThrow('2 members but 1 weights');
    expect(() => combineProbabilities([a, [[0.5, 0.5]]], [0.5, 0.5])).toThrow('member 1 has 1 rows, member 0 has 2');
  });

  it('gives all the weight to a member that is right everywhere and none to one that is confidently wrong', () => {
    const yTrue = [0, 1, 2, 1];
    const right = yTrue.map((y) => [0, 1, 2].map((k) => (k === y ? 0.9 : 0.05)));
    const wrong = yTrue.map((y) => [0, 1, 2].map((k) => (k === (y + 1) % 3 ? 0.9 : 0.05)));
    expect(greedyWeights([wrong, right], yTrue, 10)).toEqual([0, 1]);
    expect(meanLogLoss(yTrue, right)).toBeCloseTo(-Math.log(0.9), 12);
  });

  it('mixes two complementary members, with weights that are multiples of 1/rounds adding up to 1', () => {
    const yTrue = [0, 0, 1, 1];
    // each member is confident and right on two rows, unsure on the other two: the mix beats both
    const a = [[0.95, 0.05], [0.95, 0.05], [0.6, 0.4], [0.6, 0.4]];
    const b = [[0.4, 0.6], [0.4, 0.6], [0.05, 0.95], [0.05, 0.95]];
    const weights = greedyWeights([a, b], yTrue, 20);
    expect(weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
    for (const w of weights) expect(Number.isInteger(Math.round(w * 20 * 1e9) / 1e9)).toBe(true);
    expect(Math.min(...weights)).toBeGreaterThan(0.2);
    const mixedLoss = meanLogLoss(yTrue, combineProbabilities([a, b], weights));
    expect(mixedLoss).toBeLessThan(Math.min(meanLogLoss(yTrue, a), meanLogLoss(yTrue, b)));
    expect(() => greedyWeights([a, b], yTrue, 0)).toThrow('--rounds must be a positive integer');
  });
});

const dir = tempDir('ensemble');
const runs = path.join(dir, 'runs');
const reviews = syntheticReviews(240, 5).map((r, i) => ({ ...r, part: i < 150 ? 'train' : i < 195 ? 'validation' : 'test' }));
const csv = writeCsv(path.join(dir, 'reviews.csv'), reviews);
const base = {
  data: { source: 'file', path: csv, text: 'review', label: 'mood', id: 'id', split: { by: 'column', column: 'part' } },
  seeds: [3],
  trainer: { epochs: 8, optimizer: { type: 'adamw', lr: 0.02 }, earlyStopping: { metric: 'sentiment.f1_macro', mode: 'max', patience: 3 } },
  progress: 'none',
};
const fusion = { type: 'fusion/concat', outDim: 16 };
const tfidfConfig = writeConfig(dir, 'tfidf.yaml', { ...base, name: 'tfidf', model: { tfidf: { dim: 8, chars: null }, fusion } });
// two seeds of an n-gram + tiny transformer model: their variables share names, so they cannot be loaded side by side
const dualConfig = writeConfig(dir, 'dual.yaml', {
  ...base,
  name: 'dual',
  seeds: [3, 4],
  model: { ngram: { buckets: 2000, dim: 16, maxLength: 64 }, transformer: { architecture: { hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 16 }, maxLength: 24 }, tokenizer: { vocabSize: 300, minFrequency: 1 }, fusion },
});
// the same data with a stratified split: its rows differ, so it cannot join the others
const otherSplitConfig = writeConfig(dir, 'other-split.yaml', { ...base, name: 'other', data: { ...base.data, split: { by: 'stratified', validation: 0.2, test: 0.2, seed: 1 } }, model: { tfidf: { dim: 8, chars: null }, fusion } });

let tfidf: TrainOutcome;
let dual: TrainOutcome;
let ensembleDir: string;
const members = (): string[] => [tfidf.models[0] as string, ...dual.models];
let ensembleInfo: SentimentEnsembleInfo;
beforeAll(async () => {
  tfidf = await trainSentiment({ config: tfidfConfig, set: [], runs }, lines().print);
  dual = await trainSentiment({ config: dualConfig, set: [], runs }, lines().print);
  const out = await ensembleSentiment({ model: members(), output: path.join(dir, 'ens'), weights: 'greedy', rounds: '10' }, lines().print);
  ensembleDir = out.dir;
  ensembleInfo = out.info;
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The members' own probabilities on the test rows, and the true labels. */
async function memberTestProbabilities(): Promise<{ yTrue: number[]; probs: number[][][] }> {
  const data = await loadSentimentData(readPredictorInfo(tfidf.models[0] as string).data.config);
  const probs: number[][][] = [];
  let yTrue: number[] = [];
  for (const model of members()) {
    const predictor = await loadSentimentPredictor(model);
    const out = await predictor.predictRows(data, predictor.info.split.test, 64);
    predictor.dispose();
    probs.push(out.probs);
    yTrue = out.yTrue;
  }
  return { yTrue, probs };
}

describe('sentiment ensemble', () => {
  it('copies the members and writes ensemble.json with weights chosen on the validation rows', () => {
    expect(fs.readdirSync(ensembleDir).sort()).toEqual([ENSEMBLE_FILE, 'member0', 'member1', 'member2']);
    expect(fs.readFileSync(path.join(ensembleDir, 'member0', 'model.safetensors'))).toEqual(fs.readFileSync(path.join(tfidf.models[0] as string, 'model.safetensors')));
    expect(fs.existsSync(path.join(ensembleDir, 'member1', 'tokenizer.json'))).toBe(true);
    const info = readJson(path.join(ensembleDir, ENSEMBLE_FILE)) as unknown as SentimentEnsembleInfo;
    expect(info).toEqual(ensembleInfo);
    expect(info).toMatchObject({ kind: 'finmm/sentiment-ensemble', classes: ['down', 'flat', 'up'], weighting: 'greedy', rounds: 10 });
    expect(info.members.map((m) => m.source)).toEqual(members().map((m) => path.resolve(m)));
    expect(info.members.reduce((s, m) => s + m.weight, 0)).toBeCloseTo(1, 12);
    // the members' validation metrics are those their own runs recorded for the kept weights
    const own = readJson(path.join(path.dirname(tfidf.models[0] as string), 'evaluation.json')) as { validation: { accuracy: number; macroF1: number } };
    expect(info.members[0]?.validation.macroF1).toBeCloseTo(own.validation.macroF1, 10);
    // greedy selection never ends above the best member's validation log loss
    expect(info.validation.logLoss).toBeLessThanOrEqual(Math.min(...info.members.map((m) => m.validation.logLoss)) + 1e-12);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.ens'))).toEqual([]); // no staging directory left
  });

  it('evaluates like a model: the test report of the weighted mean of the members probabilities', async () => {
    const { yTrue, probs } = await memberTestProbabilities();
    const mixed = combineProbabilities(probs, ensembleInfo.members.map((m) => m.weight));
    const correct = mixed.filter((p, i) => p.indexOf(Math.max(...p)) === yTrue[i]).length;
    const print = lines();
    const outcome = await evaluateSentiment({ model: ensembleDir, split: 'test', runs }, print.print);
    expect(outcome.report.n).toBe(45);
    expect(outcome.report.accuracy).toBeCloseTo(correct / 45, 12);
    expect(outcome.report.logLoss).toBeCloseTo(meanLogLoss(yTrue, mixed), 6);
    expect(path.basename(outcome.runDir)).toContain('evaluate-ens-test');
    expect((readJson(path.join(outcome.runDir, 'evaluation.json')) as { members: number }).members).toBe(3);
  });

  it('predicts records like a model, with error lines for bad records, and frees its tensors', async () => {
    const input = path.join(dir, 'new.jsonl');
    fs.writeFileSync(input, [JSON.stringify({ id: 'a', review: 'the company said results were great and excellent' }), '{not json', JSON.stringify({ id: 'c', review: 7 })].join('\n'));
    const output = path.join(dir, 'scored.jsonl');
    const before = tf.memory().numTensors;
    expect(await predictSentiment({ model: ensembleDir, input, output }, lines().print)).toEqual({ records: 3, predicted: 1, errors: 2 });
    expect(tf.memory().numTensors).toBe(before);
    const [a, b, c] = readJsonl(output);
    expect(a).toMatchObject({ line: 1, id: 'a', prediction: 'up' });
    const probabilities = Object.values(a?.['probabilities'] as Record<string, number>);
    expect(probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 3);
    expect(b).toMatchObject({ line: 2 });
    expect(String(b?.['error'])).toContain('JSON');
    expect(c).toEqual({ line: 3, error: 'field "review": expected a text, got 7' });
  });

  it('refuses members of another split, an existing output, a single member and a bad ensemble.json', async () => {
    const other = await trainSentiment({ config: otherSplitConfig, set: [], runs }, lines().print);
    const models = [tfidf.models[0] as string, other.models[0] as string];
    await expect(ensembleSentiment({ model: models, output: path.join(dir, 'bad'), weights: 'equal', rounds: '25' }, lines().print)).rejects.toThrow(
      `ensemble member ${path.resolve(other.models[0] as string)}: its train rows differ`,
    );
    await expect(ensembleSentiment({ model: [tfidf.models[0] as string], output: path.join(dir, 'one'), weights: 'equal', rounds: '25' }, lines().print)).rejects.toThrow('at least 2 --model directories');
    await expect(ensembleSentiment({ model: [tfidf.models[0] as string, dual.models[0] as string], output: ensembleDir, weights: 'equal', rounds: '25' }, lines().print)).rejects.toThrow('already exists');
    await expect(ensembleSentiment({ model: [tfidf.models[0] as string, dual.models[0] as string], output: path.join(dir, 'x'), weights: 'best', rounds: '25' }, lines().print)).rejects.toThrow('--weights must be one of equal, greedy, got "best"');
    await expect(ensembleSentiment({ model: [ensembleDir, dual.models[0] as string], output: path.join(dir, 'x'), weights: 'equal', rounds: '25' }, lines().print)).rejects.toThrow('is itself an ensemble');
    const broken = path.join(dir, 'broken');
    fs.cpSync(ensembleDir, broken, { recursive: true });
    const info = readJson(path.join(broken, ENSEMBLE_FILE)) as unknown as SentimentEnsembleInfo;
    fs.writeFileSync(path.join(broken, ENSEMBLE_FILE), JSON.stringify({ ...info, members: info.members.map((m) => ({ ...m, weight: 0.5 })) }));
    expect(() => readEnsembleInfo(broken)).toThrow(`${path.join(broken, ENSEMBLE_FILE)}: field "members": the weights add up to 1.5, expected 1`);
    fs.rmSync(path.join(broken, 'member1'), { recursive: true });
    fs.writeFileSync(path.join(broken, ENSEMBLE_FILE), JSON.stringify(info));
    await expect(evaluateSentiment({ model: broken, split: 'test', runs }, lines().print)).rejects.toThrow(`model directory ${path.join(broken, 'member1')} does not exist`);
  });

  it('is a command of the CLI with its options in --help', () => {
    const help = sentimentCli().commands.find((c) => c.name() === 'ensemble')?.helpInformation() ?? '';
    expect(help).toContain('--model <dir>');
    expect(help).toContain('--weights <how>');
  });
});
