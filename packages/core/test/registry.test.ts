import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, Registry, type Encoder } from '../src/index.js';

function makeRegistry(): Registry {
  const registry = new Registry();
  const schema = z.object({
    type: z.literal('timeseries/dummy'),
    hidden: z.number().int().positive().default(64),
    layers: z.number().int().min(1).default(1),
    bidirectional: z.boolean().default(false),
  });
  registry.register({
    kind: 'encoder',
    type: 'timeseries/dummy',
    description: 'a dummy encoder for registry tests',
    schema,
    examples: [{ type: 'timeseries/dummy', hidden: 4 }],
    build: (config, context) => {
      const features = Number(context['features'] ?? 3);
      const w = tf.variable(tf.ones([features, config.hidden]), true, `dummy.w.${config.hidden}`);
      const encoder: Encoder<'timeseries'> = {
        modality: 'timeseries',
        outDim: config.hidden,
        encode: (input) => ({ pooled: tf.tidy(() => tf.matMul(tf.mean(input.values, 1) as tf.Tensor2D, w)) }),
        variables: () => [w],
        layerGroups: () => [[w]],
        config: () => ({ ...config }),
        dispose: () => w.dispose(),
      };
      return encoder;
    },
  });
  return registry;
}

describe('registry', () => {
  it('builds a component from JSON with defaults filled in', () => {
    const registry = makeRegistry();
    const encoder = registry.build('encoder', { type: 'timeseries/dummy', hidden: 8 }, { features: 2 });
    expect(encoder.outDim).toBe(8);
    expect(encoder.config()).toEqual({ type: 'timeseries/dummy', hidden: 8, layers: 1, bidirectional: false });
    const out = encoder.encode({ values: tf.ones([5, 7, 2]) as tf.Tensor3D } as never, false);
    expect(out.pooled.shape).toEqual([5, 8]);
    encoder.dispose();
  });

  it('names the bad field and what was expected', () => {
    const registry = makeRegistry();
    expect(() => registry.build('encoder', { type: 'timeseries/dummy', hidden: 'big' }, {}, 'encoders.timeseries')).toThrow(
      /config field "encoders\.timeseries\.hidden" of encoder 'timeseries\/dummy': .*expected number/i,
    );
    try {
      registry.build('encoder', { type: 'timeseries/dummy', hidden: -1 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe('hidden');
    }
  });

  it('rejects unknown fields, naming them', () => {
    const registry = makeRegistry();
    expect(() => registry.build('encoder', { type: 'timeseries/dummy', hiden: 3 })).toThrow(/unrecognized key.*hiden/i);
  });

  it('rejects unknown types and lists the registered ones', () => {
    const registry = makeRegistry();
    expect(() => registry.build('encoder', { type: 'timeseries/lstmm' }, {}, 'encoders.timeseries')).toThrow(
      /config field "encoders\.timeseries\.type": unknown encoder type 'timeseries\/lstmm'; registered encoder types: timeseries\/dummy/,
    );
    expect(() => registry.build('fusion', { type: 'timeseries/dummy' })).toThrow(/unknown fusion type/);
    expect(() => registry.build('encoder', { hidden: 3 })).toThrow(/config field "type": expected a encoder type name/);
    expect(() => registry.build('encoder', 'lstm')).toThrow(/expected an object with a "type" field/);
  });

  it('refuses duplicate and malformed registrations', () => {
    const registry = makeRegistry();
    const again = { kind: 'encoder' as const, type: 'timeseries/dummy', description: '', schema: z.object({ type: z.literal('timeseries/dummy') }), examples: [], build: () => { throw new Error('unused'); } };
    expect(() => registry.register(again)).toThrow(/registered twice/);
    expect(() => registry.register({ ...again, type: 'Dummy' })).toThrow(/family\/name/);
    expect(() => registry.register({ ...again, type: 'timeseries/other' })).toThrow(/type literal 'timeseries\/dummy'/);
    expect(registry.types('encoder')).toEqual(['timeseries/dummy']);
    expect(registry.types('loss')).toEqual([]);
  });
});
