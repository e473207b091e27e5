// Reason codes point at the attributes that really drive the model: on synthetic data where only `signal` and
// `segment` set the risk, they are the top reasons of risky applicants, and the contributions add up (completeness).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributeContributions, disposeCreditModel, loadCreditModel, predictValues, recordValues, trainCredit, type CreditModel } from '../src/index.js';
import { disposeBatch, tabularCollator, type CellValue } from '@finmm/data';
import { lines, syntheticRows, tempDir, writeConfig, writeCsv } from './helpers.js';

const dir = tempDir('reasons');
let loaded: CreditModel;

beforeAll(async () => {
  const csv = writeCsv(path.join(dir, 'loans.csv'), syntheticRows(600, 1) as unknown as Array<Record<string, unknown>>);
  const config = writeConfig(dir, 'synthetic.yaml', {
    name: 'synthetic',
    data: { source: 'file', path: csv, label: 'defaulted', positive: 'yes', id: 'id', columns: { zip: 'ignore' } },
    costMatrix: [[0, 1], [5, 0]],
    cv: false,
    seeds: [0],
    weighting: 'balanced',
    model: { encoder: { type: 'tabular/mlp', embeddingDim: 2, hidden: [16], outDim: 8 }, fusion: { type: 'fusion/gated', dim: 8, hidden: [] } },
    trainer: { epochs: 40, optimizer: { type: 'adamw', lr: 0.01, weightDecay: 0.01 }, earlyStopping: { metric: 'loss', patience: 8 } },
    explain: { steps: 32, top: 2 },
    progress: 'none',
  });
  const outcome = await trainCredit({ config, set: [], runs: path.join(dir, 'runs') }, lines().print);
  loaded = await loadCreditModel(outcome.models[0] as string);
}, 120_000);
afterAll(() => {
  if (loaded !== undefined) disposeCreditModel(loaded);
  fs.rmSync(dir, { recursive: true, force: true });
});

const applicant = (signal: number, segment: 'safe' | 'risky', i: number): Record<string, unknown> => ({
  id: `t${i}`,
  signal,
  noise: (i % 7) - 3,
  segment,
  colour: ['red', 'green', 'blue'][i % 3],
  zip: 10001,
});

describe('reason codes', () => {
  it('name the numeric attribute that drives the risk', async () => {
    const records = Array.from({ length: 20 }, (_, i) => recordValues(applicant(0.9 + i * 0.004, 'safe', i), loaded.info.features, loaded.preprocessing));
    const out = await predictValues(loaded, records);
    const top = out.map((o) => o.reasons[0]?.attribute);
    expect(top.filter((a) => a === 'signal').length).toBeGreaterThanOrEqual(18);
    expect(out.every((o) => o.prediction === 'yes')).toBe(true);
    expect(out[0]?.id).toBe('t0');
  });

  it('name the categorical attribute that drives the risk', async () => {
    const records = Array.from({ length: 20 }, (_, i) => recordValues(applicant(0.45, 'risky', i), loaded.info.features, loaded.preprocessing));
    const out = await predictValues(loaded, records);
    const top = out.map((o) => o.reasons[0]);
    expect(top.filter((r) => r?.attribute === 'segment').length).toBeGreaterThanOrEqual(18);
    expect(top[0]?.value).toBe('risky');
  });

  it('never blame the noise attributes much, and add up to the logit minus the baseline logit', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => applicant((i % 10) / 10, i % 4 === 0 ? 'risky' : 'safe', i));
    const records = rows.map((r) => recordValues(r, loaded.info.features, loaded.preprocessing));
    const { numeric, categorical } = loaded.info.features;
    const values: Record<string, CellValue[]> = {};
    for (const c of [...numeric, ...categorical]) values[c] = records.map((r) => r.values[c] ?? null);
    const collated = await tabularCollator({ numeric, categorical, preprocessing: loaded.preprocessing }).collate({ values, rows: rows.map((_, i) => i) });
    const batch = { size: rows.length, inputs: { tabular: collated.input }, present: { tabular: collated.present }, labels: {} };
    try {
      const { attributes, contributions, logit, baselineLogit } = attributeContributions(loaded.members, batch, loaded.info);
      expect(attributes).toEqual(['signal', 'noise', 'segment', 'colour']);
      contributions.forEach((row, b) => {
        const total = row.reduce((a, c) => a + c, 0);
        expect(Math.abs(total - ((logit[b] as number) - (baselineLogit[b] as number)))).toBeLessThan(0.05 + 0.02 * Math.abs(total));
        const driving = Math.abs(row[0] as number) + Math.abs(row[2] as number);
        const noise = Math.abs(row[1] as number) + Math.abs(row[3] as number);
        expect(noise).toBeLessThan(Math.max(0.5, driving));
      });
    } finally {
      disposeBatch(batch);
    }
  });
});
