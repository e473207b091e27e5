// The shipped stock configs: each starts with the command that runs it and is valid; the ablations differ from
// the default only in their inputs; bad fields are named.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configHeaderProblem } from '@finmm/finance-tasks';
import { loadStockConfig, stockModelConfig, usedInputs } from '../src/index.js';

const dir = fileURLToPath(new URL('../configs/', import.meta.url));
const configs = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const load = (name: string): ReturnType<typeof loadStockConfig>['config'] => loadStockConfig(path.join(dir, name)).config;

describe('shipped stock configs', () => {
  it('include the default, the demo and the ablations', () => {
    expect(configs).toEqual([
      'stocknet-image-only.yaml', 'stocknet-market-only.yaml', 'stocknet-no-market.yaml', 'stocknet-price-only.yaml', 'stocknet-quick.yaml', 'stocknet-text-only.yaml', 'stocknet.yaml',
    ]);
  });

  it.each(configs)('%s starts with the command that runs it and is valid', (name) => {
    const file = path.join(dir, name);
    expect(configHeaderProblem(file, fs.readFileSync(file, 'utf8'))).toBeNull();
    expect(fs.readFileSync(file, 'utf8').split('\n')[0]).toBe(`# node tools/run-ts.mjs apps/stock/src/main.ts train --config apps/stock/configs/${name}`);
    const config = load(name);
    expect(config.data).toMatchObject({ source: 'stocknet', minTweetDays: 0 });
    expect(config.data).not.toHaveProperty('tickers'); // every config runs the official protocol on all tickers
    expect(config.trainer['earlyStopping']).toMatchObject({ metric: 'loss' });
  });

  it('ablations keep everything of the default but their inputs', () => {
    const full = load('stocknet.yaml');
    expect(usedInputs(full.inputs)).toEqual(['tweets', 'prices', 'chart', 'market']);
    const expected: Record<string, string[]> = {
      'stocknet-text-only.yaml': ['tweets'],
      'stocknet-price-only.yaml': ['prices'],
      'stocknet-image-only.yaml': ['chart'],
      'stocknet-market-only.yaml': ['market'],
      'stocknet-no-market.yaml': ['tweets', 'prices', 'chart'],
    };
    for (const [name, inputs] of Object.entries(expected)) {
      const c = load(name);
      expect(usedInputs(c.inputs), name).toEqual(inputs);
      for (const input of inputs) expect(c.inputs[input as 'tweets'], `${name} ${input}`).toEqual(full.inputs[input as 'tweets']);
      expect({ ...c, name: '', inputs: null }, name).toEqual({ ...full, name: '', inputs: null });
    }
    const quick = load('stocknet-quick.yaml');
    expect(quick.inputs).toEqual(full.inputs);
    expect(quick.trainer['epochs']).toBe(3);
    expect(stockModelConfig(quick, 1)).toEqual(stockModelConfig(full, 1));
  });

  it('rejects bad fields with the file and the field named', () => {
    const file = path.join(dir, 'stocknet-quick.yaml');
    expect(() => loadStockConfig(file, ['inputs.chart.encoder.height=64'])).toThrow(/config field "inputs\.chart\.encoder\.height": 64 does not match the chart \(32\)/);
    expect(() => loadStockConfig(file, ['trainer.seed=3'])).toThrow(/"trainer\.seed": set by the app per fit/);
    expect(() => loadStockConfig(file, ['inputs.tweets=null', 'inputs.prices=null', 'inputs.chart=null', 'inputs.market=null'])).toThrow(/config field "inputs": give at least one of tweets, prices, chart, market/);
    expect(() => loadStockConfig(file, ['inputs.sound={}'])).toThrow(/unknown config field "inputs\.sound"/);
    expect(() => loadStockConfig(file, ['data.source=folder'])).toThrow(/stocknet-quick\.yaml \(with --set data\.source=folder\): config field "data\.prices"/);
    expect(usedInputs(loadStockConfig(file, ['inputs.chart=null']).config.inputs)).toEqual(['tweets', 'prices', 'market']);
  });
});
