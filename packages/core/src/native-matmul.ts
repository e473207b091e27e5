// tf.matMul on the native backend: tfjs-core turns every matMul into a rank-3 BatchMatMul (a 2-D product becomes a
// batch of one), and tfjs-node runs TensorFlow's BatchMatMulV2 for it, which is about 30% slower than TensorFlow's
// plain MatMul on the same [M, K] x [K, N] product. This kernel sends batch-of-one float32 products to MatMul and
// everything else (real batches, broadcasting, other dtypes) to tfjs-node's own kernel.
import * as tf from '@tensorflow/tfjs';
import type { NodeBackend } from './node-backend.js';


let installed = false;

/** Whether installNativeMatMul has replaced the native backend's BatchMatMul kernel. */
export function nativeMatMulInstalled(): boolean {
  return installed;
}

/** Replaces tfjs-node's BatchMatMul kernel by one that runs batch-of-one float32 products as TensorFlow's MatMul. */
export function installNativeMatMul(): void {
  if (installed) return;
  const original = tf.getKernel(tf.BatchMatMul, 'tensorflow');
  if (original === undefined) return;
  installed = true;
  tf.unregisterKernel(tf.BatchMatMul, 'tensorflow');
  tf.registerKernel({
    kernelName: tf.BatchMatMul,
    backendName: 'tensorflow',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const batchOfOne = a.shape.length === 3 && b.shape.length === 3 && a.shape[0] === 1 && b.shape[0] === 1;
      if (!batchOfOne || a.dtype !== 'float32' || b.dtype !== 'float32') return original.kernelFunc(args);
      const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
      const backend = args.backend as unknown as NodeBackend;
      const { binding } = backend;
      const reshape = (x: tf.TensorInfo, shape: number[]): tf.Tensor => {
        const shapeTensor = tf.tensor1d(shape, 'int32');
        const attrs = [{ name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT }, { name: 'Tshape', type: binding.TF_ATTR_TYPE, value: binding.TF_INT32 }];
        const out = backend.executeSingleOutput('Reshape', attrs, [x, shapeTensor]);
        shapeTensor.dispose();
        return out;
      };
      const a2 = reshape(a, a.shape.slice(1)); // [1, M, K] -> [M, K]
      const b2 = reshape(b, b.shape.slice(1)); // [1, K, N] -> [K, N]
      const attrs = [
        { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
        { name: 'transpose_a', type: binding.TF_ATTR_BOOL, value: transposeA },
        { name: 'transpose_b', type: binding.TF_ATTR_BOOL, value: transposeB },
      ];
      const product = backend.executeSingleOutput('MatMul', attrs, [a2, b2]); // [M, N]
      const out = reshape(product, [1, ...product.shape]); // [M, N] -> [1, M, N]
      tf.dispose([a2, b2, product]);
      return out;
    },
  });
}
