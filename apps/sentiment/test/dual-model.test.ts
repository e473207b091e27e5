// The two-branch model: a hashed n-gram bag and a transformer loaded from a (tiny) pretrained Hugging Face
// directory, combined by concatenation or a gate; branch-named parameter groups for discriminative learning rates;
// padding invariance; training, saving and predicting end to end.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelDir, registry, toTfTensor } from '@finmm/core';
import { parseHfConfig, saveHfModel, TransformerEncoder, writeTokenizerJson } from '@finmm/encoders-text';
import { buildTrainableParams } from '@finmm/trainer';
import {
  buildSentimentModel,
  DualTextEncoder,
  loadSentimentData,
  parseSentimentConfig,
  predictSentiment,
  prepareText,
  trainSentiment,
  type SentimentModelInfo,
  type TrainOutcome,
} from '../src/index.js';
import { textInput } from '../src/collator.js';
import { trainSentimentTokenizer } from '../src/text-features.js';
import { lines, readJson, readJsonl, tempDir, writeConfig } from './helpers.js';

const dir = tempDir('dual');
const runs = path.join(dir, 'runs');
const pretrained = path.join(dir, 'tiny-bert');

const modelBlock = (combine: 'concat' | 'gated') => ({
  ngram: { n: 2, buckets: 3000, dim: 12, maxLength: 96 },
  transformer: { pretrained, pooling: 'mean', maxLength: 48 },
  combine,
  combineDim: 10,
  fusion: { type: 'fusion/concat', outDim: 12 },
});
const base = {
  name: 'dual',
  data: { source: 'phrasebank', limit: 120 },
  seeds: [2],
  model: modelBlock('gated'),
  trainer: {
    epochs: 2,
    optimizer: { type: 'adamw', lr: 0.01 },
    groupLr: { 'text.transformer.*': 0.1 },
    earlyStopping: { metric: 'sentiment.f1_macro', mode: 'max', patience: 2 },
    adversarial: { method: 'fgm', target: 'latent', eps: 0.5, beta: 0.5 },
  },
  progress: 'none',
};

let outcome: TrainOutcome;
beforeAll(async () => {
  // A tiny "pretrained" BERT with a tokenizer trained on the slice's training sentences, as `sentiment pretrain` writes one.
  const data = await loadSentimentData({ source: 'phrasebank', limit: 120 });
  const tokenizer = trainSentimentTokenizer(data.split.train.map((r) => data.texts[r] as string), { vocabSize: 600, minFrequency: 2 });
  const vocabSize = Object.keys(tokenizer.model.vocab).length;
  const encoder = new TransformerEncoder(parseHfConfig({ model_type: 'bert', vocab_size: vocabSize, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 64 }), { seed: 9 });
  await saveHfModel(encoder, pretrained);
  encoder.dispose();
  writeTokenizerJson(path.join(pretrained, 'tokenizer.json'), tokenizer);
  outcome = await trainSentiment({ config: writeConfig(dir, 'dual.yaml', base), set: [], runs }, lines().print);
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function built(combine: 'concat' | 'gated') {
  const config = parseSentimentConfig({ ...base, model: modelBlock(combine) }, 'test config');
  const data = await loadSentimentData(config.data);
  const prepared = prepareText(config.model, data.split.train.map((r) => data.texts[r] as string));
  return { config, data, prepared, ...(await buildSentimentModel(config, prepared, data.classes, 3, null)) };
}

describe('text/ngram-transformer', () => {
  it('starts from the pretrained weights and names its parameter groups by branch', async () => {
    const { model, prepared } = await built('gated');
    try {
      const encoder = model.fused.encoders.get('text');
      expect(encoder).toBeInstanceOf(DualTextEncoder);
      const dual = encoder as DualTextEncoder;
      const { tensors } = await loadModelDir(pretrained);
      const word = dual.transformer.namedWeights().find((w) => w.name === 'embeddings.word_embeddings.weight');
      const stored = toTfTensor(tensors.get('embeddings.word_embeddings.weight') as never, 'word embeddings');
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(stored, word?.variable as tf.Variable))).dataSync()[0])).toBe(0);
      stored.dispose();
      expect(prepared.featurizer.transformer?.vocabSize).toBe(dual.transformer.architecture.vocabSize);

      const groups = model.parameterGroups();
      expect(groups.map((g) => g.name)).toEqual(['text.ngram', 'text.transformer.embeddings', 'text.transformer.layer.0', 'text.transformer.layer.1', 'text.transformer.layer.2', 'text.combine', 'fusion', 'head.sentiment']);
      expect(groups.filter((g) => g.pretrained).map((g) => g.name)).toEqual(['text.transformer.embeddings', 'text.transformer.layer.0', 'text.transformer.layer.1', 'text.transformer.layer.2']);
      const grouped = groups.flatMap((g) => g.variables);
      expect(new Set(grouped).size).toBe(model.variables().length); // every variable in exactly one group
      const params = buildTrainableParams(groups, { lr: 0.01, weightDecay: 0, groupLr: { 'text.transformer.*': 0.1 } });
      const lrOf = (group: string): number[] => [...new Set(params.filter((p) => p.group === group).map((p) => p.lr))];
      expect(lrOf('text.transformer.layer.1')).toEqual([0.001]);
      expect(lrOf('text.ngram')).toEqual([0.01]);
      expect(lrOf('head.sentiment')).toEqual([0.01]);
    } finally {
      model.dispose();
    }
  });

  it('gives each sentence the same embedding alone or padded in a batch, concatenated or gated', async () => {
    for (const combine of ['concat', 'gated'] as const) {
      const { model, prepared, data } = await built(combine);
      try {
        const dual = model.fused.encoders.get('text') as DualTextEncoder;
        const texts = [data.texts[data.split.test[0] as number] as string, 'Profit rose.'];
        const encoded = texts.map((t) => prepared.featurizer.encode(t));
        expect((encoded[0]?.ids.length ?? 0) > (encoded[1]?.ids.length ?? 0)).toBe(true);
        const together = textInput(prepared.featurizer, encoded);
        const alone = textInput(prepared.featurizer, [encoded[1] as (typeof encoded)[number]]);
        const both = dual.encode(together, false).pooled; // [2, D]
        const single = dual.encode(alone, false).pooled; // [1, D]
        expect(both.shape).toEqual([2, combine === 'concat' ? 12 + 16 : 10]);
        const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.slice(both, [1, 0], [1, -1]), single))).dataSync()[0] as number);
        expect(diff).toBeLessThan(1e-5);
        if (combine === 'gated') {
          const weights = dual.gateWeights(together) as tf.Tensor2D;
          expect(Array.from(tf.tidy(() => tf.sum(weights, 1)).dataSync()).every((s) => Math.abs(s - 1) < 1e-5)).toBe(true);
          weights.dispose();
        }
        tf.dispose([both, single, together.ids, together.attentionMask, alone.ids, alone.attentionMask, ...Object.values(together), ...Object.values(alone)]);
      } finally {
        model.dispose();
      }
    }
  });

  it('refuses a text input without the n-gram ids, naming the missing fields', () => {
    const encoder = registry.build('encoder', {
      type: 'text/ngram-transformer',
      ngram: { type: 'text/embedding-bag', vocabSize: 40, dim: 4 },
      transformer: { type: 'text/transformer', vocabSize: 30, hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 8, maxPositions: 8 },
      seed: 1,
    });
    try {
      const ids = tf.tensor2d([[1, 2]], [1, 2], 'int32');
      const mask = tf.ones([1, 2]) as tf.Tensor2D;
      expect(() => encoder.encode({ ids, attentionMask: mask }, false)).toThrow(/has no "ngramIds"\/"ngramMask"/);
      tf.dispose([ids, mask]);
    } finally {
      encoder.dispose();
    }
  });
});

describe('training the two-branch model', () => {
  it('trains with FGM and a lower transformer learning rate, saves a self-contained model, and predicts', async () => {
    const model = outcome.models[0] as string;
    const info = readJson(path.join(model, 'sentiment.json')) as unknown as SentimentModelInfo;
    expect(info.pretrained).toBe(path.resolve(pretrained));
    expect(info.text).toMatchObject({ ngram: { n: 2, buckets: 3000 }, transformer: { maxLength: 48 }, field: 'sentence' });
    const saved = readJson(path.join(model, 'config.json')) as { encoders: { text: { type: string; combine: string; transformer: { hf?: unknown; pretrained?: unknown } } } };
    expect(saved.encoders.text).toMatchObject({ type: 'text/ngram-transformer', combine: 'gated' });
    expect(saved.encoders.text.transformer.hf).toBeDefined(); // the architecture is in the model; the pretrained directory is not needed to load it
    expect(saved.encoders.text.transformer.pretrained).toBeUndefined();
    expect(fs.readFileSync(path.join(model, 'tokenizer.json'), 'utf8').trim()).toBe(fs.readFileSync(path.join(pretrained, 'tokenizer.json'), 'utf8').trim());

    fs.renameSync(pretrained, `${pretrained}-moved`); // predicting needs only the model directory
    try {
      const input = path.join(dir, 'in.jsonl');
      fs.writeFileSync(input, `${JSON.stringify({ text: 'Net sales increased by 18.5 % to EUR 167.8 mn.' })}\n{}\n`);
      const output = path.join(dir, 'out.jsonl');
      expect(await predictSentiment({ model, input, output }, lines().print)).toEqual({ records: 2, predicted: 1, errors: 1 });
      const [good, bad] = readJsonl(output);
      expect(Object.values(good?.['probabilities'] as Record<string, number>).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(bad).toEqual({ line: 2, error: 'field "sentence" (or "text") is missing' });
    } finally {
      fs.renameSync(`${pretrained}-moved`, pretrained);
    }
  });

  it('says what to do when the pretrained directory is missing, before starting a run', async () => {
    const config = writeConfig(dir, 'missing.yaml', { ...base, name: 'missing', model: { ...modelBlock('concat'), transformer: { pretrained: path.join(dir, 'no-such-model') } } });
    await expect(trainSentiment({ config, set: [], runs }, lines().print)).rejects.toThrow(/config field "model.transformer.pretrained": pretrained model config .*no-such-model\/config.json does not exist \(run `sentiment pretrain` first/);
    expect(fs.readdirSync(path.join(runs, 'sentiment')).some((d) => d.endsWith('-missing'))).toBe(false);
  });
});
