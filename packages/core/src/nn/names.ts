// Variable-name prefixes `<family>#<n>/` that let several instances of a component live in one process.
import * as tf from '@tensorflow/tfjs';

/**
 * Numbers the instances of a group of component families: each gets the prefix `<family>#<n>/`, n counting over
 * every family the counter numbers, and a prefix some registered variable already uses is skipped. A package keeps
 * one counter for its components, so its variable names (what checkpoints are matched by) do not depend on how many
 * components of other packages a process has built.
 */
export class InstanceCounter {
  private count = 0;

  /** The next free prefix `<family>#<n>/`. */
  nextPrefix(family: string): string {
    const registered = tf.engine().registeredVariables;
    for (;;) {
      this.count += 1;
      const prefix = `${family}#${this.count}/`;
      if (!Object.keys(registered).some((name) => name.startsWith(prefix))) return prefix;
    }
  }
}

const scopeCounts = new Map<string, number>();

/**
 * A fresh scope `<type>#<n>/` for an encoder built without an explicit one, n counting per type. Unlike
 * `InstanceCounter` it does not look at registered variables: a clash with a scope given explicitly is reported
 * by `ParamStore` when the variable is created.
 */
export function uniqueScope(type: string): string {
  const n = (scopeCounts.get(type) ?? 0) + 1;
  scopeCounts.set(type, n);
  return `${type}#${n}/`;
}
