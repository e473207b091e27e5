import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { hasFusedKernel, seedDropout, setFusedKernelsEnabled, unseedDropout } from '@finmm/core';
import { parseHfConfig, TransformerEncoder, type Pooling, type TransformerConfig } from '../src/index.js';

const CONFIGS: Record<string, TransformerConfig> = {
  bert: parseHfConfig({ model_type: 'bert', vocab_size: 50, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 24, max_position_embeddings: 20 }),
  distilbert: parseHfConfig({ model_type: 'distilbert', vocab_size: 50, dim: 16, n_layers: 2, n_heads: 4, hidden_dim: 24, max_position_embeddings: 20 }),
  roberta: parseHfConfig({ model_type: 'roberta', vocab_size: 50, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 24, hidden_act: 'gelu_new', max_position_embeddings: 22, type_vocab_size: 1 }),
};

const live: TransformerEncoder[] = [];
function encoder(config: TransformerConfig, pooling: Pooling = 'cls', fuseQkv = true): TransformerEncoder {
  const e = new TransformerEncoder(config, { pooling, seed: 7, fuseQkv, scope: `t${live.length}/` });
  live.push(e);
  return e;
}
afterEach(() => {
  for (const e of live.splice(0)) e.dispose();
});

/** Ids [2, 5] with padding in the second sample (pad id of the config). */
function batch(config: TransformerConfig): { ids: tf.Tensor2D; attentionMask: tf.Tensor2D } {
  const p = config.padTokenId;
  return {
    ids: tf.tensor2d([[3, 9, 4, 11, 6], [7, 8, 12, p, p]], undefined, 'int32'),
    attentionMask: tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]),
  };
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);
}

describe.each(Object.entries(CONFIGS))('%s transformer', (arch, config) => {
  const poolings: Pooling[] = arch === 'distilbert' ? ['cls', 'mean'] : ['cls', 'mean', 'pooler'];

  it.each(poolings)('has the contract shapes with %s pooling', (pooling) => {
    const e = encoder(config, pooling);
    const input = batch(config);
    const out = e.encode(input, false);
    expect(out.pooled.shape).toEqual([2, 16]);
    expect(out.tokens?.shape).toEqual([2, 5, 16]);
    expect(out.tokenMask?.arraySync()).toEqual(input.attentionMask.arraySync());
    expect(e.outDim).toBe(16);
    if (pooling === 'cls') expect(maxDiff(out.pooled, tf.squeeze(tf.slice(out.tokens as tf.Tensor3D, [0, 0, 0], [2, 1, 16]), [1]))).toBe(0);
    tf.dispose([out.pooled, out.tokens, out.tokenMask, input.ids, input.attentionMask]);
  });

  it('sends gradients to every trainable variable', () => {
    const e = encoder(config, arch === 'distilbert' ? 'mean' : 'pooler');
    const second = config.typeVocabSize > 1 ? 1 : 0;
    const input = { ...batch(config), typeIds: tf.tensor2d([[0, 0, second, second, second], [0, 0, 0, 0, 0]], undefined, 'int32') };
    const trainable = e.variables().filter((v) => v.trainable);
    const { value, grads } = tf.variableGrads(() => {
      const out = e.encode(input, true);
      return tf.add(tf.sum(tf.square(out.pooled)), tf.mean(tf.square(out.tokens as tf.Tensor3D))) as tf.Scalar;
    }, trainable);
    for (const v of trainable) {
      const g = grads[v.name];
      expect(g, v.name).toBeDefined();
      expect(tf.tidy(() => tf.sum(tf.abs(g as tf.Tensor)).dataSync()[0]), v.name).toBeGreaterThan(0);
    }
    tf.dispose([value, ...Object.values(grads), input.ids, input.attentionMask, input.typeIds]);
  });

  it('leaks no tensors over repeated training steps', async () => {
    const e = encoder(config, 'mean');
    const input = batch(config);
    const optimizer = tf.train.adam(1e-3);
    const step = async (): Promise<void> => {
      const cost = optimizer.minimize(() => tf.mean(tf.square(e.encode(input, true).pooled)) as tf.Scalar, true);
      await cost?.data();
      cost?.dispose();
    };
    await step(); // creates Adam's moment slots
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await step();
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    tf.dispose([input.ids, input.attentionMask]);
  });

  it('uses dropout only when training', () => {
    const e = encoder({ ...config, hiddenDropout: 0.3, attentionDropout: 0.3 });
    const input = batch(config);
    const [a, b, c] = [e.encode(input, false), e.encode(input, false), e.encode(input, true)];
    expect(maxDiff(a.pooled, b.pooled)).toBe(0);
    expect(maxDiff(a.pooled, c.pooled)).toBeGreaterThan(1e-3);
    tf.dispose([a, b, c].flatMap((o) => [o.pooled, o.tokens, o.tokenMask]));
    tf.dispose([input.ids, input.attentionMask]);
  });

  it('gives the same outputs with fused and separate QKV projections', () => {
    const fused = encoder(config, 'mean', true);
    const separate = encoder(config, 'mean', false);
    const input = batch(config);
    const [a, b] = [fused.encode(input, false), separate.encode(input, false)];
    expect(maxDiff(a.tokens as tf.Tensor, b.tokens as tf.Tensor)).toBeLessThan(1e-5);
    tf.dispose([a.pooled, a.tokens, a.tokenMask, b.pooled, b.tokens, b.tokenMask, input.ids, input.attentionMask]);
  });

  it('exposes the word vectors for adversarial perturbations', () => {
    const e = encoder(config, 'mean');
    const input = batch(config);
    const words = e.embed(input);
    expect(words.shape).toEqual([2, 5, 16]);
    const direct = e.encode(input, false);
    const staged = e.encodeEmbeddings(input, words, false);
    const zero = e.encode(input, false, { embeddingDelta: tf.zerosLike(words) });
    const moved = e.encode(input, false, { embeddingDelta: tf.randomNormal(words.shape, 0, 0.5, 'float32', 1) });
    expect(maxDiff(direct.pooled, staged.pooled)).toBe(0);
    expect(maxDiff(direct.pooled, zero.pooled)).toBe(0);
    expect(maxDiff(direct.pooled, moved.pooled)).toBeGreaterThan(1e-3);
    const grad = tf.grad((delta: tf.Tensor) => tf.sum(e.encode(input, false, { embeddingDelta: delta as tf.Tensor3D }).pooled))(tf.zerosLike(words));
    expect(grad.shape).toEqual([2, 5, 16]);
    tf.dispose([words, grad, input.ids, input.attentionMask]);
    tf.dispose([direct, staged, zero, moved].flatMap((o) => [o.pooled, o.tokens, o.tokenMask]));
  });

  it('ignores padding: a padded sample encodes its real tokens as the unpadded one does', () => {
    const e = encoder(config, 'mean');
    const p = config.padTokenId;
    const padded = { ids: tf.tensor2d([[3, 9, 4, p, p]], undefined, 'int32'), attentionMask: tf.tensor2d([[1, 1, 1, 0, 0]]) };
    const short = { ids: tf.tensor2d([[3, 9, 4]], undefined, 'int32'), attentionMask: tf.tensor2d([[1, 1, 1]]) };
    const [a, b] = [e.encode(padded, false), e.encode(short, false)];
    expect(maxDiff(a.pooled, b.pooled)).toBeLessThan(1e-5);
    expect(maxDiff(tf.slice(a.tokens as tf.Tensor3D, [0, 0, 0], [1, 3, 16]), b.tokens as tf.Tensor3D)).toBeLessThan(1e-5);
    tf.dispose([a.pooled, a.tokens, a.tokenMask, b.pooled, b.tokens, b.tokenMask, padded.ids, padded.attentionMask, short.ids, short.attentionMask]);
  });

  it('groups variables bottom to top, each once', () => {
    const e = encoder(config);
    const groups = e.layerGroups();
    expect(groups.length).toBe(config.numLayers + (arch === 'distilbert' ? 1 : 2));
    expect(groups.flat().map((v) => v.name).sort()).toEqual(e.variables().map((v) => v.name).sort());
    expect(groups[0]?.map((v) => v.name)).toContain(`${e.scope}embeddings.word_embeddings.weight`);
  });
});

describe('TransformerEncoder', () => {
  it('names variables like the Hugging Face state dict', () => {
    const names = encoder(CONFIGS['bert'] as TransformerConfig).namedWeights().map((w) => w.name);
    expect(names).toContain('encoder.layer.1.attention.self.query.weight');
    expect(names).toContain('encoder.layer.0.output.LayerNorm.bias');
    expect(names).toContain('pooler.dense.weight');
    const distil = encoder(CONFIGS['distilbert'] as TransformerConfig).namedWeights().map((w) => w.name);
    expect(distil).toContain('transformer.layer.0.attention.q_lin.weight');
    expect(distil).toContain('transformer.layer.1.ffn.lin2.bias');
    expect(distil.some((n) => n.startsWith('pooler'))).toBe(false);
  });

  it('keeps RoBERTa positions past the padding offset, so left padding does not shift them', () => {
    const e = encoder(CONFIGS['roberta'] as TransformerConfig, 'mean');
    const left = { ids: tf.tensor2d([[1, 1, 3, 9, 4]], undefined, 'int32'), attentionMask: tf.tensor2d([[0, 0, 1, 1, 1]]) };
    const plain = { ids: tf.tensor2d([[3, 9, 4]], undefined, 'int32'), attentionMask: tf.tensor2d([[1, 1, 1]]) };
    const [a, b] = [e.encode(left, false), e.encode(plain, false)];
    expect(maxDiff(a.pooled, b.pooled)).toBeLessThan(1e-5);
    tf.dispose([a.pooled, a.tokens, a.tokenMask, b.pooled, b.tokens, b.tokenMask, left.ids, left.attentionMask, plain.ids, plain.attentionMask]);
  });

  it('refuses sequences longer than its positions, a pooler for DistilBERT and clashing variable names', () => {
    const config = CONFIGS['bert'] as TransformerConfig;
    const e = encoder(config);
    const long = { ids: tf.zeros([1, 21], 'int32') as tf.Tensor2D, attentionMask: tf.ones([1, 21]) as tf.Tensor2D };
    expect(() => e.encode(long, false)).toThrow(/sequence length 21 exceeds the 20 positions/);
    expect(() => new TransformerEncoder(CONFIGS['distilbert'] as TransformerConfig, { pooling: 'pooler' })).toThrow(/DistilBERT has no pooler/);
    expect(() => new TransformerEncoder(config, { scope: e.scope })).toThrow(/already exists.*scope/);
    tf.dispose([long.ids, long.attentionMask]);
  });

  it('makes DistilBERT sinusoidal positions fixed', () => {
    const e = encoder({ ...(CONFIGS['distilbert'] as TransformerConfig), sinusoidalPositions: true });
    const positions = e.embeddings.positions;
    expect(positions.trainable).toBe(false);
    const row1 = positions.slice([1, 0], [1, 4]).dataSync();
    expect(Array.from(row1)).toEqual([Math.sin(1), Math.cos(1), Math.sin(1 / 10000 ** (2 / 16)), Math.cos(1 / 10000 ** (2 / 16))].map((x) => Math.fround(x)));
  });
});

describe('backends', () => {
  /** Outputs and gradients of a fixed input (no dropout), read back as arrays. */
  function run(e: TransformerEncoder, config: TransformerConfig): number[][] {
    return tf.tidy(() => {
      const input = batch(config);
      const trainable = e.variables().filter((v) => v.trainable);
      const { value, grads } = tf.variableGrads(() => {
        const out = e.encode(input, false);
        return tf.add(tf.sum(tf.square(out.pooled)), tf.mean(tf.square(out.tokens as tf.Tensor3D))) as tf.Scalar;
      }, trainable);
      return [Array.from(value.dataSync()), ...trainable.map((v) => Array.from((grads[v.name] as tf.Tensor).dataSync()))];
    });
  }

  it.each(Object.entries(CONFIGS))('%s: the native kernels and the portable tfjs ops give the same outputs and gradients', async (arch, config) => {
    const e = encoder(config, arch === 'distilbert' ? 'mean' : 'pooler');
    const active = tf.getBackend();
    const here = run(e, config);
    await tf.setBackend('cpu');
    try {
      const portable = run(e, config);
      here.forEach((values, i) => {
        const diff = Math.max(...values.map((x, j) => Math.abs(x - (portable[i]?.[j] ?? NaN))));
        const scale = Math.max(1e-3, ...values.map(Math.abs));
        expect(diff / scale, `tensor ${i}`).toBeLessThan(1e-4);
      });
    } finally {
      await tf.setBackend(active);
    }
  });

  it("gives the same outputs and gradients with finmm's fused GELU and LayerNorm kernels as with TensorFlow's ops", () => {
    const config = CONFIGS['bert'] as TransformerConfig;
    const e = encoder(config, 'pooler');
    expect(hasFusedKernel('FinmmGeluGrad') && hasFusedKernel('FinmmLayerNormGrad')).toBe(true);
    const fused = run(e, config);
    const previous = setFusedKernelsEnabled(false);
    const plain = (() => {
      try {
        return run(e, config);
      } finally {
        setFusedKernelsEnabled(previous);
      }
    })();
    fused.forEach((values, i) => {
      const diff = Math.max(...values.map((x, j) => Math.abs(x - (plain[i]?.[j] ?? NaN))));
      const scale = Math.max(1e-3, ...values.map(Math.abs));
      expect(diff / scale, `tensor ${i}`).toBeLessThan(1e-5);
    });
  });
});

describe('transformer dropout', () => {
  it('draws its masks from the seeded stream: the same seed gives the same training output, another seed another', () => {
    const e = encoder(CONFIGS['bert'] as TransformerConfig, 'mean');
    const input = batch(CONFIGS['bert'] as TransformerConfig);
    const run = (...keys: number[]): tf.Tensor => {
      seedDropout(...keys);
      return e.encode(input, true).pooled;
    };
    const a = run(4, 2);
    const b = run(4, 2);
    const c = run(4, 3);
    unseedDropout();
    expect(maxDiff(a, b)).toBe(0);
    expect(maxDiff(a, c)).toBeGreaterThan(1e-4);
    tf.dispose([a, b, c, input.ids, input.attentionMask]);
  });
});
