// The sentiment app's shipped configs are valid and start with the command that runs them; a bad field in a
// config fails with the file and the field named.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { configHeaderProblem } from '@finmm/finance-tasks';
import { loadPretrainConfig, loadSentimentConfig } from '../src/index.js';

const configsDir = fileURLToPath(new URL('../configs/', import.meta.url));
const configs = fs.readdirSync(configsDir).filter((f) => /\.ya?ml$/.test(f)).sort();
const trainConfigs = configs.filter((f) => f.startsWith('phrasebank'));
const file = (name: string): string => path.join(configsDir, name);

describe('shipped sentiment configs', () => {
  it('cover the default model, the ablations, the quick demo and MLM pretraining', () => {
    expect(configs).toEqual(['phrasebank-ngram.yaml', 'phrasebank-quick.yaml', 'phrasebank-tfidf-lr.yaml', 'phrasebank-tfidf-ngram.yaml', 'phrasebank-tfidf.yaml', 'phrasebank-transformer.yaml', 'phrasebank.yaml', 'pretrain-mlm.yaml']);
  });

  it('give the TF-IDF ablations the branch with the features of the Python baseline', () => {
    const alone = loadSentimentConfig(file('phrasebank-tfidf.yaml')).config.model;
    expect([alone.ngram, alone.transformer]).toEqual([null, null]);
    const withNgram = loadSentimentConfig(file('phrasebank-tfidf-ngram.yaml')).config.model;
    expect(withNgram.ngram).not.toBeNull();
    const asRegression = loadSentimentConfig(file('phrasebank-tfidf-lr.yaml')).config;
    for (const model of [alone, withNgram, asRegression.model]) {
      expect(model.tfidf).toMatchObject({ words: { min: 1, max: 2, minDf: 1 }, chars: { min: 2, max: 5, minDf: 2 }, sublinearTf: true });
    }
    // Trained as logistic regression: linear layers, full batch, Adam with L2 to a fixed step count, last weights kept.
    expect([asRegression.model.ngram, asRegression.model.transformer]).toEqual([null, null]);
    expect(asRegression.model.fusion).toMatchObject({ activation: 'linear', dropout: 0 });
    expect(asRegression.batchSize).toBeGreaterThanOrEqual(3488);
    expect(asRegression.trainer['optimizer']).toMatchObject({ type: 'adam', weightDecay: 0.001 });
    expect(asRegression.trainer['earlyStopping']).toMatchObject({ restoreBest: false });
  });

  it.each(trainConfigs)('%s is a valid training config whose first line runs it', (name) => {
    const text = fs.readFileSync(file(name), 'utf8');
    expect(configHeaderProblem(file(name), text)).toBeNull();
    expect(text.split('\n')[0]).toBe(`# node tools/run-ts.mjs apps/sentiment/src/main.ts train --config apps/sentiment/configs/${name}`);
    const { config } = loadSentimentConfig(file(name));
    expect(config.data).toMatchObject({ source: 'phrasebank' });
    expect(config.data.source === 'phrasebank' && config.data.limit).toBeFalsy(); // the full FinBERT split
    expect(config.trainer['earlyStopping']).toMatchObject({ metric: 'sentiment.f1_macro', mode: 'max' });
  });

  it('pretrain-mlm.yaml is a valid pretraining config whose output the transformer configs load', () => {
    const text = fs.readFileSync(file('pretrain-mlm.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe('# node tools/run-ts.mjs apps/sentiment/src/main.ts pretrain --config apps/sentiment/configs/pretrain-mlm.yaml');
    const { config } = loadPretrainConfig(file('pretrain-mlm.yaml'));
    for (const name of ['phrasebank.yaml', 'phrasebank-transformer.yaml']) {
      expect(loadSentimentConfig(file(name)).config.model.transformer?.pretrained).toBe(config.output);
    }
  });

  it('give the default model both branches with a lower learning rate for the pretrained transformer, and patience for noisy validation F1', () => {
    const { config } = loadSentimentConfig(file('phrasebank.yaml'));
    expect(config.model.ngram).not.toBeNull();
    expect(config.model.transformer).not.toBeNull();
    const groupLr = config.trainer['groupLr'] as Record<string, number>;
    expect(groupLr['text.transformer.*']).toBeLessThan(1);
    expect((config.trainer['earlyStopping'] as { patience: number }).patience).toBeGreaterThanOrEqual(5);
    expect(loadSentimentConfig(file('phrasebank-ngram.yaml')).config.model.transformer).toBeNull();
    expect(loadSentimentConfig(file('phrasebank-transformer.yaml')).config.model.ngram).toBeNull();
  });
});

describe('config errors', () => {
  const quick = file('phrasebank-quick.yaml');
  it('name the file, the overrides and the field', () => {
    expect(() => loadSentimentConfig(quick, ['model.ngram.dim=-4'])).toThrow(/phrasebank-quick\.yaml \(with --set model\.ngram\.dim=-4\): config field "model\.ngram\.dim": Too small/);
    expect(() => loadSentimentConfig(quick, ['model.ngram.dimm=4'])).toThrow(/unknown config field "model\.ngram\.dimm"/);
    expect(() => loadSentimentConfig(quick, ['data.source=csv'])).toThrow(/config field "data\.source"/);
    expect(() => loadSentimentConfig(quick, ['seeds=[]'])).toThrow(/config field "seeds"/);
    expect(() => loadSentimentConfig(quick, ['model.combine=sum'])).toThrow(/config field "model\.combine"/);
    expect(() => loadSentimentConfig(quick, ['loss.classWeights=[1, 2]'])).toThrow(/config field "loss\.classWeights": 2 weights for 3 classes/);
  });

  it('name the field of cross-field and trainer mistakes', () => {
    expect(() => loadSentimentConfig(quick, ['model.ngram=null', 'model.transformer=null', 'model.tfidf=null'])).toThrow(/config field "model": give at least one branch/);
    expect(() => loadSentimentConfig(quick, ['model.tfidf.words=null', 'model.tfidf.chars=null'])).toThrow(/config field "model\.tfidf": give "words" or "chars"/);
    expect(() => loadSentimentConfig(quick, ['model.tfidf.chars.min=6'])).toThrow(/config field "model\.tfidf\.chars\.min": min must not exceed max/);
    expect(() => loadSentimentConfig(quick, ['trainer.seed=3'])).toThrow(/config field "trainer\.seed": set by the app per fit/);
    expect(() => loadSentimentConfig(quick, ['trainer.earlyStopping.patience=0'])).toThrow(/trainer config field "earlyStopping\.patience"/);
    expect(() => loadSentimentConfig(quick, ['data={source: file, path: x.csv, classes: [a, a]}'])).toThrow(/config field "data\.classes": a class is listed twice/);
    expect(() => loadPretrainConfig(file('pretrain-mlm.yaml'), ['maxMinutes=null', 'tokenBudget=null'])).toThrow(/config field "maxMinutes": give at least one of maxMinutes, maxSteps or tokenBudget/);
    expect(() => loadPretrainConfig(file('pretrain-mlm.yaml'), ['corpus.include=[reddit]'])).toThrow(/config field "corpus\.include\.0"/);
  });

  it('accept a null trainer field as "leave it out"', () => {
    const { config } = loadSentimentConfig(quick, ['trainer.earlyStopping=null']);
    expect(config.trainer['earlyStopping']).toBeUndefined();
  });
});

describe('pretraining config with init (continued pretraining)', () => {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'finmm-sentiment-init-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bert = (hidden: number): Record<string, unknown> => ({
    model_type: 'bert', vocab_size: 12000, hidden_size: hidden, num_hidden_layers: 4, num_attention_heads: 4, intermediate_size: 4 * hidden,
    hidden_act: 'gelu', max_position_embeddings: 512, type_vocab_size: 2, layer_norm_eps: 1e-12, hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1, pad_token_id: 0,
  });
  const checkpoint = (name: string, hidden: number): string => {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    fs.writeFileSync(path.join(dir, name, 'config.json'), JSON.stringify(bert(hidden)));
    return path.join(dir, name);
  };

  it('accepts the shipped config when its architecture is the checkpoint\'s', () => {
    const same = checkpoint('same', 256);
    expect(loadPretrainConfig(file('pretrain-mlm.yaml'), [`init=${same}`]).config.init).toBe(same);
  });

  it('names a field that differs from the checkpoint, and a missing checkpoint', () => {
    const wide = checkpoint('wide', 512);
    expect(() => loadPretrainConfig(file('pretrain-mlm.yaml'), [`init=${wide}`])).toThrow(/config field "architecture\.hiddenSize": 256, but the init checkpoint .*wide has 512/);
    expect(() => loadPretrainConfig(file('pretrain-mlm.yaml'), [`init=${path.join(dir, 'none')}`])).toThrow(/config field "init": .*none\/config\.json does not exist/);
  });
});
