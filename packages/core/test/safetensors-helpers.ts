// Shared test data: one tensor of every dtype, and a builder of hand-made (possibly malformed) safetensors bytes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SafetensorsTensor } from '../src/safetensors.js';

/** One tensor of every supported dtype, with edge values (extremes, i64 beyond 2^31, scalar and empty shapes). */
export function everyDtypeTensors(): Map<string, SafetensorsTensor> {
  return new Map<string, SafetensorsTensor>([
    ['f32', { dtype: 'F32', shape: [2, 3], data: new Float32Array([0, -1.5, 3.25, 1e-8, 3.4028234663852886e38, NaN]) }],
    ['f32_scalar', { dtype: 'F32', shape: [], data: new Float32Array([42.5]) }],
    ['f32_empty', { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) }],
    ['f16', { dtype: 'F16', shape: [4], data: new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001]) }],
    ['bf16', { dtype: 'BF16', shape: [2, 1], data: new Uint16Array([0x3f80, 0xc020]) }],
    ['f64', { dtype: 'F64', shape: [3], data: new Float64Array([1 / 3, -1e300, Number.MIN_VALUE]) }],
    ['i8', { dtype: 'I8', shape: [4], data: new Int8Array([-128, -1, 0, 127]) }],
    ['i16', { dtype: 'I16', shape: [3], data: new Int16Array([-32768, 1234, 32767]) }],
    ['i32', { dtype: 'I32', shape: [2, 2], data: new Int32Array([-(2 ** 31), -1, 0, 2 ** 31 - 1]) }],
    [
      'i64',
      { dtype: 'I64', shape: [2, 2], data: new BigInt64Array([2n ** 40n, 2n ** 31n, -(2n ** 63n), 2n ** 63n - 1n]) },
    ],
    ['u8', { dtype: 'U8', shape: [5], data: new Uint8Array([0, 1, 127, 128, 255]) }],
    ['bool', { dtype: 'BOOL', shape: [2, 3], data: new Uint8Array([1, 0, 1, 0, 0, 1]) }],
  ]);
}

/** Bytes of a safetensors file with the given header (object or raw text), data, and optionally a false header length. */
export function rawSafetensors(
  header: Record<string, unknown> | string | Uint8Array,
  data: Uint8Array = new Uint8Array(0),
  declaredHeaderLength?: bigint,
): Uint8Array {
  const headerBytes =
    header instanceof Uint8Array
      ? header
      : new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declaredHeaderLength ?? BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

/** The parsed JSON header of safetensors bytes, keys in file order. */
export function headerEntries(bytes: Uint8Array): { length: number; keys: string[]; header: Record<string, unknown> } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + length));
  const keys = [...text.matchAll(/"((?:[^"\\]|\\.)*)":\{"dtype"|"(__metadata__)":/g)].map((m) => m[1] ?? m[2] ?? '');
  return { length, keys, header: JSON.parse(text) as Record<string, unknown> };
}

/** Creates temporary directories for one test file and removes them all afterwards (call `cleanup` in afterAll). */
export function tempDirs(prefix: string): { make: () => Promise<string>; cleanup: () => Promise<void> } {
  const made: string[] = [];
  return {
    make: async () => {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    cleanup: async () => {
      await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}
