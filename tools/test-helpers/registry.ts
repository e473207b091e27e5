// Test helper (import it from tests by relative path): registry examples as parametrised test cases.
import type * as tf from '@tensorflow/tfjs';
import type { ComponentKinds, Registry } from '@finmm/core';
import { expect } from 'vitest';

/** A registered example config. */
export type ExampleConfig = NonNullable<ReturnType<Registry['get']>>['examples'][number];

/** One registry example as a test case, named `<type> example <i>`. */
export interface ExampleCase {
  name: string;
  type: string;
  example: ExampleConfig;
}

/** Every example of `types` in `registry`, in order: `describe.each(exampleCases(reg, TYPES))('$name', ({ example }) => ...)`. */
export function exampleCases(registry: Registry, types: readonly string[]): ExampleCase[] {
  return types.flatMap((type) => (registry.get(type)?.examples ?? []).map((example, i) => ({ name: `${type} example ${i}`, type, example })));
}

/**
 * Rebuilds `component` from its JSON round-tripped `config()` and copies every variable into the copy, checking on
 * the way that the config validates to itself, the copy reports the same config and its variables have the same shapes.
 */
export function rebuildWithCopiedWeights<K extends 'encoder' | 'fusion' | 'head'>(registry: Registry, kind: K, component: ComponentKinds[K]): ComponentKinds[K] {
  const config = component.config();
  expect(registry.validate(kind, config)).toEqual(config);
  const copy = registry.build(kind, JSON.parse(JSON.stringify(config)));
  expect(copy.config()).toEqual(config);
  const [from, to] = [component.variables(), copy.variables()];
  expect(to.map((v) => v.shape)).toEqual(from.map((v) => v.shape));
  to.forEach((v, i) => v.assign(from[i] as tf.Variable));
  return copy;
}
