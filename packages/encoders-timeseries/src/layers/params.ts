// Creates an encoder's variables under a name scope, with seeded initialisers, and keeps them in creation order.
import * as tf from '@tensorflow/tfjs';

/** One variable and its name inside the encoder (without the scope), for saving and loading. */
export interface NamedVariable {
  name: string;
  variable: tf.Variable;
}

const instanceCounts = new Map<string, number>();

/** A fresh scope `<type>#<n>/` for an encoder built without one, so that several can live in one process. */
export function uniqueScope(type: string): string {
  const n = (instanceCounts.get(type) ?? 0) + 1;
  instanceCounts.set(type, n);
  return `${type}#${n}/`;
}

/** Creates variables named `<scope><name>`; initial values are seeded from `seed` (seed, seed + 1, ...) when given. */
export class ParamStore {
  /** Variables in creation order. */
  readonly named: NamedVariable[] = [];
  private nextSeed: number | null;

  constructor(
    /** Prefix of every variable name. */
    readonly scope: string,
    seed: number | null,
  ) {
    this.nextSeed = seed;
  }

  private seed(): number | undefined {
    if (this.nextSeed === null) return undefined;
    return this.nextSeed++;
  }

  /** Glorot-uniform matrix `[fanIn, fanOut]` (Keras' default kernel initialiser). */
  glorot(name: string, fanIn: number, fanOut: number): tf.Variable<tf.Rank.R2> {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return this.add(name, () => tf.randomUniform([fanIn, fanOut], -limit, limit, 'float32', this.seed())) as tf.Variable<tf.Rank.R2>;
  }

  /** Uniform(-limit, limit) tensor of any shape (PyTorch's default for linear and recurrent weights uses 1/sqrt(fanIn)). */
  uniform(name: string, shape: number[], limit: number): tf.Variable {
    return this.add(name, () => tf.randomUniform(shape, -limit, limit, 'float32', this.seed()));
  }

  /** A vector filled with `value` (biases, LayerNorm scales). */
  filled(name: string, size: number, value: number): tf.Variable<tf.Rank.R1> {
    return this.add(name, () => tf.fill([size], value)) as tf.Variable<tf.Rank.R1>;
  }

  /** A variable with given initial values. */
  fromValues(name: string, values: Float32Array, shape: number[], trainable = true): tf.Variable {
    return this.add(name, () => tf.tensor(values, shape), trainable);
  }

  private add(name: string, initial: () => tf.Tensor, trainable = true): tf.Variable {
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
