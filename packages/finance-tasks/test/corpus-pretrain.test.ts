// pretrainMlm end to end on a small corpus and a tiny BERT: the Hugging Face output directory, token counting without
// padding, the limits that end a run, the loss going down, and loading the result through `pretrained:`.
import fs from 'node:fs';
import path from 'node:path';
import { registry } from '@finmm/core';
import { HfTokenizer, loadMlmModel } from '@finmm/encoders-text';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPretrainingCorpus, pretrainMlm, type PretrainMlmOptions, type PretrainMlmResult } from '../src/index.js';
import { tempDir } from './helpers.js';

const work = tempDir('pretrain');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
let corpus: string[] = [];
const TINY: Partial<PretrainMlmOptions> = {
  vocabSize: 300,
  architecture: { hiddenSize: 32, numLayers: 1, numHeads: 2, intermediateSize: 64, maxLength: 48, maxPositions: 64 },
  batchSize: 16,
  lr: 3e-3,
  seed: 1,
};

beforeAll(async () => {
  corpus = (await buildPretrainingCorpus(undefined, { include: ['phrasebank-train'] })).texts.slice(0, 400);
});

describe('pretrainMlm', () => {
  let result: PretrainMlmResult;
  const out = path.join(work, 'mlm');

  beforeAll(async () => {
    result = await pretrainMlm({ ...TINY, corpus, corpusDescription: { note: 'first 400 PhraseBank training sentences' }, outputDir: out, maxSteps: 60, heldOutFraction: 0.1 });
  }, 120_000);

  it('writes a Hugging Face BertForMaskedLM directory with tokenizer.json and pretraining.json (the result)', () => {
    expect(fs.readdirSync(out).sort()).toEqual(['config.json', 'model.safetensors', 'pretraining.json', 'tokenizer.json']);
    const written = JSON.parse(fs.readFileSync(path.join(out, 'pretraining.json'), 'utf8')) as PretrainMlmResult;
    expect(written).toEqual(JSON.parse(JSON.stringify(result)));
    expect(result).toMatchObject({ steps: 60, stopReason: 'max-steps', seed: 1, tokenizer: { trained: true, vocabSize: 300 } });
    expect(result.model).toMatchObject({ architectures: ['BertForMaskedLM'], vocab_size: 300, hidden_size: 32, num_hidden_layers: 1 });
    expect(result.corpus).toMatchObject({ texts: 400, trainTexts: 360, heldOutTexts: 40, description: { note: 'first 400 PhraseBank training sentences' } });
    expect(result.lossCurve.map((p) => p.step)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(result.finalLoss).toBe(result.lossCurve.at(-1)?.loss);
    expect(result.tokensPerSecond).toBeCloseTo(result.tokens / result.durationSeconds, 6);
  });

  it('learns: the training loss falls and the held-out MLM loss ends below where it started', () => {
    const curve = result.lossCurve;
    expect(curve[curve.length - 1]!.loss).toBeLessThan(curve[0]!.loss);
    expect(result.heldOut!.after.loss).toBeLessThan(result.heldOut!.before.loss);
    expect(result.heldOut!.after.predictions).toBe(result.heldOut!.before.predictions); // same masked positions
    for (let i = 1; i < curve.length; i++) expect(curve[i]!.tokens).toBeGreaterThan(curve[i - 1]!.tokens);
  });

  it('is loadable as a pretrained text/transformer and as an MLM model, with its tokenizer', async () => {
    const tokenizer = HfTokenizer.fromFile(path.join(out, 'tokenizer.json'), { maxLength: 48 });
    expect(tokenizer.vocabSize).toBe(300);
    const encoder = registry.build('encoder', { type: 'text/transformer', pretrained: out, scope: 'pt-test/' }, { vocabSize: tokenizer.vocabSize });
    expect(encoder.outDim).toBe(32);
    const { model } = await loadMlmModel(out, { scope: 'pt-mlm/' });
    const a = encoder.variables().find((v) => v.name.endsWith('embeddings.word_embeddings.weight'))!;
    const b = model.encoder.embeddings.words;
    expect(a.dataSync()).toEqual(b.dataSync());
    encoder.dispose();
    model.dispose();
  });
});

describe('pretrainMlm init (continued pretraining)', () => {
  const first = path.join(work, 'first');
  let firstResult: PretrainMlmResult;
  const { vocabSize: _v, architecture, ...rest } = TINY;
  const CONTINUE: Partial<PretrainMlmOptions> = { ...rest, architecture: { maxLength: architecture?.maxLength ?? 48 } };

  beforeAll(async () => {
    firstResult = await pretrainMlm({ ...TINY, corpus, outputDir: first, maxSteps: 20, heldOutFraction: 0.1 });
  }, 120_000);

  it('starts from the checkpoint: same tokenizer and architecture, and the held-out loss picks up where the first run ended', async () => {
    const out = path.join(work, 'continued');
    const result = await pretrainMlm({ ...CONTINUE, corpus, outputDir: out, init: first, maxSteps: 20, heldOutFraction: 0.1 });
    expect(result.init).toEqual({ dir: first, initialisedHead: [], previous: { steps: 20, tokens: firstResult.tokens } });
    expect(result.tokenizer).toEqual({ trained: false, vocabSize: 300 });
    expect(fs.readFileSync(path.join(out, 'tokenizer.json'), 'utf8')).toBe(fs.readFileSync(path.join(first, 'tokenizer.json'), 'utf8'));
    expect(result.settings).toMatchObject({ hiddenSize: 32, numLayers: 1, intermediateSize: 64, maxPositions: 64, vocabSize: 300 });
    expect(result.model).toMatchObject({ hidden_size: 32, num_hidden_layers: 1, vocab_size: 300 });
    // Same corpus and seed: the same held-out texts and masks, so "before" is the first run's "after".
    expect(result.heldOut!.before.predictions).toBe(firstResult.heldOut!.after.predictions);
    expect(result.heldOut!.before.loss).toBeCloseTo(firstResult.heldOut!.after.loss, 4);
    expect(result.heldOut!.after.loss).toBeLessThan(result.heldOut!.before.loss);
  }, 120_000);

  it('names what conflicts with the checkpoint or is missing from it', async () => {
    const base = { corpus, outputDir: path.join(work, 'x'), maxSteps: 1, init: first };
    await expect(pretrainMlm({ ...base, architecture: { hiddenSize: 64, maxLength: 32 }, vocabSize: 500 })).rejects.toThrow(
      /option init: the tokenizer, vocabulary and architecture come from .*first; do not also give vocabSize, architecture\.hiddenSize/,
    );
    await expect(pretrainMlm({ ...base, architecture: { maxLength: 100 } })).rejects.toThrow(/option init: .*first: architecture\.maxLength 100 is above its 64 positions/);
    const bare = path.join(work, 'bare');
    fs.mkdirSync(bare, { recursive: true });
    for (const f of ['config.json', 'model.safetensors']) fs.copyFileSync(path.join(first, f), path.join(bare, f));
    await expect(pretrainMlm({ ...base, init: bare })).rejects.toThrow(/option init: .*bare has no tokenizer\.json/);
    fs.copyFileSync(path.join(first, 'tokenizer.json'), path.join(bare, 'tokenizer.json'));
    fs.writeFileSync(path.join(bare, 'pretraining.json'), '{"steps": 20,');
    await expect(pretrainMlm({ ...base, init: bare })).rejects.toThrow(/bare\/pretraining\.json: not valid JSON/);
  }, 60_000);
});

describe('pretrainMlm limits', () => {
  it('counts only non-padding tokens: one unpacked epoch reads every text with its [CLS] and [SEP]', async () => {
    const texts = corpus.slice(0, 100);
    const result = await pretrainMlm({ ...TINY, corpus: texts, outputDir: path.join(work, 'epoch'), epochs: 1, pack: false, heldOutFraction: 0 });
    const tokenizer = HfTokenizer.fromFile(path.join(work, 'epoch', 'tokenizer.json'), { addSpecialTokens: false, maxLength: 1_000_000 });
    const expected = texts.reduce((n, t) => n + Math.min(tokenizer.encode(t).length, 46) + 2, 0);
    expect(result.tokens).toBe(expected);
    expect(result.steps).toBe(Math.ceil(100 / 16));
    expect(result.tokens).toBeLessThan(result.steps * 16 * 48); // padding to the batch's longest sequence is not counted
    expect(result).toMatchObject({ stopReason: 'epochs', heldOut: null });
  }, 60_000);

  it('stops at a token budget and at a time limit', async () => {
    const budget = await pretrainMlm({ ...TINY, corpus, outputDir: path.join(work, 'budget'), tokenBudget: 5000, heldOutFraction: 0 });
    expect(budget.stopReason).toBe('token-budget');
    expect(budget.tokens).toBeGreaterThanOrEqual(5000);
    expect(budget.tokens).toBeLessThan(5000 + 16 * 48);
    const timed = await pretrainMlm({ ...TINY, corpus, outputDir: path.join(work, 'timed'), maxMinutes: 0.02, heldOutFraction: 0 });
    expect(timed.stopReason).toBe('time-limit');
    expect(timed.durationSeconds).toBeGreaterThanOrEqual(1.2);
    expect(timed.settings['plannedSteps']).toBeNull(); // no step count known: warmup then a constant rate
  }, 60_000);

  it('names a bad option', async () => {
    await expect(pretrainMlm({ corpus, outputDir: path.join(work, 'x') })).rejects.toThrow(/give at least one of maxSteps, tokenBudget, maxMinutes or epochs/);
    await expect(pretrainMlm({ corpus, outputDir: path.join(work, 'x'), maxSteps: 1.5 })).rejects.toThrow(/option maxSteps must be a positive integer, got 1.5/);
    await expect(pretrainMlm({ corpus, outputDir: path.join(work, 'x'), maxSteps: 1, tokenizer: path.join(work, 'none.json') })).rejects.toThrow(/cannot read the tokenizer .*none\.json/);
  });
});
