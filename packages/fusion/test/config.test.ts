// The model config: JSON and YAML, normalisation and round-trip, and errors that name the bad field.
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@finmm/core';
import { describe, expect, it } from 'vitest';
import { buildModel, parseModelConfigText } from '../src/index.js';
import { testRegistry } from './helpers.js';

const registry = testRegistry();

/** The example config of the report: two modalities, attention fusion, three tasks. */
export const exampleConfig = {
  encoders: {
    tabular: { type: 'test/tabular', features: 3, outDim: 8 },
    timeseries: { type: 'test/series', features: 1, outDim: 8 },
  },
  fusion: { type: 'fusion/attention', dim: 16, heads: 2, layers: 1 },
  tasks: [
    { name: 'direction', kind: 'binary', loss: { type: 'loss/bce' }, weight: 1 },
    { name: 'sentiment', kind: 'multiclass', classes: ['negative', 'neutral', 'positive'], loss: { type: 'loss/cross-entropy' }, weight: 0.5, head: { type: 'head/mlp', hidden: [16] } },
    { name: 'return', kind: 'regression', loss: 'loss/mse', weight: 0.1 },
  ],
  modalityDropout: 0.2,
  seed: 42,
};

const yamlConfig = `
# two modalities, attention fusion, three tasks
encoders:
  tabular: { type: test/tabular, features: 3, outDim: 8 }
  timeseries: { type: test/series, features: 1, outDim: 8 }
fusion: { type: fusion/attention, dim: 16, heads: 2, layers: 1 }
tasks:
  - { name: direction, kind: binary, loss: { type: loss/bce }, weight: 1 }
  - name: sentiment
    kind: multiclass
    classes: [negative, neutral, positive]
    loss: { type: loss/cross-entropy }
    weight: 0.5
    head: { type: head/mlp, hidden: [16] }
  - { name: return, kind: regression, loss: loss/mse, weight: 0.1 }
modalityDropout: 0.2
seed: 42
`;

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.field;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const withChange = (change: (c: Record<string, unknown>) => void): Record<string, unknown> => {
  const c = structuredClone(exampleConfig) as unknown as Record<string, unknown>;
  change(c);
  return c;
};

describe('model config', () => {
  it('normalises the config (defaults, seeds, outDim) and round-trips through buildModel(model.config())', () => {
    const model = buildModel(exampleConfig, { registry });
    const config = model.config() as Record<string, unknown>;
    expect(config).toMatchObject({
      fusion: { type: 'fusion/attention', dim: 16, heads: 2, ffnDim: 32, sequence: false, seed: 345 },
      tasks: [
        { name: 'direction', outDim: 1, head: { type: 'head/linear' } },
        { name: 'sentiment', outDim: 3, head: { type: 'head/mlp', hidden: [16], activation: 'relu' } },
        { name: 'return', outDim: 1, loss: { type: 'loss/mse' } },
      ],
      modalityDropout: 0.2,
      lossWeighting: 'fixed',
    });
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
    const rebuilt = buildModel(config, { registry });
    expect(rebuilt.config()).toEqual(config);
    rebuilt.dispose();
    model.dispose();
  });

  it('reads YAML and JSON text to the same config', () => {
    expect(parseModelConfigText(yamlConfig, 'model.yaml')).toEqual(parseModelConfigText(JSON.stringify(exampleConfig), 'model.json'));
    expect(() => parseModelConfigText('encoders: [', 'bad.yaml')).toThrow(/bad.yaml: not valid YAML/);
  });

  it.each([
    ['an unknown encoder type', (c: Record<string, unknown>) => ((c['encoders'] as Record<string, unknown>)['tabular'] = { type: 'text/nope' }), 'encoders.tabular.type'],
    ['an encoder of another modality', (c: Record<string, unknown>) => ((c['encoders'] as Record<string, unknown>)['tabular'] = { type: 'test/series', features: 1 }), 'encoders.tabular.type'],
    ['an unknown modality', (c: Record<string, unknown>) => ((c['encoders'] as Record<string, unknown>)['video'] = { type: 'test/series', features: 1 }), 'encoders.video'],
    ['a bad encoder field', (c: Record<string, unknown>) => ((c['encoders'] as Record<string, Record<string, unknown>>)['timeseries'] = { type: 'test/series', features: 'x' }), 'encoders.timeseries.features'],
    ['an unknown loss', (c: Record<string, unknown>) => ((c['tasks'] as Array<Record<string, unknown>>)[1] = { ...(c['tasks'] as Array<Record<string, unknown>>)[1], loss: { type: 'loss/nope' } }), 'tasks[1].loss.type'],
    ['a bad task kind', (c: Record<string, unknown>) => (((c['tasks'] as Array<Record<string, unknown>>)[0] as Record<string, unknown>)['kind'] = 'ternary'), 'tasks[0].kind'],
    ['a multiclass task without classes', (c: Record<string, unknown>) => delete ((c['tasks'] as Array<Record<string, unknown>>)[1] as Record<string, unknown>)['classes'], 'tasks[1].classes'],
    ['a duplicate task name', (c: Record<string, unknown>) => (((c['tasks'] as Array<Record<string, unknown>>)[2] as Record<string, unknown>)['name'] = 'direction'), 'tasks[2].name'],
    ['a bad head field', (c: Record<string, unknown>) => (((c['tasks'] as Array<Record<string, unknown>>)[1] as Record<string, unknown>)['head'] = { type: 'head/mlp', hidden: 3 }), 'tasks[1].head.hidden'],
    ['a bad fusion field', (c: Record<string, unknown>) => (c['fusion'] = { type: 'fusion/attention', dim: 10, heads: 4 }), 'fusion.heads'],
    ['an unknown fusion', (c: Record<string, unknown>) => (c['fusion'] = { type: 'fusion/nope' }), 'fusion.type'],
    ['a misspelt key', (c: Record<string, unknown>) => (c['modalityDropuot'] = 0.1), ''],
    ['a dropout rate of 1', (c: Record<string, unknown>) => (c['modalityDropout'] = 1), 'modalityDropout'],
  ])('names the field of %s', (_what, change, field) => {
    const variables = Object.keys(tf.engine().registeredVariables).length;
    expect(fieldOf(() => buildModel(withChange(change), { registry }))).toBe(field);
    expect(Object.keys(tf.engine().registeredVariables).length).toBe(variables); // components built before the error are freed
  });

  it('says which keys are unknown and which types are registered', () => {
    expect(() => buildModel(withChange((c) => (c['modalityDropuot'] = 0.1)), { registry })).toThrow(/modalityDropuot/);
    expect(() => buildModel(withChange((c) => (c['fusion'] = { type: 'fusion/nope' })), { registry })).toThrow(/fusion\/attention, fusion\/concat, fusion\/gated, fusion\/late/);
  });
});
