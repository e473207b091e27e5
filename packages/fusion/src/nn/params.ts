// Creates the variables of fusions and heads with process-unique names and seeded initial values, in order.
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

let instances = 0;

/** A unique variable-name prefix `<family>#<n>/` for one component instance. */
function uniquePrefix(family: string): string {
  const registered = tf.engine().registeredVariables;
  for (;;) {
    instances += 1;
    const prefix = `${family}#${instances}/`;
    if (!Object.keys(registered).some((name) => name.startsWith(prefix))) return prefix;
  }
}

/**
 * Creates the variables of one component. Names are `<family>#<n>/<local name>` so that several instances can live
 * in one process; weights come from `seed`, `seed + 1`, ... in creation order (random when `seed` is null).
 */
export class Params {
  private readonly created: tf.Variable[] = [];
  private readonly prefix: string;
  private nextSeed: number | null;

  constructor(family: string, seed: number | null) {
    this.prefix = uniquePrefix(family);
    this.nextSeed = seed;
  }

  /** A dense layer with a Glorot-uniform kernel `[inDim, outDim]` and a zero bias. */
  dense(name: string, inDim: number, outDim: number): DenseParams {
    const limit = Math.sqrt(6 / (inDim + outDim));
    const seed = this.seed();
    return {
      kernel: this.add(`${name}.kernel`, () => tf.randomUniform([inDim, outDim], -limit, limit, 'float32', seed)) as tf.Variable<tf.Rank.R2>,
      bias: this.add(`${name}.bias`, () => tf.zeros([outDim])) as tf.Variable<tf.Rank.R1>,
    };
  }

  /** A LayerNorm of width `dim`, initialised to the identity. */
  norm(name: string, dim: number): NormParams {
    return {
      gamma: this.add(`${name}.gamma`, () => tf.ones([dim])) as tf.Variable<tf.Rank.R1>,
      beta: this.add(`${name}.beta`, () => tf.zeros([dim])) as tf.Variable<tf.Rank.R1>,
    };
  }

  /** A `shape` tensor of normal(0, std) values, e.g. an embedding table. */
  normal(name: string, shape: number[], std: number): tf.Variable {
    const seed = this.seed();
    return this.add(name, () => tf.randomNormal(shape, 0, std, 'float32', seed));
  }

  /** A `shape` tensor of zeros. */
  zeros(name: string, shape: number[]): tf.Variable {
    return this.add(name, () => tf.zeros(shape));
  }

  /** Every variable created so far, in creation order. */
  variables(): tf.Variable[] {
    return [...this.created];
  }

  /** Frees every variable. */
  dispose(): void {
    for (const v of this.created) v.dispose();
    this.created.length = 0;
  }

  private seed(): number | undefined {
    if (this.nextSeed === null) return undefined;
    const seed = this.nextSeed;
    this.nextSeed += 1;
    return seed;
  }

  private add(name: string, initial: () => tf.Tensor): tf.Variable {
    const variable = tf.tidy(() => tf.variable(initial(), true, `${this.prefix}${name}`));
    this.created.push(variable);
    return variable;
  }
}
