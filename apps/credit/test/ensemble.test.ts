// Ensembles inside a fit: member seeds and bagging, the model directory (member<m>/ + credit.json), evaluate
// reproducing the held-out metrics, P(positive) as the sigmoid of the members' mean logit, and reason codes that
// average the members' contributions and still add up to the ensemble's logit minus its baseline logit.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '@finmm/core';
import { disposeBatch, tabularCollator, type CellValue } from '@finmm/data';
import {
  attributeContributions,
  creditModels,
  disposeCreditModel,
  evaluateCredit,
  loadCreditModel,
  parseCreditConfig,
  positiveProbability,
  predictCredit,
  recordValues,
  trainCredit,
  type CreditModel,
  type TrainOutcome,
} from '../src/index.js';
import { bootstrapRows, memberPlans } from '../src/fit.js';
import { lines, readJsonl, syntheticRows, tempDir, writeConfig, writeCsv } from './helpers.js';

const dir = tempDir('ensemble');
const runs = path.join(dir, 'runs');
const rows = syntheticRows(240, 3) as unknown as Array<Record<string, unknown>>;
const csv = writeCsv(path.join(dir, 'loans.csv'), rows);
const base = {
  name: 'ens',
  data: { source: 'file', path: csv, label: 'defaulted', positive: 'yes', id: 'id', columns: { zip: 'ignore' }, folds: 3 },
  costMatrix: [[0, 1], [5, 0]],
  seeds: [0],
  weighting: 'none',
  model: { encoder: { type: 'tabular/mlp', embeddingDim: 2, hidden: [], outDim: 4 }, fusion: { type: 'fusion/gated', dim: 4, hidden: [] } },
  trainer: { epochs: 8, optimizer: { type: 'adamw', lr: 0.02, weightDecay: 0.01 }, earlyStopping: { metric: 'loss', patience: 3 } },
  explain: { steps: 16, top: 2 },
  progress: 'none',
};
const ensemble = {
  members: [
    { name: 'lin' },
    { name: 'mlp', model: { encoder: { type: 'tabular/mlp', embeddingDim: 2, hidden: [8], outDim: 4 }, fusion: { type: 'fusion/gated', dim: 4, hidden: [] } }, trainer: { epochs: 6 } },
  ],
};

let outcome: TrainOutcome;
let loaded: CreditModel;
beforeAll(async () => {
  const config = writeConfig(dir, 'ensemble.yaml', { ...base, ensemble });
  outcome = await trainCredit({ config, set: [], runs }, lines().print);
  loaded = await loadCreditModel(outcome.models[0] as string);
}, 120_000);
afterAll(() => {
  if (loaded !== undefined) disposeCreditModel(loaded);
  fs.rmSync(dir, { recursive: true, force: true });
});

const readJson = (file: string): Record<string, unknown> => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;

describe('ensemble config', () => {
  it('gives member m the seed fitSeed + 1000 m, member kinds in order, and keeps a single model by default', () => {
    const config = parseCreditConfig({ ...base, ensemble: { ...ensemble, size: 2 } }, 'test');
    const plans = memberPlans(config, 2);
    expect(plans.map((p) => [p.kind, p.seed])).toEqual([['lin', 2], ['lin', 1002], ['mlp', 2002], ['mlp', 3002]]);
    expect(plans[2]?.trainer['epochs']).toBe(6);
    expect(plans[0]?.trainer['epochs']).toBe(8);
    expect(memberPlans(parseCreditConfig(base, 'test'), 5).map((p) => p.seed)).toEqual([5]);
  });

  it('names the member whose trainer fields are wrong', () => {
    expect(() => parseCreditConfig({ ...base, ensemble: { members: [{ trainer: { epochs: -1 } }] } }, 'x.yaml')).toThrow(/x\.yaml: ensemble\.members\[0\]/);
  });

  it('resamples rows with replacement, reproducibly per seed', () => {
    const source = Array.from({ length: 200 }, (_, i) => i * 2);
    const a = bootstrapRows(source, 7);
    expect(a).toHaveLength(200);
    expect(a).toEqual(bootstrapRows(source, 7));
    expect(a).not.toEqual(bootstrapRows(source, 8));
    expect(a.every((r) => r % 2 === 0 && r < 400)).toBe(true);
    expect(new Set(a).size).toBeLessThan(170); // about 63% distinct
  });
});

describe('ensemble train / evaluate / predict', () => {
  it('saves every member in member<m>/ with credit.json listing them, and logs each member', () => {
    const model = outcome.models[0] as string;
    const info = readJson(path.join(model, 'credit.json')) as { members: Array<{ dir: string; kind: string; seed: number }> };
    expect(info.members.map((m) => [m.dir, m.kind, m.seed])).toEqual([['member0', 'lin', 0], ['member1', 'mlp', 1000]]);
    for (const m of ['member0', 'member1']) {
      for (const file of ['config.json', 'model.safetensors', 'preprocessing.json']) expect(fs.existsSync(path.join(model, m, file))).toBe(true);
      expect(fs.existsSync(path.join(path.dirname(model), m, 'train', 'metrics.jsonl'))).toBe(true);
      expect(fs.existsSync(path.join(path.dirname(model), m, 'refit', 'metrics.jsonl'))).toBe(true);
    }
    expect(outcome.summary?.overall.roc_auc.n).toBe(3);
    expect(loaded.members).toHaveLength(2);
  });

  it('scores with the sigmoid of the members mean logit, and evaluate reproduces the held-out metrics', async () => {
    const model = outcome.models[0] as string;
    const result = await evaluateCredit({ model, split: 'test', runs }, lines().print);
    const saved = readJson(path.join(path.dirname(model), 'evaluation.json')) as { report: { metrics: Record<string, number> } };
    expect(result.report.metrics).toEqual(saved.report.metrics);
    const batch = await collate(rows.slice(0, 16));
    try {
      const both = positiveProbability(creditModels(loaded), batch, 1);
      const logit = (p: number): number => Math.log(p / (1 - p));
      const each = creditModels(loaded).map((m) => positiveProbability(m, batch, 1).map(logit));
      both.forEach((p, i) => expect(logit(p)).toBeCloseTo(((each[0]?.[i] as number) + (each[1]?.[i] as number)) / 2, 4));
      expect(each[0]).not.toEqual(each[1]);
    } finally {
      disposeBatch(batch);
    }
  });

  it('averages the members contributions, which add up to the ensemble logit minus its baseline logit', async () => {
    const batch = await collate(rows.slice(0, 12));
    try {
      const tensors = tf.memory().numTensors;
      const ens = attributeContributions(loaded.members, batch, loaded.info);
      expect(tf.memory().numTensors).toBe(tensors);
      const singles = loaded.members.map((m) => attributeContributions([m], batch, loaded.info));
      ens.contributions.forEach((row, b) => {
        row.forEach((c, f) => expect(c).toBeCloseTo(((singles[0]?.contributions[b]?.[f] as number) + (singles[1]?.contributions[b]?.[f] as number)) / 2, 5));
        const total = row.reduce((a, c) => a + c, 0);
        expect(Math.abs(total - ((ens.logit[b] as number) - (ens.baselineLogit[b] as number)))).toBeLessThan(0.05 + 0.02 * Math.abs(total));
      });
    } finally {
      disposeBatch(batch);
    }
    const input = path.join(dir, 'applicants.csv');
    writeCsv(input, rows.slice(0, 5));
    const output = path.join(dir, 'scored.jsonl');
    expect(await predictCredit({ model: outcome.models[0] as string, input, output }, lines().print)).toEqual({ records: 5, predicted: 5, errors: 0 });
    for (const line of readJsonl(output)) expect(Array.isArray(line['reasons'])).toBe(true);
  });
});

async function collate(records: ReadonlyArray<Record<string, unknown>>): Promise<Batch> {
  const values = records.map((r) => recordValues(r, loaded.info.features, loaded.preprocessing));
  const { numeric, categorical } = loaded.info.features;
  const columns: Record<string, CellValue[]> = {};
  for (const c of [...numeric, ...categorical]) columns[c] = values.map((v) => v.values[c] ?? null);
  const collated = await tabularCollator({ numeric, categorical, preprocessing: loaded.preprocessing }).collate({ values: columns, rows: records.map((_, i) => i) });
  return { size: records.length, inputs: { tabular: collated.input }, present: { tabular: collated.present }, labels: {} };
}
