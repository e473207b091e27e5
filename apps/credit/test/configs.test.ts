// Every shipped config of every app starts with a comment giving the command that runs it; the credit configs
// are valid.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configHeaderProblem } from '@finmm/finance-tasks';
import { loadCreditConfig } from '../src/index.js';

const appsDir = fileURLToPath(new URL('../../', import.meta.url));
const configs = fs
  .readdirSync(appsDir)
  .flatMap((app) => {
    const dir = path.join(appsDir, app, 'configs');
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).map((f) => path.join(dir, f)) : [];
  })
  .sort();

describe('shipped configs', () => {
  it('exist for the credit app', () => {
    expect(configs.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['german-credit.yaml', 'german-credit-quick.yaml']));
  });

  it.each(configs.map((f) => [path.relative(appsDir, f), f]))('%s starts with the command that runs it', (_name, file) => {
    expect(configHeaderProblem(file, fs.readFileSync(file, 'utf8'))).toBeNull();
  });

  it.each(configs.filter((f) => f.includes(`${path.sep}credit${path.sep}`)).map((f) => [path.basename(f), f]))('%s is a valid credit config', (_name, file) => {
    const { config } = loadCreditConfig(file);
    expect(config.data.source).toBe('german');
    const first = fs.readFileSync(file, 'utf8').split('\n')[0];
    expect(first).toBe(`# node tools/run-ts.mjs apps/credit/src/main.ts train --config apps/credit/configs/${path.basename(file)}`);
  });

  it('the full config trains 5 folds x 3 seeds; the quick one 5 folds x 1 seed', () => {
    expect(loadCreditConfig(path.join(appsDir, 'credit/configs/german-credit.yaml')).config).toMatchObject({ cv: true, seeds: [0, 1, 2] });
    expect(loadCreditConfig(path.join(appsDir, 'credit/configs/german-credit-quick.yaml')).config).toMatchObject({ cv: true, seeds: [0] });
  });

  it('rejects a bad field with the file and the field named', () => {
    const file = path.join(appsDir, 'credit/configs/german-credit-quick.yaml');
    expect(() => loadCreditConfig(file, ['weighting=heavy'])).toThrow(/german-credit-quick\.yaml \(with --set weighting=heavy\): config field "weighting"/);
    expect(() => loadCreditConfig(file, ['trainer.seed=3'])).toThrow(/"trainer.seed": set by the app per fit/);
    expect(() => loadCreditConfig(file, ['model.encoder.widht=3', 'extra=1'])).toThrow(/unknown config field "extra"/);
  });
});
