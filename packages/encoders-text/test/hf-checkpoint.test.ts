// Parity with Hugging Face transformers: fixtures from tools/python/make_hf_fixtures.py, and the reverse check that
// transformers loads what finmm saves.
import * as tf from '@tensorflow/tfjs';
import { loadModelDir, saveModelDir, type SafetensorsTensor } from '@finmm/core';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePythonVenv } from '../../../tools/python/python-env.js';
import { hfStateDict, loadHfModel, saveHfModel, type TransformerEncoder } from '../src/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/hf/', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../../tools/python/make_hf_fixtures.py', import.meta.url));
const ARCHS = ['bert', 'distilbert', 'roberta'] as const;
const TOLERANCE = 1e-4;

/** Inputs and transformers' outputs of a fixture (case.json). */
interface Case {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
  last_hidden_state: number[][][];
  pooler_output?: number[][];
}

const work = mkdtempSync(join(tmpdir(), 'finmm-hf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function readCase(arch: string): Case {
  return JSON.parse(readFileSync(join(FIXTURES, arch, 'case.json'), 'utf8')) as Case;
}

/** Runs the encoder on a case's inputs: last hidden state and pooled output as nested arrays. */
function run(encoder: TransformerEncoder, c: Case): { tokens: number[][][]; pooled: number[][] } {
  return tf.tidy(() => {
    const input = {
      ids: tf.tensor2d(c.input_ids, undefined, 'int32'),
      attentionMask: tf.tensor2d(c.attention_mask),
      ...(c.token_type_ids === undefined ? {} : { typeIds: tf.tensor2d(c.token_type_ids, undefined, 'int32') }),
    };
    const out = encoder.encode(input, false);
    return { tokens: (out.tokens as tf.Tensor3D).arraySync(), pooled: out.pooled.arraySync() };
  });
}

function maxError(a: number[] | number[][] | number[][][], b: number[] | number[][] | number[][][]): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(tf.tensor(a), tf.tensor(b)))).dataSync()[0] as number);
}

function pooling(arch: string): 'pooler' | 'cls' {
  return arch === 'distilbert' ? 'cls' : 'pooler';
}

describe.each(ARCHS)('%s Hugging Face checkpoint', (arch) => {
  const c = readCase(arch);

  it('reproduces transformers outputs within 1e-4', async () => {
    const { encoder, report } = await loadHfModel(join(FIXTURES, arch), { pooling: pooling(arch) });
    expect(report).toEqual({ prefix: '', ignored: [], initialised: [] });
    const out = run(encoder, c);
    const tokenError = maxError(out.tokens, c.last_hidden_state);
    console.info(`${arch} parity: last_hidden_state max |error| ${tokenError.toExponential(2)}`);
    expect(tokenError).toBeLessThan(TOLERANCE);
    if (c.pooler_output !== undefined) {
      const poolerError = maxError(out.pooled, c.pooler_output);
      console.info(`${arch} parity: pooler_output max |error| ${poolerError.toExponential(2)}`);
      expect(poolerError).toBeLessThan(TOLERANCE);
    }
    encoder.dispose();
  });

  it('saves the same state dict names and loads back identical outputs', async () => {
    const { encoder } = await loadHfModel(join(FIXTURES, arch), { pooling: pooling(arch) });
    const dir = join(work, `${arch}-roundtrip`);
    await saveHfModel(encoder, dir);
    const original = await loadModelDir(join(FIXTURES, arch));
    const saved = await loadModelDir(dir);
    expect([...saved.tensors.keys()].sort()).toEqual([...original.tensors.keys()].sort());
    expect(saved.metadata).toEqual({ format: 'pt' });
    expect((saved.config as Record<string, unknown>)['model_type']).toBe(arch);
    const { encoder: again } = await loadHfModel(dir, { pooling: pooling(arch), scope: 'again/' });
    const [a, b] = [run(encoder, c), run(again, c)];
    expect(maxError(a.tokens, b.tokens)).toBe(0);
    expect(maxError(a.pooled, b.pooled)).toBe(0);
    expect(again.config()).toMatchObject({ type: 'text/transformer', hf: { model_type: arch } });
    encoder.dispose();
    again.dispose();
  });
});

describe('transformers loads what finmm saves', () => {
  const reports = new Map<string, { model: string; max_abs_error: Record<string, number> }>();

  // finmm moves every weight of each fixture, saves it and writes its outputs; one Python process then loads each
  // directory with AutoModel.from_pretrained and compares.
  beforeAll(async () => {
    const python = ensurePythonVenv();
    const pairs: string[] = [];
    for (const arch of ARCHS) {
      const { encoder } = await loadHfModel(join(FIXTURES, arch), { pooling: pooling(arch) });
      tf.tidy(() => {
        for (const v of encoder.variables()) if (v.trainable) v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.05, 'float32', 3)));
      });
      const dir = join(work, `${arch}-for-python`);
      await saveHfModel(encoder, dir);
      const c = readCase(arch);
      const out = run(encoder, c);
      encoder.dispose();
      const ours: Case = { ...c, last_hidden_state: out.tokens, ...(c.pooler_output === undefined ? {} : { pooler_output: out.pooled }) };
      const casePath = join(work, `${arch}-finmm-case.json`);
      writeFileSync(casePath, JSON.stringify(ours));
      pairs.push(dir, casePath);
    }
    const result = spawnSync(python, [SCRIPT, 'check', ...pairs], { encoding: 'utf8', timeout: 300_000 });
    if (result.status !== 0) throw new Error(`make_hf_fixtures.py check failed: ${result.error?.message ?? result.stderr}`);
    const lines = result.stdout.trim().split('\n').filter((l) => l.startsWith('{'));
    ARCHS.forEach((arch, i) => reports.set(arch, JSON.parse(lines[i] ?? '{}') as { model: string; max_abs_error: Record<string, number> }));
  }, 30 * 60_000);

  it.each(ARCHS)('%s: AutoModel.from_pretrained gives finmm outputs within 1e-4', (arch) => {
    const report = reports.get(arch);
    console.info(`${arch} reverse parity (${report?.model}): ${JSON.stringify(report?.max_abs_error)}`);
    expect(Object.keys(report?.max_abs_error ?? {})).toContain('last_hidden_state');
    if (arch !== 'distilbert') expect(Object.keys(report?.max_abs_error ?? {})).toContain('pooler_output');
    for (const [key, error] of Object.entries(report?.max_abs_error ?? {})) expect(error, key).toBeLessThan(TOLERANCE);
  });
});

describe('checkpoint mapping', () => {
  /** Writes a model dir from the BERT fixture with its tensors edited by `edit`. */
  async function edited(name: string, edit: (tensors: Map<string, SafetensorsTensor>, config: Record<string, unknown>) => void): Promise<string> {
    const fixture = await loadModelDir(join(FIXTURES, 'bert'));
    const tensors = new Map<string, SafetensorsTensor>(fixture.tensors);
    const config = { ...(fixture.config as Record<string, unknown>) };
    edit(tensors, config);
    const dir = join(work, name);
    await saveModelDir(dir, { config, tensors, metadata: { format: 'pt' } });
    return dir;
  }

  it('strips the base model prefix of task checkpoints and ignores their heads', async () => {
    const dir = await edited('prefixed', (tensors) => {
      for (const [name, t] of [...tensors]) {
        tensors.delete(name);
        tensors.set(`bert.${name}`, t);
      }
      tensors.set('classifier.weight', { dtype: 'F32', shape: [2, 32], data: new Float32Array(64) });
      tensors.set('bert.embeddings.position_ids', { dtype: 'I64', shape: [1, 64], data: new BigInt64Array(64) });
    });
    const { encoder, report } = await loadHfModel(dir, { pooling: 'pooler' });
    expect(report.prefix).toBe('bert.');
    expect(report.ignored.sort()).toEqual(['bert.embeddings.position_ids', 'classifier.weight']);
    const c = readCase('bert');
    expect(maxError(run(encoder, c).tokens, c.last_hidden_state)).toBeLessThan(TOLERANCE);
    encoder.dispose();
  });

  it('reads TF1-style gamma/beta LayerNorm names', async () => {
    const dir = await edited('gamma-beta', (tensors) => {
      for (const [name, t] of [...tensors]) {
        if (!name.includes('LayerNorm')) continue;
        tensors.delete(name);
        tensors.set(name.replace(/weight$/, 'gamma').replace(/bias$/, 'beta'), t);
      }
    });
    const { encoder } = await loadHfModel(dir, { pooling: 'pooler' });
    const c = readCase('bert');
    expect(maxError(run(encoder, c).tokens, c.last_hidden_state)).toBeLessThan(TOLERANCE);
    encoder.dispose();
  });

  it('names missing, unexpected and misshapen weights', async () => {
    const before = tf.memory().numTensors;
    const missing = await edited('missing', (t) => t.delete('encoder.layer.1.output.dense.weight'));
    await expect(loadHfModel(missing)).rejects.toThrow(/missing weights: encoder\.layer\.1\.output\.dense\.weight/);
    const unexpected = await edited('unexpected', (t) => {
      t.set('encoder.layer.2.output.dense.bias', { dtype: 'F32', shape: [32], data: new Float32Array(32) });
    });
    await expect(loadHfModel(unexpected)).rejects.toThrow(/unexpected weights: encoder\.layer\.2\.output\.dense\.bias/);
    const misshapen = await edited('misshapen', (t) => {
      t.set('pooler.dense.bias', { dtype: 'F32', shape: [31], data: new Float32Array(31) });
    });
    await expect(loadHfModel(misshapen)).rejects.toThrow(/pooler\.dense\.bias has shape \[31\], the encoder needs \[32\]/);
    expect(tf.memory().numTensors).toBe(before); // failed loads dispose their encoders
  });

  it('keeps a fresh pooler only when it is not used', async () => {
    const dir = await edited('no-pooler', (t) => {
      t.delete('pooler.dense.weight');
      t.delete('pooler.dense.bias');
    });
    await expect(loadHfModel(dir, { pooling: 'pooler' })).rejects.toThrow(/missing weights: pooler\.dense\.weight, pooler\.dense\.bias/);
    const { encoder, report } = await loadHfModel(dir, { pooling: 'cls' });
    expect(report.initialised).toEqual(['pooler.dense.weight', 'pooler.dense.bias']);
    encoder.dispose();
  });

  it('names an unknown architecture', async () => {
    const dir = await edited('gpt2', (_, config) => {
      config['model_type'] = 'gpt2';
    });
    await expect(loadHfModel(dir)).rejects.toThrow(/model_type.*"gpt2"/);
  });

  it('exports PyTorch-layout float32 tensors', async () => {
    const { encoder } = await loadHfModel(join(FIXTURES, 'bert'));
    const dict = hfStateDict(encoder);
    expect(dict.get('encoder.layer.0.intermediate.dense.weight')?.shape).toEqual([37, 32]);
    expect(dict.get('encoder.layer.0.intermediate.dense.weight')?.dtype).toBe('F32');
    encoder.dispose();
  });
});
