// `text/transformer` with `pretrained: <dir>`: the encoder of an MLM-pretrained (or any Hugging Face BERT) directory,
// built through the registry, and the errors that name the directory.
import * as tf from '@tensorflow/tfjs';
import { ConfigError, registry } from '@finmm/core';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlmModel, parseHfConfig, saveMlmModel, type TransformerEncoder } from '../src/index.js';

const work = mkdtempSync(join(tmpdir(), 'finmm-pretrained-'));
const dir = join(work, 'mlm');
const ARCH = parseHfConfig({
  model_type: 'bert', vocab_size: 40, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 20, max_position_embeddings: 24,
});
let source: MlmModel;

beforeAll(async () => {
  source = new MlmModel(ARCH, { seed: 3, scope: 'source/' });
  tf.tidy(() => source.variables().forEach((v, i) => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.2, 'float32', i)))));
  await saveMlmModel(source, dir);
});
afterAll(() => {
  source.dispose();
  rmSync(work, { recursive: true, force: true });
});

function input(): { ids: tf.Tensor2D; attentionMask: tf.Tensor2D } {
  return { ids: tf.tensor2d([[2, 7, 8, 9, 3], [2, 11, 3, 0, 0]], undefined, 'int32'), attentionMask: tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]) };
}

function tokens(encoder: TransformerEncoder): number[][][] {
  return tf.tidy(() => {
    const x = input();
    return (encoder.encode(x, false).tokens as tf.Tensor3D).arraySync();
  });
}

function buildError(config: Record<string, unknown>, context = {}): ConfigError {
  try {
    registry.build('encoder', config, context).dispose();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe("text/transformer 'pretrained'", () => {
  it("builds the directory's encoder with its weights, and its config rebuilds it", () => {
    const encoder = registry.build('encoder', { type: 'text/transformer', pretrained: dir, pooling: 'mean', scope: 'loaded/' }, { vocabSize: 40 }) as TransformerEncoder;
    expect(tokens(encoder)).toEqual(tokens(source.encoder));
    const config = encoder.config();
    expect(config).toMatchObject({ type: 'text/transformer', pooling: 'mean', hf: { model_type: 'bert', hidden_size: 16, architectures: ['BertForMaskedLM'] } });
    expect(config['pretrained']).toBeUndefined(); // a saved model's config rebuilds without the directory
    expect(registry.validate('encoder', config)).toEqual(config);
    const copy = registry.build('encoder', JSON.parse(JSON.stringify({ ...config, scope: 'copy/' }))) as TransformerEncoder;
    expect(copy.config()).toEqual({ ...config, scope: 'copy/' });
    expect(tokens(copy)).not.toEqual(tokens(source.encoder)); // fresh weights: the config alone does not read the directory
    copy.variables().forEach((v, i) => v.assign(encoder.variables()[i] as tf.Variable));
    expect(tokens(copy)).toEqual(tokens(source.encoder));
    copy.dispose();
    encoder.dispose();
  });

  it('lets the config change the dropout rates but nothing else of the architecture', () => {
    const encoder = registry.build('encoder', { type: 'text/transformer', pretrained: dir, hiddenDropout: 0.3, attentionDropout: 0.2, scope: 'dropout/' }) as TransformerEncoder;
    expect([encoder.architecture.hiddenDropout, encoder.architecture.attentionDropout]).toEqual([0.3, 0.2]);
    expect(encoder.config()).toMatchObject({ hf: { hidden_dropout_prob: 0.3, attention_probs_dropout_prob: 0.2 } });
    expect(tokens(encoder)).toEqual(tokens(source.encoder)); // evaluation mode: dropout off, same weights
    encoder.dispose();
    const mismatch = buildError({ type: 'text/transformer', pretrained: dir, hiddenSize: 32 });
    expect(mismatch.field).toBe('hiddenSize');
    expect(mismatch.message).toContain(`pretrained model ${dir}: its config.json has hiddenSize 16, this config asks for 32`);
  });

  it('names the directory when it is missing, incomplete, or does not fit the tokenizer', async () => {
    const missing = buildError({ type: 'text/transformer', pretrained: join(work, 'nowhere') });
    expect(missing.field).toBe('pretrained');
    expect(missing.message).toContain(`pretrained model directory ${join(work, 'nowhere')} does not exist`);
    expect(buildError({ type: 'text/transformer', pretrained: dir }, { vocabSize: 41 }).message).toMatch(/the tokenizer has 41 ids but the checkpoint's vocabulary only 40/);
    expect(buildError({ type: 'text/transformer', pretrained: dir, pooling: 'pooler' }).message).toMatch(/missing weights: pooler\.dense\.weight, pooler\.dense\.bias/);
    const broken = join(work, 'broken');
    const small = new MlmModel({ ...ARCH, numLayers: 1 }, { seed: 1, scope: 'small/' });
    await saveMlmModel(small, broken);
    small.dispose();
    // A config.json that promises two layers over weights of one.
    writeFileSync(join(broken, 'config.json'), JSON.stringify({ model_type: 'bert', vocab_size: 40, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 20 }));
    const wrong = buildError({ type: 'text/transformer', pretrained: broken });
    expect(wrong.message).toContain(`pretrained model ${broken}: ${join(broken, 'model.safetensors')} does not match a bert encoder of this config; missing weights: encoder.layer.1`);
    unlinkSync(join(broken, 'model.safetensors'));
    expect(buildError({ type: 'text/transformer', pretrained: broken }).message).toContain(`pretrained model directory ${broken} has no model.safetensors`);
  });

  it("rejects 'hf' together with 'pretrained' when validating", () => {
    expect(() => registry.validate('encoder', { type: 'text/transformer', pretrained: dir, hf: { model_type: 'bert' } })).toThrow(
      /config field "pretrained" of encoder 'text\/transformer': give either "hf" or "pretrained"/,
    );
  });
});
