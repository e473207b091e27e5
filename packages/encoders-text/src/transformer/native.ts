// Direct calls of native TensorFlow kernels on the 'tensorflow' backend (tfjs-node), for the transformer's hot ops:
// MatMul without tfjs's 3-D reshapes, BiasAdd / BiasAddGrad, FusedBatchNormV3 as a LayerNorm, RandomUniform.
// Each call is one TensorFlow op; the ops.ts functions wrap them in custom gradients and fall back to tfjs ops
// on other backends.
import * as tf from '@tensorflow/tfjs';

interface NativeAttr {
  name: string;
  type: number;
  value: number | boolean | string;
}

/** The parts of tfjs-node's NodeJSKernelBackend these calls use. */
interface NodeBackend {
  binding: {
    TF_ATTR_INT: number;
    TF_ATTR_BOOL: number;
    TF_ATTR_TYPE: number;
    TF_ATTR_FLOAT: number;
    TF_ATTR_STRING: number;
    TF_FLOAT: number;
    TF_INT32: number;
  };
  executeSingleOutput(name: string, attrs: NativeAttr[], inputs: tf.TensorInfo[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: NativeAttr[], inputs: tf.TensorInfo[], numOutputs: number): tf.Tensor[];
}

/** The outputs of the LayerNorm forward that its gradient needs. */
export interface NativeNormSaved {
  /** Normalised input `[N, D]`. */
  xhat: tf.Tensor2D;
  /** The input as FusedBatchNorm saw it, `[1, N, D, 1]`. */
  x4: tf.Tensor4D;
  reserve: tf.Tensor[];
}

/** How many row counts keep their constant LayerNorm inputs cached. */
const UNIT_CACHE_SIZE = 32;

/** Native TensorFlow kernels, called one op at a time. */
export class NativeOps {
  private readonly float: NativeAttr;
  private readonly unitCache = new Map<number, { ones: tf.Tensor1D; zeros: tf.Tensor1D; empty: tf.Tensor1D }>();

  constructor(private readonly backend: NodeBackend) {
    this.float = { name: 'T', type: backend.binding.TF_ATTR_TYPE, value: backend.binding.TF_FLOAT };
  }

  private bool(name: string, value: boolean): NativeAttr {
    return { name, type: this.backend.binding.TF_ATTR_BOOL, value };
  }

  private nhwc(): NativeAttr {
    return { name: 'data_format', type: this.backend.binding.TF_ATTR_STRING, value: 'NHWC' };
  }

  /** `a @ b` with optional transposes; rank 2 uses MatMul, higher ranks BatchMatMulV2 (batch dims broadcast). */
  matMul<T extends tf.Tensor>(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): T {
    if (a.rank === 2 && b.rank === 2) {
      const attrs = [this.float, this.bool('transpose_a', transposeA), this.bool('transpose_b', transposeB)];
      return this.backend.executeSingleOutput('MatMul', attrs, [a, b]) as T;
    }
    const attrs = [this.float, this.bool('adj_x', transposeA), this.bool('adj_y', transposeB)];
    return this.backend.executeSingleOutput('BatchMatMulV2', attrs, [a, b]) as T;
  }

  /** Adds `bias` `[C]` to the last axis of `x`. */
  biasAdd<T extends tf.Tensor>(x: T, bias: tf.Tensor1D): T {
    return this.backend.executeSingleOutput('BiasAdd', [this.float, this.nhwc()], [x, bias]) as T;
  }

  /** Sums `dy` over every axis but the last: the gradient of a bias. */
  biasAddGrad(dy: tf.Tensor): tf.Tensor1D {
    return this.backend.executeSingleOutput('BiasAddGrad', [this.float, this.nhwc()], [dy]) as tf.Tensor1D;
  }

  /** Normalises each row of `x` `[N, D]` to mean 0 and variance 1 (FusedBatchNormV3 with rows as channels). */
  normalizeRows(x: tf.Tensor2D, eps: number): NativeNormSaved {
    const [n, d] = x.shape;
    const unit = this.units(n);
    const x4 = tf.reshape(x, [1, n, d, 1]) as tf.Tensor4D; // [1, N, D, 1]: NCHW with the N rows as channels
    const outputs = this.backend.executeMultipleOutputs(
      'FusedBatchNormV3',
      [...this.normAttrs(eps), { name: 'exponential_avg_factor', type: this.backend.binding.TF_ATTR_FLOAT, value: 1 }],
      [x4, unit.ones, unit.zeros, unit.empty, unit.empty],
      6,
    );
    const [y, mean, variance, ...reserve] = outputs as [tf.Tensor, tf.Tensor, tf.Tensor, ...tf.Tensor[]];
    tf.dispose([mean, variance]);
    return { xhat: tf.reshape(y, [n, d]) as tf.Tensor2D, x4, reserve }; // [1, N, D, 1] -> [N, D]
  }

  /** Gradient of `normalizeRows` with respect to its input, given the gradient `dxhat` `[N, D]` of its output. */
  normalizeRowsGrad(dxhat: tf.Tensor2D, saved: NativeNormSaved, eps: number): tf.Tensor2D {
    const [n, d] = dxhat.shape;
    const unit = this.units(n);
    const dy4 = tf.reshape(dxhat, [1, n, d, 1]); // [N, D] -> [1, N, D, 1]
    const [dx, ...rest] = this.backend.executeMultipleOutputs(
      'FusedBatchNormGradV3',
      this.normAttrs(eps),
      [dy4, saved.x4, unit.ones, ...saved.reserve],
      5,
    ) as [tf.Tensor, ...tf.Tensor[]];
    tf.dispose(rest);
    return tf.reshape(dx, [n, d]) as tf.Tensor2D; // [1, N, D, 1] -> [N, D]
  }

  private normAttrs(eps: number): NativeAttr[] {
    const b = this.backend.binding;
    return [
      this.float,
      { name: 'U', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
      { name: 'epsilon', type: b.TF_ATTR_FLOAT, value: eps },
      { name: 'data_format', type: b.TF_ATTR_STRING, value: 'NCHW' },
      this.bool('is_training', true),
    ];
  }

  // Unit scale, zero offset and empty running statistics for N channels, made once per N.
  private units(n: number): { ones: tf.Tensor1D; zeros: tf.Tensor1D; empty: tf.Tensor1D } {
    let unit = this.unitCache.get(n);
    if (unit === undefined) {
      unit = tf.tidy(() => ({ ones: tf.keep(tf.ones([n]) as tf.Tensor1D), zeros: tf.keep(tf.zeros([n]) as tf.Tensor1D), empty: tf.keep(tf.zeros([0]) as tf.Tensor1D) }));
      this.unitCache.set(n, unit);
      // Row counts vary per batch (e.g. masked positions in MLM): keep the newest few, free the oldest.
      if (this.unitCache.size > UNIT_CACHE_SIZE) {
        const [oldest, old] = this.unitCache.entries().next().value as [number, { ones: tf.Tensor1D; zeros: tf.Tensor1D; empty: tf.Tensor1D }];
        this.unitCache.delete(oldest);
        tf.dispose([old.ones, old.zeros, old.empty]);
      }
    }
    return unit;
  }

  /** Uniform [0, 1) floats: StatelessRandomUniform with `seed`, else TensorFlow's (unseeded) RandomUniform kernel. */
  randomUniform(shape: number[], seed: number | null = null): tf.Tensor {
    const b = this.backend.binding;
    if (seed !== null) {
      // Stateless: the same (seed, shape) gives the same numbers, with no kernel state kept per seed.
      const statelessAttrs: NativeAttr[] = [
        { name: 'dtype', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
        { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_INT32 },
        { name: 'Tseed', type: b.TF_ATTR_TYPE, value: b.TF_INT32 },
      ];
      return tf.tidy(() => this.backend.executeSingleOutput('StatelessRandomUniform', statelessAttrs, [tf.tensor1d(shape, 'int32'), tf.tensor1d([seed, 0x5eed], 'int32')]));
    }
    const attrs: NativeAttr[] = [
      { name: 'seed', type: b.TF_ATTR_INT, value: 0 },
      { name: 'seed2', type: b.TF_ATTR_INT, value: 0 },
      { name: 'dtype', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
      { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_INT32 },
    ];
    return tf.tidy(() => this.backend.executeSingleOutput('RandomUniform', attrs, [tf.tensor1d(shape, 'int32')]));
  }
}

let cached: { backend: object; ops: NativeOps } | null = null;

/** The native kernels when the active backend is tfjs-node's 'tensorflow', else null. */
export function nativeOps(): NativeOps | null {
  if (tf.getBackend() !== 'tensorflow') return null;
  const backend = tf.backend();
  if (cached?.backend === backend) return cached.ops;
  const candidate = backend as unknown as Partial<NodeBackend>;
  if (typeof candidate.executeSingleOutput !== 'function' || typeof candidate.executeMultipleOutputs !== 'function' || candidate.binding === undefined) {
    return null;
  }
  cached = { backend, ops: new NativeOps(candidate as NodeBackend) };
  return cached.ops;
}
