// Conversions between safetensors tensors and TensorFlow.js tensors (which hold only float32, int32 and bool).
import * as tf from '@tensorflow/tfjs';
import {
  bfloat16ArrayToFloat32,
  float16ArrayToFloat32,
  float32ArrayToBfloat16,
  float32ArrayToFloat16,
} from './float16.js';
import { SafetensorsError, type SafetensorsDtype, type SafetensorsTensor } from './safetensors.js';

/** Safetensors dtypes a TensorFlow.js tensor can be stored as: float32 as F32 (default), F16, BF16 or F64; int32 as I32 (default) or I64; bool as BOOL. */
export type TfStorableDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I32' | 'I64' | 'BOOL';

const int32Min = -(2 ** 31);
const int32Max = 2 ** 31 - 1;

/** Converts a safetensors tensor to a new TensorFlow.js tensor (floats to float32, integers to int32, BOOL to bool); `name` is used in errors. */
export function toTfTensor(t: SafetensorsTensor, name: string): tf.Tensor {
  const { shape, data } = t;
  switch (t.dtype) {
    case 'F32':
      return tf.tensor(Float32Array.from(data as Float32Array), shape, 'float32');
    case 'F64':
      return tf.tensor(Float32Array.from(data as Float64Array), shape, 'float32');
    case 'F16':
      return tf.tensor(float16ArrayToFloat32(data as Uint16Array), shape, 'float32');
    case 'BF16':
      return tf.tensor(bfloat16ArrayToFloat32(data as Uint16Array), shape, 'float32');
    case 'I32':
    case 'I16':
    case 'I8':
    case 'U8':
      return tf.tensor(Int32Array.from(data as Int32Array | Int16Array | Int8Array | Uint8Array), shape, 'int32');
    case 'I64':
      return tf.tensor(int64ToInt32(data as BigInt64Array, name), shape, 'int32');
    case 'BOOL':
      return tf.tensor(Uint8Array.from(data as Uint8Array, (value) => (value === 0 ? 0 : 1)), shape, 'bool');
  }
}

/** Reads a TensorFlow.js tensor's values (synchronously) into a safetensors tensor of `dtype` (default F32, I32 or BOOL by tf dtype). */
export function fromTfTensor(tensor: tf.Tensor, dtype?: TfStorableDtype): SafetensorsTensor {
  const target = dtype ?? defaultDtype(tensor);
  const shape = [...tensor.shape];
  const source = `fromTfTensor(${tensor.dtype} [${shape.join(', ')}])`;
  const allowed: Record<string, readonly SafetensorsDtype[]> = {
    float32: ['F32', 'F16', 'BF16', 'F64'],
    int32: ['I32', 'I64'],
    bool: ['BOOL'],
  };
  if (!(allowed[tensor.dtype] ?? []).includes(target)) {
    throw new SafetensorsError(source, `cannot store a tf ${tensor.dtype} tensor as ${target}`);
  }
  const values = tensor.dataSync() as Float32Array | Int32Array | Uint8Array;
  switch (target) {
    case 'F32':
      return { dtype: target, shape, data: Float32Array.from(values) };
    case 'F16':
      return { dtype: target, shape, data: float32ArrayToFloat16(values) };
    case 'BF16':
      return { dtype: target, shape, data: float32ArrayToBfloat16(values) };
    case 'F64':
      return { dtype: target, shape, data: Float64Array.from(values) };
    case 'I32':
      return { dtype: target, shape, data: Int32Array.from(values) };
    case 'I64':
      return { dtype: target, shape, data: BigInt64Array.from(values, (value) => BigInt(value)) };
    case 'BOOL':
      return { dtype: target, shape, data: Uint8Array.from(values) };
  }
}

function defaultDtype(tensor: tf.Tensor): TfStorableDtype {
  if (tensor.dtype === 'int32') return 'I32';
  if (tensor.dtype === 'bool') return 'BOOL';
  return 'F32';
}

function int64ToInt32(values: BigInt64Array, name: string): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i] ?? 0n;
    if (value < int32Min || value > int32Max) {
      throw new SafetensorsError(
        `tensor "${name}"`,
        `I64 value ${value} at flat index ${i} is outside the int32 range TensorFlow.js supports`,
      );
    }
    out[i] = Number(value);
  }
  return out;
}
