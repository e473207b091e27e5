import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { float32ToFloat16Bits } from '../src/float16.js';
import { SafetensorsError, type SafetensorsTensor } from '../src/safetensors.js';
import { fromTfTensor, toTfTensor } from '../src/safetensors-tf.js';
import { everyDtypeTensors } from './safetensors-helpers.js';

function converted(t: SafetensorsTensor, name = 'x'): { dtype: string; shape: number[]; values: number[] } {
  const tensor = toTfTensor(t, name);
  try {
    return { dtype: tensor.dtype, shape: tensor.shape, values: [...tensor.dataSync()] };
  } finally {
    tensor.dispose();
  }
}

describe('toTfTensor', () => {
  const tensors = everyDtypeTensors();
  const get = (name: string): SafetensorsTensor => {
    const t = tensors.get(name);
    if (!t) throw new Error(`no test tensor ${name}`);
    return t;
  };

  it('keeps float32 values and shapes, including scalars and empty tensors', () => {
    expect(converted(get('f32'))).toEqual({ dtype: 'float32', shape: [2, 3], values: [...get('f32').data] });
    expect(converted(get('f32_scalar'))).toEqual({ dtype: 'float32', shape: [], values: [42.5] });
    expect(converted(get('f32_empty'))).toEqual({ dtype: 'float32', shape: [0, 3], values: [] });
  });

  it('widens F16 and BF16 and narrows F64 to float32', () => {
    expect(converted(get('f16')).values).toEqual([1, -2, 65504, 2 ** -24]);
    expect(converted(get('bf16'))).toEqual({ dtype: 'float32', shape: [2, 1], values: [1, -2.5] });
    expect(converted(get('f64')).values).toEqual([Math.fround(1 / 3), Math.fround(-1e300), 0]);
  });

  it('widens I8, I16 and U8 to int32 and keeps I32', () => {
    expect(converted(get('i8'))).toEqual({ dtype: 'int32', shape: [4], values: [-128, -1, 0, 127] });
    expect(converted(get('i16')).values).toEqual([-32768, 1234, 32767]);
    expect(converted(get('u8')).values).toEqual([0, 1, 127, 128, 255]);
    expect(converted(get('i32')).values).toEqual([-(2 ** 31), -1, 0, 2 ** 31 - 1]);
  });

  it('narrows I64 to int32 when every value fits', () => {
    const t: SafetensorsTensor = { dtype: 'I64', shape: [3], data: new BigInt64Array([-(2n ** 31n), 5n, 2n ** 31n - 1n]) };
    expect(converted(t)).toEqual({ dtype: 'int32', shape: [3], values: [-(2 ** 31), 5, 2 ** 31 - 1] });
  });

  it('refuses I64 values outside int32, naming the tensor', () => {
    expect(() => toTfTensor(get('i64'), 'position_ids')).toThrow(SafetensorsError);
    expect(() => toTfTensor(get('i64'), 'position_ids')).toThrow(
      /tensor "position_ids": I64 value 1099511627776 at flat index 0 is outside the int32 range/,
    );
  });

  it('turns BOOL into a bool tensor', () => {
    expect(converted(get('bool'))).toEqual({ dtype: 'bool', shape: [2, 3], values: [1, 0, 1, 0, 0, 1] });
  });

  it('copies the data, so the tf tensor does not change with the source', () => {
    const source: SafetensorsTensor = { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) };
    const tensor = toTfTensor(source, 'w');
    source.data[0] = 99;
    expect([...tensor.dataSync()]).toEqual([1, 2]);
    tensor.dispose();
  });
});

describe('fromTfTensor', () => {
  it('stores float32 as F32 by default and as F16, BF16 or F64 on request', () => {
    const values = [0.1, -2, 65504, 1e-7];
    const tensor = tf.tensor2d(values, [2, 2]);
    const f32 = fromTfTensor(tensor);
    expect(f32).toEqual({ dtype: 'F32', shape: [2, 2], data: new Float32Array(values) });
    expect(fromTfTensor(tensor, 'F16')).toEqual({
      dtype: 'F16',
      shape: [2, 2],
      data: new Uint16Array(values.map(float32ToFloat16Bits)),
    });
    expect(fromTfTensor(tensor, 'BF16').data).toEqual(new Uint16Array([0x3dcd, 0xc000, 0x4780, 0x33d7]));
    expect(fromTfTensor(tensor, 'F64').data).toEqual(Float64Array.from(new Float32Array(values)));
    tensor.dispose();
  });

  it('stores int32 as I32 by default or I64, and bool as BOOL', () => {
    const ints = tf.tensor1d([-(2 ** 31), 7, 2 ** 31 - 1], 'int32');
    expect(fromTfTensor(ints)).toEqual({ dtype: 'I32', shape: [3], data: new Int32Array([-(2 ** 31), 7, 2 ** 31 - 1]) });
    expect(fromTfTensor(ints, 'I64').data).toEqual(new BigInt64Array([-(2n ** 31n), 7n, 2n ** 31n - 1n]));
    const mask = tf.tensor1d([true, false, true], 'bool');
    expect(fromTfTensor(mask)).toEqual({ dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) });
    ints.dispose();
    mask.dispose();
  });

  it('round-trips through toTfTensor', () => {
    const tensor = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 2, 3]);
    const back = toTfTensor(fromTfTensor(tensor, 'F16'), 'w');
    expect(back.shape).toEqual([1, 2, 3]);
    expect([...back.dataSync()]).toEqual([1, 2, 3, 4, 5, 6]);
    tensor.dispose();
    back.dispose();
  });

  it('refuses a storage dtype that does not fit the tf dtype', () => {
    const ints = tf.tensor1d([1, 2], 'int32');
    expect(() => fromTfTensor(ints, 'F16')).toThrow(/fromTfTensor\(int32 \[2\]\): cannot store a tf int32 tensor as F16/);
    ints.dispose();
  });
});
