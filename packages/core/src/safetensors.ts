// Reader and writer of the safetensors format (https://github.com/huggingface/safetensors):
// an 8-byte little-endian u64 header length N, N bytes of UTF-8 JSON header, then the raw little-endian tensor data.
// Output is laid out like the Python package's: tensors ordered by dtype (widest first), then by name, in both the
// header and the data, the header padded with spaces to 8 bytes, so every tensor is aligned for zero-copy reads.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';

/** Element types finmm reads; all of them can also be written. */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Typed storage of a tensor: F16/BF16 as raw Uint16Array bit patterns, BOOL as Uint8Array of 0/1. */
export type SafetensorsData =
  | Float32Array
  | Float64Array
  | Uint16Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array;

/** One tensor of a safetensors file: its dtype, shape (row-major) and flat data (`data.length` = product of `shape`). */
export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsData;
}

/** The free-form string-to-string `__metadata__` of a safetensors file. */
export type SafetensorsMetadata = Record<string, string>;

/** Tensors to write, by name. */
export type SafetensorsTensors = Map<string, SafetensorsTensor> | Record<string, SafetensorsTensor>;

/** A decoded safetensors file; `metadata` is `{}` when the file has none. */
export interface SafetensorsContents {
  tensors: Map<string, SafetensorsTensor>;
  metadata: SafetensorsMetadata;
}

/** A malformed safetensors file or an invalid tensor to write; the message starts with the file or source name. */
export class SafetensorsError extends Error {
  /** The file path or source name the error is about. */
  readonly source: string;

  constructor(source: string, message: string, options?: { cause?: unknown }) {
    super(`${source}: ${message}`, options);
    this.name = 'SafetensorsError';
    this.source = source;
  }
}

interface DtypeInfo {
  /** Bytes per element. */
  itemSize: number;
  /** Position in the Python package's dtype order; higher ranks are laid out first. */
  rank: number;
  /** The typed array class that holds this dtype (Symbol.toStringTag). */
  arrayName: string;
}

const dtypeInfo: Record<SafetensorsDtype, DtypeInfo> = {
  BOOL: { itemSize: 1, rank: 0, arrayName: 'Uint8Array' },
  U8: { itemSize: 1, rank: 1, arrayName: 'Uint8Array' },
  I8: { itemSize: 1, rank: 2, arrayName: 'Int8Array' },
  I16: { itemSize: 2, rank: 3, arrayName: 'Int16Array' },
  F16: { itemSize: 2, rank: 4, arrayName: 'Uint16Array' },
  BF16: { itemSize: 2, rank: 5, arrayName: 'Uint16Array' },
  I32: { itemSize: 4, rank: 6, arrayName: 'Int32Array' },
  F32: { itemSize: 4, rank: 7, arrayName: 'Float32Array' },
  F64: { itemSize: 8, rank: 8, arrayName: 'Float64Array' },
  I64: { itemSize: 8, rank: 9, arrayName: 'BigInt64Array' },
};

/** Every dtype finmm supports. */
export const SAFETENSORS_DTYPES = Object.keys(dtypeInfo) as SafetensorsDtype[];

const metadataKey = '__metadata__';
const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const utf8 = new TextEncoder();

/** Encodes tensors (and optional string metadata; omitted when empty) as safetensors bytes; `source` names them in errors. */
export function encodeSafetensors(
  tensors: SafetensorsTensors,
  metadata?: SafetensorsMetadata,
  source = 'encodeSafetensors',
): Uint8Array {
  return encodeFor(source, tensors, metadata);
}

/** Decodes safetensors bytes; `source` names them in errors. Tensor data aliases `bytes` where alignment allows. */
export function decodeSafetensors(bytes: Uint8Array, source: string): SafetensorsContents {
  const { header, dataStart } = readHeader(bytes, source);
  const dataLength = bytes.length - dataStart;
  const metadata = parseMetadata(header[metadataKey], source);
  const entries = Object.entries(header)
    .filter(([name]) => name !== metadataKey)
    .map(([name, value]) => parseEntry(name, value, source));
  checkCoverage(entries, dataLength, source);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const entry of entries) {
    const data = typedView(bytes, dataStart + entry.begin, entry.end - entry.begin, entry.dtype);
    tensors.set(entry.name, { dtype: entry.dtype, shape: entry.shape, data });
  }
  return { tensors, metadata };
}

/** Reads and decodes a safetensors file. */
export async function readSafetensors(path: string): Promise<SafetensorsContents> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new SafetensorsError(path, `cannot read file: ${(error as Error).message}`, { cause: error });
  }
  return decodeSafetensors(bytes, path);
}

/** Writes tensors to a safetensors file atomically (temporary sibling, fsync, rename). */
export async function writeSafetensors(
  path: string,
  tensors: SafetensorsTensors,
  metadata?: SafetensorsMetadata,
): Promise<void> {
  await writeFileAtomic(path, encodeFor(path, tensors, metadata));
}

/** Bytes per element of a dtype. */
export function safetensorsItemSize(dtype: SafetensorsDtype): number {
  return dtypeInfo[dtype].itemSize;
}

/** Whether a string names a dtype finmm supports. */
export function isSafetensorsDtype(value: string): value is SafetensorsDtype {
  return Object.hasOwn(dtypeInfo, value);
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

interface PlacedTensor {
  name: string;
  tensor: SafetensorsTensor;
  begin: number;
  end: number;
}

function encodeFor(source: string, tensors: SafetensorsTensors, metadata: SafetensorsMetadata | undefined): Uint8Array {
  const named = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  for (const [name, tensor] of named) checkTensor(name, tensor, source);
  const placed = placeTensors(named);
  const headerBytes = utf8.encode(headerJson(placed, metadata ?? {}, source));
  const paddedLength = Math.ceil(headerBytes.length / 8) * 8;
  const dataLength = placed.length === 0 ? 0 : (placed[placed.length - 1]?.end ?? 0);
  const out = new Uint8Array(8 + paddedLength + dataLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(paddedLength), true);
  out.set(headerBytes, 8);
  out.fill(0x20, 8 + headerBytes.length, 8 + paddedLength);
  const dataStart = 8 + paddedLength;
  for (const { tensor, begin, end } of placed) {
    const { data } = tensor;
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dataStart + begin);
    if (!hostIsLittleEndian) swapBytes(out.subarray(dataStart + begin, dataStart + end), dtypeInfo[tensor.dtype].itemSize);
  }
  return out;
}

function checkTensor(name: string, tensor: SafetensorsTensor, source: string): void {
  if (name === metadataKey) throw new SafetensorsError(source, `"${metadataKey}" is reserved and cannot name a tensor`);
  const { dtype, shape, data } = tensor;
  if (typeof dtype !== 'string' || !isSafetensorsDtype(dtype)) {
    throw new SafetensorsError(source, `tensor "${name}": unknown dtype "${String(dtype)}"`);
  }
  if (!Array.isArray(shape) || !shape.every(isDimension)) {
    throw new SafetensorsError(source, `tensor "${name}": shape must be an array of non-negative integers`);
  }
  const wanted = dtypeInfo[dtype].arrayName;
  const actual = ArrayBuffer.isView(data) ? data[Symbol.toStringTag] : typeof data;
  if (actual !== wanted) {
    throw new SafetensorsError(source, `tensor "${name}": dtype ${dtype} needs its data in a ${wanted}, got ${actual}`);
  }
  const count = elementCount(shape);
  if (data.length !== count) {
    throw new SafetensorsError(
      source,
      `tensor "${name}": shape [${shape.join(', ')}] has ${count} elements but data has ${data.length}`,
    );
  }
}

// Python's order: widest dtype first, then names by UTF-8 bytes; each tensor starts where the previous one ends.
function placeTensors(named: Array<[string, SafetensorsTensor]>): PlacedTensor[] {
  const keyed = named.map(([name, tensor]) => ({ name, tensor, key: Buffer.from(name, 'utf8') }));
  keyed.sort((a, b) => dtypeInfo[b.tensor.dtype].rank - dtypeInfo[a.tensor.dtype].rank || Buffer.compare(a.key, b.key));
  let offset = 0;
  return keyed.map(({ name, tensor }) => {
    const begin = offset;
    offset += tensor.data.byteLength;
    return { name, tensor, begin, end: offset };
  });
}

// Written by hand so that names like "0" keep their place (JS objects put integer-like keys first).
function headerJson(placed: PlacedTensor[], metadata: SafetensorsMetadata, source: string): string {
  const parts: string[] = [];
  const metadataKeys = Object.keys(metadata).sort(compareUtf8);
  if (metadataKeys.length > 0) {
    const fields = metadataKeys.map((key) => {
      const value = metadata[key];
      if (typeof value !== 'string') {
        throw new SafetensorsError(source, `metadata "${key}" must be a string, got ${typeof value}`);
      }
      return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
    });
    parts.push(`${JSON.stringify(metadataKey)}:{${fields.join(',')}}`);
  }
  for (const { name, tensor, begin, end } of placed) {
    const info = `{"dtype":"${tensor.dtype}","shape":[${tensor.shape.join(',')}],"data_offsets":[${begin},${end}]}`;
    parts.push(`${JSON.stringify(name)}:${info}`);
  }
  return `{${parts.join(',')}}`;
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

function readHeader(bytes: Uint8Array, source: string): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8) {
    throw new SafetensorsError(source, `file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    throw new SafetensorsError(
      source,
      `header length ${headerLength} goes beyond the end of the file (${bytes.length - 8} bytes after the length)`,
    );
  }
  const dataStart = 8 + Number(headerLength);
  let parsed: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart));
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SafetensorsError(source, `header is not valid UTF-8 JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isPlainObject(parsed)) {
    throw new SafetensorsError(source, `header must be a JSON object, got ${describeJson(parsed)}`);
  }
  return { header: parsed, dataStart };
}

function parseMetadata(value: unknown, source: string): SafetensorsMetadata {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new SafetensorsError(source, `"${metadataKey}" must be an object of strings, got ${describeJson(value)}`);
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') {
      throw new SafetensorsError(source, `metadata "${key}" must be a string, got ${describeJson(item)}`);
    }
  }
  return Object.fromEntries(Object.entries(value)) as SafetensorsMetadata; // fromEntries keeps a "__proto__" key as data
}

function parseEntry(name: string, value: unknown, source: string): HeaderEntry {
  const fail = (problem: string): never => {
    throw new SafetensorsError(source, `tensor "${name}": ${problem}`);
  };
  if (!isPlainObject(value)) return fail(`header entry must be an object, got ${describeJson(value)}`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string' || !isSafetensorsDtype(dtype)) return fail(`unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isDimension)) {
    return fail(`shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const [begin, end] = Array.isArray(offsets) && offsets.length === 2 ? offsets : [];
  if (!isDimension(begin) || !isDimension(end) || begin > end) {
    return fail(`data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offsets)}`);
  }
  const needed = elementCount(shape) * dtypeInfo[dtype].itemSize;
  if (end - begin !== needed) {
    return fail(`shape [${shape.join(', ')}] of ${dtype} needs ${needed} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { name, dtype, shape: [...shape], begin, end };
}

// The tensors must tile the data buffer exactly: no byte outside it, none shared, none unused.
function checkCoverage(entries: HeaderEntry[], dataLength: number, source: string): void {
  for (const entry of entries) {
    if (entry.end > dataLength) {
      throw new SafetensorsError(
        source,
        `tensor "${entry.name}": data_offsets [${entry.begin}, ${entry.end}] go beyond the ${dataLength}-byte data buffer`,
      );
    }
  }
  const ordered = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: HeaderEntry | undefined;
  for (const entry of ordered) {
    if (entry.begin < covered) {
      throw new SafetensorsError(
        source,
        `tensor "${entry.name}": data_offsets [${entry.begin}, ${entry.end}] overlap tensor "${previous?.name}"`,
      );
    }
    if (entry.begin > covered) {
      throw new SafetensorsError(source, `data bytes [${covered}, ${entry.begin}) belong to no tensor`);
    }
    covered = entry.end;
    previous = entry;
  }
  if (covered !== dataLength) {
    throw new SafetensorsError(source, `data bytes [${covered}, ${dataLength}) belong to no tensor`);
  }
}

// A view into `bytes` when the start is aligned for the element type (and the host is little-endian), else a copy.
function typedView(bytes: Uint8Array, start: number, byteLength: number, dtype: SafetensorsDtype): SafetensorsData {
  const { itemSize } = dtypeInfo[dtype];
  let buffer: ArrayBufferLike = bytes.buffer;
  let offset = bytes.byteOffset + start;
  if (offset % itemSize !== 0 || !hostIsLittleEndian) {
    const copy = bytes.slice(start, start + byteLength);
    if (!hostIsLittleEndian) swapBytes(copy, itemSize);
    buffer = copy.buffer;
    offset = 0;
  }
  const length = byteLength / itemSize;
  switch (dtype) {
    case 'F64':
      return new Float64Array(buffer, offset, length);
    case 'F32':
      return new Float32Array(buffer, offset, length);
    case 'F16':
    case 'BF16':
      return new Uint16Array(buffer, offset, length);
    case 'I64':
      return new BigInt64Array(buffer, offset, length);
    case 'I32':
      return new Int32Array(buffer, offset, length);
    case 'I16':
      return new Int16Array(buffer, offset, length);
    case 'I8':
      return new Int8Array(buffer, offset, length);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(buffer, offset, length);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function swapBytes(bytes: Uint8Array, itemSize: number): void {
  if (itemSize === 1) return;
  for (let base = 0; base < bytes.length; base += itemSize) {
    bytes.subarray(base, base + itemSize).reverse();
  }
}

function elementCount(shape: number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}

function isDimension(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
