// Creates the light encoders' variables with process-unique names and seeded initial values.
import * as tf from '@tensorflow/tfjs';

let instances = 0;

/** A variable-name prefix `<family>#<n>/` no registered variable uses yet. */
function uniquePrefix(family: string): string {
  const names = Object.keys(tf.engine().registeredVariables);
  for (;;) {
    instances += 1;
    const prefix = `${family}#${instances}/`;
    if (!names.some((name) => name.startsWith(prefix))) return prefix;
  }
}

/** The variables of one encoder: named `<family>#<n>/<name>`, initialised from `seed`, `seed + 1`, ... (random when null). */
export class LightParams {
  private readonly created: tf.Variable[] = [];
  private readonly prefix: string;
  private nextSeed: number | null;

  constructor(family: string, seed: number | null) {
    this.prefix = uniquePrefix(family);
    this.nextSeed = seed;
  }

  /** A table of normal(0, std) values, e.g. embeddings `[rows, dim]`. */
  normal(name: string, shape: number[], std: number): tf.Variable {
    const seed = this.seed();
    return this.add(name, () => tf.randomNormal(shape, 0, std, 'float32', seed));
  }

  /** Glorot-uniform values for a kernel with the given fan-in and fan-out. */
  glorot(name: string, shape: number[], fanIn: number, fanOut: number): tf.Variable {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const seed = this.seed();
    return this.add(name, () => tf.randomUniform(shape, -limit, limit, 'float32', seed));
  }

  /** Zeros, e.g. a bias. */
  zeros(name: string, shape: number[]): tf.Variable {
    return this.add(name, () => tf.zeros(shape));
  }

  /** Every variable, in creation order. */
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
    return this.nextSeed++;
  }

  private add(name: string, initial: () => tf.Tensor): tf.Variable {
    const variable = tf.tidy(() => tf.variable(initial(), true, `${this.prefix}${name}`));
    this.created.push(variable);
    return variable;
  }
}
