import { afterAll, describe, it, expect } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  SafetensorsError,
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
  writeSafetensors,
  type SafetensorsTensor,
} from '../src/safetensors.js';
import { everyDtypeTensors, headerEntries, rawSafetensors, tempDirs } from './safetensors-helpers.js';

const temp = tempDirs('finmm-safetensors-');
afterAll(temp.cleanup);

describe('safetensors round trip', () => {
  it('decodes what it encodes, for every dtype', () => {
    const tensors = everyDtypeTensors();
    const decoded = decodeSafetensors(encodeSafetensors(tensors, { epoch: '3', note: 'ünïcode' }), 'memory');
    expect(decoded.metadata).toEqual({ epoch: '3', note: 'ünïcode' });
    expect([...decoded.tensors.keys()].sort()).toEqual([...tensors.keys()].sort());
    for (const [name, tensor] of tensors) {
      const back = decoded.tensors.get(name);
      expect(back?.dtype, name).toBe(tensor.dtype);
      expect(back?.shape, name).toEqual(tensor.shape);
      expect(back?.data, name).toEqual(tensor.data);
    }
  });

  it('stores i64 values beyond 2^31 as raw little-endian 64-bit integers', () => {
    const bytes = encodeSafetensors({ big: { dtype: 'I64', shape: [2], data: new BigInt64Array([2n ** 40n + 7n, -(2n ** 33n)]) } });
    const { length, header } = headerEntries(bytes);
    expect(header.big).toEqual({ dtype: 'I64', shape: [2], data_offsets: [0, 16] });
    const view = new DataView(bytes.buffer, bytes.byteOffset + 8 + length, 16);
    expect(view.getBigInt64(0, true)).toBe(2n ** 40n + 7n);
    expect(view.getBigInt64(8, true)).toBe(-(2n ** 33n));
    expect(bytes[8 + length]).toBe(7); // least significant byte first
  });

  it('lays out tensors like the Python package: widest dtype first, then names by bytes, header padded to 8', () => {
    const bytes = encodeSafetensors(everyDtypeTensors(), { b: '2', a: '1' });
    const { length, keys, header } = headerEntries(bytes);
    expect(length % 8).toBe(0);
    expect(keys).toEqual([
      '__metadata__', 'i64', 'f64', 'f32', 'f32_empty', 'f32_scalar', 'i32', 'bf16', 'f16', 'i16', 'i8', 'u8', 'bool',
    ]);
    expect(Object.keys(header.__metadata__ as object)).toEqual(['a', 'b']);
    let expectedBegin = 0;
    for (const key of keys.slice(1)) {
      const [begin, end] = (header[key] as { data_offsets: [number, number] }).data_offsets;
      expect(begin, key).toBe(expectedBegin);
      expectedBegin = end;
    }
  });

  it('keeps integer-like names in byte order and is independent of insertion order', () => {
    const one = (value: number): SafetensorsTensor => ({ dtype: 'I32', shape: [1], data: new Int32Array([value]) });
    const forward = encodeSafetensors(new Map([['9', one(9)], ['10', one(10)], ['a', one(0)]]));
    const backward = encodeSafetensors({ a: one(0), 10: one(10), 9: one(9) });
    expect(headerEntries(forward).keys).toEqual(['10', '9', 'a']);
    expect(backward).toEqual(forward);
  });

  it('omits __metadata__ when there is none and accepts an empty file', () => {
    const bytes = encodeSafetensors({});
    expect(headerEntries(bytes).header).toEqual({});
    expect(decodeSafetensors(bytes, 'empty').tensors.size).toBe(0);
    expect(decodeSafetensors(bytes, 'empty').metadata).toEqual({});
  });

  it('decodes without copying when aligned, and copies when not', () => {
    const bytes = encodeSafetensors(everyDtypeTensors());
    const aligned = decodeSafetensors(bytes, 'aligned');
    for (const tensor of aligned.tensors.values()) expect(tensor.data.buffer).toBe(bytes.buffer);

    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    const misaligned = decodeSafetensors(shifted, 'misaligned');
    for (const [name, tensor] of everyDtypeTensors()) {
      const back = misaligned.tensors.get(name);
      expect(back?.data, name).toEqual(tensor.data);
      const itemSize = tensor.data.BYTES_PER_ELEMENT;
      if (itemSize > 1 && tensor.data.length > 0) expect(back?.data.buffer, name).not.toBe(shifted.buffer);
    }
  });

  it('writes atomically to disk and reads back', async () => {
    const dir = await temp.make();
    const path = join(dir, 'weights.safetensors');
    await writeSafetensors(path, everyDtypeTensors(), { run: 'a' });
    await writeSafetensors(path, everyDtypeTensors(), { run: 'b' }); // replaces the previous file
    expect(await readdir(dir)).toEqual(['weights.safetensors']);
    const read = await readSafetensors(path);
    expect(read.metadata).toEqual({ run: 'b' });
    expect(read.tensors.get('i64')?.data).toEqual(everyDtypeTensors().get('i64')?.data);
    expect(new Uint8Array(await readFile(path))).toEqual(encodeSafetensors(everyDtypeTensors(), { run: 'b' }));
  });
});

describe('safetensors encoding errors', () => {
  const f32 = (shape: number[], length: number): SafetensorsTensor => ({
    dtype: 'F32',
    shape,
    data: new Float32Array(length),
  });

  it('rejects data whose length does not match the shape', () => {
    expect(() => encodeSafetensors({ w: f32([2, 3], 5) })).toThrow(/encodeSafetensors: tensor "w": shape \[2, 3\] has 6 elements but data has 5/);
  });

  it('rejects data in the wrong typed array for the dtype', () => {
    const wrong = { dtype: 'F16', shape: [2], data: new Float32Array(2) } as SafetensorsTensor;
    expect(() => encodeSafetensors({ h: wrong })).toThrow(/tensor "h": dtype F16 needs its data in a Uint16Array, got Float32Array/);
  });

  it('rejects unknown dtypes, bad shapes, the reserved name and non-string metadata', () => {
    const unknown = { dtype: 'F8', shape: [1], data: new Uint8Array(1) } as unknown as SafetensorsTensor;
    expect(() => encodeSafetensors({ q: unknown })).toThrow(/tensor "q": unknown dtype "F8"/);
    expect(() => encodeSafetensors({ w: f32([-1], 0) })).toThrow(/shape must be an array of non-negative integers/);
    expect(() => encodeSafetensors({ __metadata__: f32([1], 1) })).toThrow(SafetensorsError);
    const metadata = { epoch: 3 } as unknown as Record<string, string>;
    expect(() => encodeSafetensors({}, metadata)).toThrow(/metadata "epoch" must be a string/);
  });

  it('names the file when writing fails validation', async () => {
    const dir = await temp.make();
    const path = join(dir, 'bad.safetensors');
    await expect(writeSafetensors(path, { w: f32([2], 1) })).rejects.toThrow(path);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('safetensors decoding errors', () => {
  const source = 'fixtures/broken.safetensors';
  const entry = (dtype: string, shape: number[], offsets: number[]): Record<string, unknown> => ({
    dtype,
    shape,
    data_offsets: offsets,
  });

  function expectDecodeError(bytes: Uint8Array, pattern: RegExp): void {
    let caught: unknown;
    try {
      decodeSafetensors(bytes, source);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SafetensorsError);
    const message = (caught as Error).message;
    expect(message.startsWith(`${source}: `), message).toBe(true);
    expect(message).toMatch(pattern);
  }

  it('rejects a file shorter than 8 bytes', () => {
    expectDecodeError(new Uint8Array(5), /5 bytes, fewer than the 8-byte header length/);
  });

  it('rejects a header length beyond the end of the file', () => {
    expectDecodeError(rawSafetensors('{}', new Uint8Array(0), 100n), /header length 100 goes beyond the end of the file/);
    expectDecodeError(rawSafetensors('{}', new Uint8Array(0), 2n ** 63n), /goes beyond the end of the file/);
  });

  it('rejects a header that is not JSON or not an object', () => {
    expectDecodeError(rawSafetensors('{"w": '), /header is not valid UTF-8 JSON/);
    expectDecodeError(rawSafetensors(new Uint8Array([0x7b, 0xff, 0x7d])), /not valid UTF-8 JSON/);
    expectDecodeError(rawSafetensors('[1, 2]'), /header must be a JSON object, got an array/);
    expectDecodeError(rawSafetensors('"text"'), /header must be a JSON object, got a string/);
  });

  it('rejects an unknown dtype, naming it and the tensor', () => {
    expectDecodeError(rawSafetensors({ w: entry('F8_E4M3', [1], [0, 1]) }, new Uint8Array(1)), /tensor "w": unknown dtype "F8_E4M3"/);
  });

  it('rejects a shape that does not match the byte length', () => {
    expectDecodeError(
      rawSafetensors({ w: entry('F32', [2, 2], [0, 12]) }, new Uint8Array(12)),
      /tensor "w": shape \[2, 2\] of F32 needs 16 bytes but data_offsets \[0, 12\] hold 12/,
    );
  });

  it('rejects malformed shapes and offsets', () => {
    expectDecodeError(rawSafetensors({ w: entry('F32', [1.5], [0, 4]) }, new Uint8Array(4)), /tensor "w": shape must be/);
    expectDecodeError(rawSafetensors({ w: entry('F32', [1], [4, 0]) }, new Uint8Array(4)), /tensor "w": data_offsets must be/);
    expectDecodeError(rawSafetensors({ w: { dtype: 'F32', shape: [1] } }, new Uint8Array(4)), /tensor "w": data_offsets must be/);
    expectDecodeError(rawSafetensors({ w: 3 }), /tensor "w": header entry must be an object/);
  });

  it('rejects data_offsets beyond the data buffer', () => {
    expectDecodeError(
      rawSafetensors({ w: entry('F32', [4], [0, 16]) }, new Uint8Array(8)),
      /tensor "w": data_offsets \[0, 16\] go beyond the 8-byte data buffer/,
    );
  });

  it('rejects overlapping tensors', () => {
    const header = { a: entry('F32', [2], [0, 8]), b: entry('F32', [2], [4, 12]) };
    expectDecodeError(rawSafetensors(header, new Uint8Array(12)), /tensor "b": data_offsets \[4, 12\] overlap tensor "a"/);
  });

  it('rejects data not covered by the tensors (gaps and trailing bytes)', () => {
    const gap = { a: entry('F32', [1], [0, 4]), b: entry('F32', [1], [8, 12]) };
    expectDecodeError(rawSafetensors(gap, new Uint8Array(12)), /data bytes \[4, 8\) belong to no tensor/);
    expectDecodeError(rawSafetensors({ a: entry('F32', [1], [0, 4]) }, new Uint8Array(8)), /data bytes \[4, 8\) belong to no tensor/);
  });

  it('rejects non-string metadata', () => {
    expectDecodeError(rawSafetensors({ __metadata__: { epoch: 3 } }), /metadata "epoch" must be a string, got a number/);
    expectDecodeError(rawSafetensors({ __metadata__: 'x' }), /"__metadata__" must be an object of strings/);
  });

  it('accepts header padding with spaces and zero-sized tensors', () => {
    const header = { e: entry('F32', [0], [0, 0]), w: entry('U8', [2], [0, 2]) };
    const decoded = decodeSafetensors(rawSafetensors(`${JSON.stringify(header)}      `, new Uint8Array([7, 9])), source);
    expect(decoded.tensors.get('w')?.data).toEqual(new Uint8Array([7, 9]));
    expect(decoded.tensors.get('e')?.data.length).toBe(0);
  });

  it('names the path when reading a missing or corrupt file', async () => {
    const dir = await temp.make();
    const missing = join(dir, 'missing.safetensors');
    await expect(readSafetensors(missing)).rejects.toThrow(new RegExp(`^${escapeRegExp(missing)}: cannot read file`));
    const corrupt = join(dir, 'corrupt.safetensors');
    await writeFile(corrupt, rawSafetensors('not json'));
    await expect(readSafetensors(corrupt)).rejects.toThrow(`${corrupt}: header is not valid UTF-8 JSON`);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
