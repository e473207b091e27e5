// Creates an encoder's variables with Hugging Face state-dict names and BERT's initialisation, and keeps the
// name -> variable map that checkpoint loading and saving use.
import * as tf from '@tensorflow/tfjs';

/**
 * One weight with its Hugging Face state-dict name, e.g. `encoder.layer.0.attention.self.query.weight`. Variables
 * hold PyTorch's layout (linear weights `[out, in]`): MatMul with transpose_b runs as fast as with `[in, out]`
 * kernels (tools/bench), so checkpoints load and save without transposes.
 */
export interface NamedWeight {
  name: string;
  variable: tf.Variable;
}

/** A linear layer `y = x W^T + b` in PyTorch layout: weight `[out, in]`, bias `[out]`. */
export interface LinearParams {
  weight: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
}

/** A LayerNorm's scale and shift, both `[D]`. */
export interface NormParams {
  weight: tf.Variable<tf.Rank.R1>;
  bias: tf.Variable<tf.Rank.R1>;
}

/** Initialisation of new weights: normal(0, std) for matrices, as transformers' `initializer_range`. */
export interface InitOptions {
  /** Standard deviation of matrix and embedding weights; 0.02 in BERT. */
  std: number;
  /** Seed of the first weight (later weights use seed + 1, seed + 2, ...); null for a random init. */
  seed: number | null;
}

/** Creates variables named `<scope><HF name>` and records them in creation order. */
export class ParamStore {
  /** Every weight created so far, in creation order (embeddings, then layers, then pooler). */
  readonly weights: NamedWeight[] = [];
  private nextSeed: number | null;

  constructor(
    /** Prefix of every variable name, so that several encoders can live in one process. */
    readonly scope: string,
    private readonly init: InitOptions,
  ) {
    this.nextSeed = init.seed;
  }

  /** A linear layer mapping `inDim` to `outDim`, weight `[out, in]`. */
  linear(name: string, inDim: number, outDim: number): LinearParams {
    return {
      weight: this.add(`${name}.weight`, () => this.normal([outDim, inDim]), true) as tf.Variable<tf.Rank.R2>,
      bias: this.add(`${name}.bias`, () => tf.zeros([outDim]), true) as tf.Variable<tf.Rank.R1>,
    };
  }

  /** A LayerNorm of width `dim`, initialised to the identity. */
  norm(name: string, dim: number): NormParams {
    return {
      weight: this.add(`${name}.weight`, () => tf.ones([dim]), true) as tf.Variable<tf.Rank.R1>,
      bias: this.add(`${name}.bias`, () => tf.zeros([dim]), true) as tf.Variable<tf.Rank.R1>,
    };
  }

  /** An embedding table `[rows, dim]`; the `paddingRow`, if any, starts at zero as in PyTorch. */
  embedding(name: string, rows: number, dim: number, paddingRow: number | null = null): tf.Variable<tf.Rank.R2> {
    return this.add(
      `${name}.weight`,
      () => {
        const table = this.normal([rows, dim]);
        if (paddingRow === null) return table;
        const keep = tf.oneHot(tf.tensor1d([paddingRow], 'int32'), rows).reshape([rows, 1]); // [rows, 1]
        return tf.mul(table, tf.sub(1, keep));
      },
      true,
    ) as tf.Variable<tf.Rank.R2>;
  }

  /** A non-trainable table with fixed values, e.g. sinusoidal positions. */
  constant(name: string, values: Float32Array, shape: [number, number]): tf.Variable<tf.Rank.R2> {
    return this.add(`${name}.weight`, () => tf.tensor2d(values, shape), false) as tf.Variable<tf.Rank.R2>;
  }

  private normal(shape: [number, number]): tf.Tensor2D {
    const seed = this.nextSeed ?? undefined;
    if (this.nextSeed !== null) this.nextSeed += 1;
    return tf.randomNormal(shape, 0, this.init.std, 'float32', seed);
  }

  private add(name: string, initial: () => tf.Tensor, trainable: boolean): tf.Variable {
    const variableName = `${this.scope}${name}`;
    let variable: tf.Variable;
    try {
      variable = tf.tidy(() => tf.variable(initial(), trainable, variableName));
    } catch (error) {
      if (error instanceof Error && error.message.includes('already registered')) {
        throw new Error(
          `a variable named '${variableName}' already exists: dispose the other encoder or give this one a different 'scope'`,
          { cause: error },
        );
      }
      throw error;
    }
    this.weights.push({ name, variable });
    return variable;
  }
}

/** DistilBERT's sinusoidal position table `[rows, dim]`: sin on even columns, cos on odd ones. */
export function sinusoidalTable(rows: number, dim: number): Float32Array {
  const table = new Float32Array(rows * dim);
  for (let pos = 0; pos < rows; pos++) {
    for (let j = 0; j < dim; j++) {
      const angle = pos / Math.pow(10000, (2 * Math.floor(j / 2)) / dim);
      table[pos * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return table;
}
