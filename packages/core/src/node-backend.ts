// The parts of tfjs-node's NodeJSKernelBackend (the native 'tensorflow' backend) that core calls directly: the
// TensorFlow binding's constants and version, the GPU flag, and running one TensorFlow op by name.
import type * as tf from '@tensorflow/tfjs';

/** An attribute of a TensorFlow op, as tfjs-node passes it to the binding. */
export interface NodeOpAttr {
  name: string;
  type: number;
  value: number | boolean | string;
}

/** The native backend object (`tf.backend()` when the backend is 'tensorflow'). */
export interface NodeBackend {
  binding: { TF_Version: string; TF_ATTR_TYPE: number; TF_ATTR_BOOL: number; TF_FLOAT: number; TF_INT32: number };
  isUsingGpuDevice: boolean;
  executeSingleOutput(name: string, attrs: NodeOpAttr[], inputs: tf.TensorInfo[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: NodeOpAttr[], inputs: tf.TensorInfo[], numOutputs: number): tf.Tensor[];
}
