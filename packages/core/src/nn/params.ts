// Creates a component's variables under a name prefix with seeded initialisers, and keeps them in creation order.
import * as tf from '@tensorflow/tfjs';

/** A dense layer `y = x W + b`: kernel `[in, out]`, bias `[out]`. */
export interface DenseParams {
  kernel: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
}

/** A LayerNorm's scale and shift, both `[D]`. */
export interface NormParams {
  gamma: tf.Variable<tf.Rank.R1>;
  beta: tf.Variable<tf.Rank.R1>;
}

/** One variable and its name inside the component (without the scope), for saving and loading. */
export interface NamedVariable {
  name: string;
  variable: tf.Variable;
}

/**
 * Creates the variables of one component, named `<scope><name>` (see `InstanceCounter` and `uniqueScope` for
 * scopes). Every random initialiser takes the next seed of `seed`, `seed + 1`, ... in creation order (random
 * values when `seed` is null); constant initialisers take none.
 *
 * ```ts
 * const store = new ParamStore(counter.nextPrefix('tabular/mlp'), 7);
 * const layer = store.dense('layer0', 16, 8); // tabular/mlp#1/layer0.kernel (seed 7), tabular/mlp#1/layer0.bias
 * ```
 */
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

  /** A dense layer with a Glorot-uniform kernel `[inDim, outDim]` and a zero bias. */
  dense(name: string, inDim: number, outDim: number): DenseParams {
    return { kernel: this.glorot(`${name}.kernel`, inDim, outDim), bias: this.filled(`${name}.bias`, outDim, 0) };
  }

  /** A LayerNorm of width `dim`, initialised to the identity. */
  norm(name: string, dim: number): NormParams {
    return { gamma: this.filled(`${name}.gamma`, dim, 1), beta: this.filled(`${name}.beta`, dim, 0) };
  }

  /** Glorot-uniform values U(-sqrt(6 / (fanIn + fanOut)), +...) (Keras' default kernel initialiser), `[fanIn, fanOut]` unless `shape` is given. */
  glorot(name: string, fanIn: number, fanOut: number): tf.Variable<tf.Rank.R2>;
  glorot(name: string, fanIn: number, fanOut: number, shape: number[]): tf.Variable;
  glorot(name: string, fanIn: number, fanOut: number, shape: number[] = [fanIn, fanOut]): tf.Variable {
    return this.uniform(name, shape, Math.sqrt(6 / (fanIn + fanOut)));
  }

  /** He-uniform values U(-sqrt(6 / fanIn), +...) of any shape (suits ReLU and leaky ReLU). */
  heUniform(name: string, shape: number[], fanIn: number): tf.Variable {
    return this.uniform(name, shape, Math.sqrt(6 / fanIn));
  }

  /** Uniform(-limit, limit) values of any shape (PyTorch's default for linear and recurrent weights uses 1/sqrt(fanIn)). */
  uniform(name: string, shape: number[], limit: number): tf.Variable {
    const seed = this.seed();
    return this.add(name, () => tf.randomUniform(shape, -limit, limit, 'float32', seed));
  }

  /** Normal(0, std) values of any shape, e.g. an embedding table. */
  normal(name: string, shape: number[], std: number): tf.Variable {
    const seed = this.seed();
    return this.add(name, () => tf.randomNormal(shape, 0, std, 'float32', seed));
  }

  /** Zeros of any shape. */
  zeros(name: string, shape: number[]): tf.Variable {
    return this.add(name, () => tf.zeros(shape));
  }

  /** A vector filled with `value` (biases, norm scales; non-trainable for running statistics). */
  filled(name: string, size: number, value: number, trainable = true): tf.Variable<tf.Rank.R1> {
    return this.add(name, () => tf.fill([size], value), trainable) as tf.Variable<tf.Rank.R1>;
  }

  /** A variable with given initial values. */
  fromValues(name: string, values: Float32Array, shape: number[], trainable = true): tf.Variable {
    return this.add(name, () => tf.tensor(values, shape), trainable);
  }

  /** Every variable, in creation order. */
  variables(): tf.Variable[] {
    return this.named.map((n) => n.variable);
  }

  /** Frees every variable (and forgets them). */
  dispose(): void {
    for (const { variable } of this.named) variable.dispose();
    this.named.length = 0;
  }

  private seed(): number | undefined {
    if (this.nextSeed === null) return undefined;
    return this.nextSeed++;
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
}
