// Creates a vision encoder's variables under a name scope with seeded initialisers, in creation order.
import * as tf from '@tensorflow/tfjs';

/** One variable and its name inside the encoder (without the scope). */
export interface NamedVariable {
  name: string;
  variable: tf.Variable;
}

const instanceCounts = new Map<string, number>();

/** A fresh scope `<type>#<n>/` for an encoder built without one. */
export function uniqueScope(type: string): string {
  const n = (instanceCounts.get(type) ?? 0) + 1;
  instanceCounts.set(type, n);
  return `${type}#${n}/`;
}

/** Creates variables named `<scope><name>`, seeded from `seed`, `seed + 1`, ... when a seed is given. */
export class ParamStore {
  /** Variables in creation order. */
  readonly named: NamedVariable[] = [];
  private nextSeed: number | null;

  constructor(
    readonly scope: string,
    seed: number | null,
  ) {
    this.nextSeed = seed;
  }

  /** He-uniform weights U(-sqrt(6 / fanIn), sqrt(6 / fanIn)) of any shape (suits ReLU and leaky ReLU). */
  heUniform(name: string, shape: number[], fanIn: number): tf.Variable {
    const limit = Math.sqrt(6 / fanIn);
    const seed = this.nextSeed === null ? undefined : this.nextSeed++;
    return this.add(name, () => tf.randomUniform(shape, -limit, limit, 'float32', seed), true);
  }

  /** A vector filled with `value`; non-trainable for running statistics. */
  filled(name: string, size: number, value: number, trainable = true): tf.Variable<tf.Rank.R1> {
    return this.add(name, () => tf.fill([size], value), trainable) as tf.Variable<tf.Rank.R1>;
  }

  private add(name: string, initial: () => tf.Tensor, trainable: boolean): tf.Variable {
    const full = `${this.scope}${name}`;
    try {
      const variable = tf.tidy(() => tf.variable(initial(), trainable, full));
      this.named.push({ name, variable });
      return variable;
    } catch (error) {
      if (error instanceof Error && error.message.includes('already registered')) {
        throw new Error(`a variable named '${full}' already exists: dispose the other encoder or give this one another 'scope'`, { cause: error });
      }
      throw error;
    }
  }

  /** Every variable, in creation order. */
  variables(): tf.Variable[] {
    return this.named.map((n) => n.variable);
  }

  /** Frees every variable. */
  dispose(): void {
    for (const { variable } of this.named) variable.dispose();
  }
}
