import * as tf from '@tensorflow/tfjs';
import { ConfigError, Registry, type Encoder } from '@finmm/core';
import { describe, expect, it } from 'vitest';
import { registerTabularEncoders, resolveLayout, TABULAR_ENCODER_TYPES } from '../src/index.js';
import { encoderVariablesWithoutGradient } from '../../../tools/test-helpers/gradients.js';
import { exampleCases } from '../../../tools/test-helpers/registry.js';
import { disposeInput, randomTabular } from './helpers.js';

const reg = new Registry();
registerTabularEncoders(reg);

describe.each(exampleCases(reg, TABULAR_ENCODER_TYPES))('$name', ({ type, example }) => {
  it('encodes with the right shapes, reaches every variable, round-trips its config and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const encoder = reg.build('encoder', example) as Encoder<'tabular'>;
    const layout = resolveLayout(encoder.config() as Parameters<typeof resolveLayout>[0], {});
    const input = randomTabular(layout, 5);
    const out = encoder.encode(input, false);
    expect(out.pooled.shape).toEqual([5, encoder.outDim]);
    const features = layout.numericFeatures + layout.cardinalities.length;
    if (type === 'tabular/ft-transformer') {
      expect(out.tokens?.shape).toEqual([5, features + 1, encoder.outDim]);
      expect(out.tokenMask?.shape).toEqual([5, features + 1]);
    }
    expect(encoderVariablesWithoutGradient(encoder, input)).toEqual([]);
    const groups = encoder.layerGroups().flat();
    expect(new Set(groups).size).toBe(encoder.variables().length);

    const rebuilt = reg.build('encoder', encoder.config()) as Encoder<'tabular'>;
    expect(rebuilt.config()).toEqual(encoder.config());
    if (encoder.config()['seed'] !== undefined) {
      const again = rebuilt.encode(input, false);
      // Same seeded weights; outputs equal up to float round-off (oneDNN may order sums differently between calls).
      const expected = Array.from(out.pooled.dataSync());
      Array.from(again.pooled.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(expected[i] as number, 5));
      tf.dispose(again as unknown as tf.TensorContainerObject);
    }
    tf.dispose(out as unknown as tf.TensorContainerObject);
    disposeInput(input);
    rebuilt.dispose();
    encoder.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('tabular encoder configs', () => {
  it('takes the feature layout from the build context and fills it into config()', () => {
    const encoder = reg.build('encoder', { type: 'tabular/mlp', outDim: 4 }, { numericFeatures: 2, cardinalities: [3] });
    expect(encoder.config()).toMatchObject({ numericFeatures: 2, cardinalities: [3], outDim: 4 });
    encoder.dispose();
  });

  it('names the bad field', () => {
    expect(() => reg.build('encoder', { type: 'tabular/mlp' })).toThrow(/numericFeatures/);
    expect(() => reg.build('encoder', { type: 'tabular/ft-transformer', numericFeatures: 2, dim: 6, heads: 4 }, {}, 'encoders.tabular')).toThrow(
      expect.objectContaining({ field: 'encoders.tabular.heads' }) as ConfigError,
    );
    expect(() => reg.build('encoder', { type: 'tabular/mlp', numericFeatures: 2, hidden: 'x' })).toThrow(/"hidden"/);
  });

  it('rejects inputs of the wrong shape, naming the field', () => {
    const encoder = reg.build('encoder', { type: 'tabular/mlp', numericFeatures: 2, cardinalities: [3] }) as Encoder<'tabular'>;
    const numeric = tf.zeros([4, 3]) as tf.Tensor2D;
    const categorical = tf.zeros([4, 1], 'int32') as tf.Tensor2D;
    expect(() => encoder.encode({ numeric, categorical }, false)).toThrow(/"tabular.numeric" has shape \[4, 3\]; expected \[B, 2\]/);
    expect(() => encoder.encode({ numeric: tf.zeros([4, 2]) as tf.Tensor2D }, false)).toThrow(/"tabular.categorical" is missing/);
    tf.dispose([numeric, categorical]);
    encoder.dispose();
  });
});
