import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { TabularPreprocessor } from '../src/index.js';

const train = {
  age: [20, 30, 40, 50, null],
  income: [1, 2, 3, 4, 100],
  purpose: ['car', 'car', 'tv', null, 'car'],
  housing: ['own', 'rent', 'own', 'own', 'free'],
};

describe('TabularPreprocessor', () => {
  it('standardises numeric features with training statistics; missing values become 0', () => {
    const pre = TabularPreprocessor.fit(train, { numeric: ['age'], categorical: [] });
    const { numeric } = pre.transform({ age: [35, 20, null, Number.NaN] });
    const std = Math.sqrt(125);
    expect(Array.from(numeric)).toEqual([0, Math.fround(-15 / std), 0, 0]);
  });

  it('quantile scaling maps the training distribution to [-1, 1], robust to outliers', () => {
    const pre = TabularPreprocessor.fit(train, { numeric: ['income'], scaling: 'quantile' });
    const { numeric } = pre.transform({ income: [1, 3, 100, 1000, -5, 2.5] });
    expect(Array.from(numeric).map((x) => Number(x.toFixed(4)))).toEqual([-1, 0, 1, 1, -1, -0.25]);
  });

  it('indexes categories by training frequency, with 0 for unseen, missing and rare values', () => {
    const pre = TabularPreprocessor.fit(train, { categorical: ['purpose', 'housing'], minCount: 1 });
    expect(pre.layout()).toEqual({ numericFeatures: 0, cardinalities: [3, 4] });
    const { categorical } = pre.transform({ purpose: ['car', 'tv', 'boat', null], housing: ['own', 'free', 'rent', 'castle'] });
    expect(Array.from(categorical)).toEqual([1, 1, 2, 2, 0, 3, 0, 0]); // own 3x, then free and rent by name;
    const rare = TabularPreprocessor.fit(train, { categorical: ['housing'], minCount: 2 });
    expect(rare.layout().cardinalities).toEqual([2]);
  });

  it('round-trips through JSON and produces core TabularInput tensors', () => {
    const pre = TabularPreprocessor.fit(train, { numeric: ['age', 'income'], categorical: ['purpose'] });
    const restored = TabularPreprocessor.fromJSON(JSON.parse(JSON.stringify(pre.toJSON())));
    const test = { age: [25, 45], income: [2, 3], purpose: ['tv', 'plane'] };
    expect(restored.transform(test)).toEqual(pre.transform(test));
    const input = restored.toInput(test);
    expect(input.numeric?.shape).toEqual([2, 2]);
    expect(input.categorical?.dtype).toBe('int32');
    tf.dispose([input.numeric as tf.Tensor, input.categorical as tf.Tensor]);
  });

  it('names the bad column', () => {
    expect(() => TabularPreprocessor.fit(train, { numeric: ['missing'] })).toThrow(/column "missing" is missing/);
    const pre = TabularPreprocessor.fit(train, { numeric: ['age', 'income'] });
    expect(() => pre.transform({ age: [1, 2], income: [1] })).toThrow(/column "income" has 1 rows, expected 2/);
    expect(() => pre.transform({ age: ['x'], income: [1] })).toThrow(/column "age" row 0: "x" is not a number/);
    expect(() => TabularPreprocessor.fromJSON({ kind: 'other' })).toThrow(/field "kind"/);
  });
});
