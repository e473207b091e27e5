import { ConfigError, registry } from '@finmm/core';
import { describe, expect, it } from 'vitest';
import { HfConfigError, parseHfConfig, toHfConfig, transformerRegistration } from '../src/index.js';

const bert = { model_type: 'bert', vocab_size: 99, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 37 };
const distilbert = { model_type: 'distilbert', vocab_size: 99, dim: 32, n_layers: 2, n_heads: 4, hidden_dim: 37, activation: 'relu' };
const roberta = { ...bert, model_type: 'roberta', hidden_act: 'gelu_new', type_vocab_size: 1, pad_token_id: 1, max_position_embeddings: 66 };

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof HfConfigError || error instanceof ConfigError) return error.field;
    throw error;
  }
  throw new Error('expected an error');
}

describe('parseHfConfig', () => {
  it('reads BERT names and fills transformers defaults', () => {
    expect(parseHfConfig(bert)).toEqual({
      modelType: 'bert',
      vocabSize: 99,
      hiddenSize: 32,
      numLayers: 2,
      numHeads: 4,
      intermediateSize: 37,
      activation: 'gelu',
      maxPositions: 512,
      typeVocabSize: 2,
      layerNormEps: 1e-12,
      hiddenDropout: 0.1,
      attentionDropout: 0.1,
      padTokenId: 0,
      sinusoidalPositions: false,
    });
  });

  it('reads DistilBERT names', () => {
    const c = parseHfConfig({ ...distilbert, sinusoidal_pos_embds: true, dropout: 0.2, attention_dropout: 0.3 });
    expect(c).toMatchObject({ modelType: 'distilbert', hiddenSize: 32, numLayers: 2, numHeads: 4, intermediateSize: 37 });
    expect(c).toMatchObject({ activation: 'relu', typeVocabSize: 0, sinusoidalPositions: true, hiddenDropout: 0.2, attentionDropout: 0.3 });
  });

  it('reads RoBERTa with its padding id and maps gelu_pytorch_tanh to gelu_new', () => {
    expect(parseHfConfig(roberta)).toMatchObject({ modelType: 'roberta', padTokenId: 1, activation: 'gelu_new', typeVocabSize: 1 });
    expect(parseHfConfig({ ...bert, model_type: 'roberta', hidden_act: 'gelu_pytorch_tanh' })).toMatchObject({ padTokenId: 1, activation: 'gelu_new' });
  });

  it('names the bad field', () => {
    expect(fieldOf(() => parseHfConfig({ ...bert, hidden_size: 'x' }))).toBe('hidden_size');
    expect(fieldOf(() => parseHfConfig({ ...bert, num_hidden_layers: undefined }))).toBe('num_hidden_layers');
    expect(fieldOf(() => parseHfConfig({ ...bert, hidden_act: 'swish' }))).toBe('hidden_act');
    expect(fieldOf(() => parseHfConfig({ ...bert, num_attention_heads: 5 }))).toBe('num_attention_heads');
    expect(fieldOf(() => parseHfConfig({ ...bert, position_embedding_type: 'relative_key' }))).toBe('position_embedding_type');
    expect(fieldOf(() => parseHfConfig({ ...distilbert, n_heads: 3 }))).toBe('n_heads');
    expect(() => parseHfConfig({ ...bert, hidden_size: 'x' })).toThrow(/config.json field "hidden_size"/);
  });

  it('names an unknown model_type', () => {
    expect(() => parseHfConfig({ ...bert, model_type: 'gpt2' })).toThrow(/model type "gpt2".*bert, distilbert, roberta/);
    expect(fieldOf(() => parseHfConfig({ vocab_size: 3 }))).toBe('model_type');
  });

  it('round-trips through toHfConfig', () => {
    for (const raw of [bert, distilbert, roberta]) {
      const parsed = parseHfConfig(raw);
      expect(parseHfConfig(toHfConfig(parsed))).toEqual(parsed);
    }
  });
});

describe('text/transformer registration', () => {
  it('is registered as an encoder', () => {
    expect(registry.types('encoder')).toContain('text/transformer');
  });

  it('builds every example and rebuilds from config()', () => {
    for (const example of transformerRegistration.examples) {
      const encoder = registry.build('encoder', example);
      const config = encoder.config();
      encoder.dispose();
      const again = registry.build('encoder', config);
      expect(again.config()).toEqual(config);
      again.dispose();
    }
  });

  it('takes vocabSize from the build context', () => {
    const encoder = registry.build('encoder', { type: 'text/transformer', hiddenSize: 8, numLayers: 1, numHeads: 2 }, { vocabSize: 17 });
    expect(encoder.config()).toMatchObject({ vocabSize: 17, intermediateSize: 32, modelType: 'bert' });
    encoder.dispose();
    expect(() => registry.build('encoder', { type: 'text/transformer', hiddenSize: 8 })).toThrow(/vocabSize/);
  });

  it('names bad fields, including those inside hf', () => {
    const build = (config: unknown) => () => registry.build('encoder', config, {}, 'encoders.text');
    expect(fieldOf(build({ type: 'text/transformer', hf: { ...bert, hidden_size: 'x' } }))).toBe('encoders.text.hf.hidden_size');
    expect(fieldOf(build({ type: 'text/transformer', hf: { ...bert, model_type: 'xlnet' } }))).toBe('encoders.text.hf.model_type');
    expect(fieldOf(build({ type: 'text/transformer', hf: bert, numLayers: 2 }))).toBe('encoders.text.numLayers');
    expect(fieldOf(build({ type: 'text/transformer', hf: distilbert, pooling: 'pooler' }))).toBe('encoders.text.pooling');
    expect(fieldOf(build({ type: 'text/transformer', vocabSize: 9, hiddenSize: 10, numHeads: 3 }))).toBe('encoders.text.numHeads');
    expect(fieldOf(build({ type: 'text/transformer', vocabSize: 9, modelType: 'distilbert', pooling: 'pooler' }))).toBe('encoders.text.pooling');
    expect(fieldOf(build({ type: 'text/transformer', vocabSize: 9, pooling: 'max' }))).toBe('encoders.text.pooling');
    expect(fieldOf(build({ type: 'text/transformer', vocabSize: 9, layers: 2 }))).toBe('encoders.text');
  });
});
