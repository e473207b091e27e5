// `sentiment pretrain` (a few MLM steps of a tiny BERT on PhraseBank's training sentences) writes a Hugging Face
// directory and a run report, and `train` fine-tunes the two-branch model from it.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pretrainSentiment, trainSentiment, type SentimentModelInfo } from '../src/index.js';
import { lines, readJson, tempDir, writeConfig } from './helpers.js';

const dir = tempDir('pretrain');
const runs = path.join(dir, 'runs');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('sentiment pretrain', () => {
  it('pretrains on the training sentences only, reports tokens, time and MLM loss, and feeds train', async () => {
    const output = path.join(dir, 'mlm');
    const config = path.join(dir, 'pretrain.yaml');
    fs.writeFileSync(config, [
      `# node tools/run-ts.mjs apps/sentiment/src/main.ts pretrain --config ${config}`,
      `output: ${output}`,
      'corpus: { include: [phrasebank-train] }',
      'vocabSize: 400',
      'architecture: { hiddenSize: 16, numLayers: 1, numHeads: 2, maxLength: 32 }',
      'batchSize: 8',
      'maxSteps: 4',
      'heldOutFraction: 0.05',
      '',
    ].join('\n'));
    const out = lines();
    const result = await pretrainSentiment({ config, set: [], runs }, out.print);
    for (const name of ['config.json', 'model.safetensors', 'tokenizer.json', 'pretraining.json']) expect(fs.existsSync(path.join(output, name))).toBe(true);
    expect(result.result.steps).toBe(4);
    expect(result.result.tokens).toBeGreaterThan(4 * 8 * 10);
    const corpus = result.result.corpus.description as { sources: Array<{ source: string; rule: string }> };
    expect(corpus.sources.map((s) => s.source)).toEqual(['phrasebank-train']);
    expect(corpus.sources[0]?.rule).toMatch(/training sentences of the FinBERT split .* only/);
    expect(out.all.at(-2)).toMatch(/^sentiment: pretrained 4 steps on \d+ tokens in \d+ s \(\d+ tokens\/s, max-steps\); final MLM loss \d+\.\d{4}, held-out \d+\.\d{4} -> \d+\.\d{4}$/);
    const summary = fs.readFileSync(path.join(result.runDir, 'summary.md'), 'utf8');
    expect(summary).toContain('| tokens trained on |');
    expect(summary).toContain('| final training MLM loss |');
    expect(fs.readFileSync(path.join(result.runDir, 'config.yaml'), 'utf8').split('\n')[0]).toBe(`# node tools/run-ts.mjs apps/sentiment/src/main.ts pretrain --config ${path.join(result.runDir, 'config.yaml')}`);

    const trained = await trainSentiment({
      config: writeConfig(dir, 'fine-tune.yaml', {
        data: { source: 'phrasebank', limit: 60 },
        model: { ngram: { buckets: 500, dim: 8, maxLength: 64 }, transformer: { pretrained: output, maxLength: 32 }, fusion: { type: 'fusion/concat', outDim: 8 } },
        trainer: { epochs: 1, optimizer: { type: 'adamw', lr: 0.01 }, groupLr: { 'text.transformer.*': 0.1 } },
        progress: 'none',
      }),
      set: [],
      runs,
    }, lines().print);
    const info = readJson(path.join(trained.models[0] as string, 'sentiment.json')) as unknown as SentimentModelInfo;
    expect(info.pretrained).toBe(output);
    expect(fs.readFileSync(path.join(trained.models[0] as string, 'tokenizer.json'), 'utf8').trim()).toBe(fs.readFileSync(path.join(output, 'tokenizer.json'), 'utf8').trim());
  }, 120_000);
});
