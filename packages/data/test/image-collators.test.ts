// Image files named in a path column: the built-in PNG decoder, resizing, presence for missing files, errors.
import type { ImageInput } from '@finmm/core';
import * as tf from '@tensorflow/tfjs';
import * as arrow from 'apache-arrow';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchSource, decodePng, disposeBatch, imageCollatorFor, imagePathCollator, parseDatasetSchema, type ImageDecoder } from '../src/index.js';

/** tfjs-node's codecs, as a reference decoder/encoder (the native backend the tests run on). */
const tfNode = (createRequire(import.meta.url)('@tensorflow/tfjs-node-gpu') as typeof import('@tensorflow/tfjs-node-gpu')).node;

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** A PNG of packed rows (each `rowBytes` long, already in the colour type's bit layout), row y filtered with type y % 5. */
function pngBytes(opts: { width: number; height: number; colourType: number; depth: number; rows: Uint8Array[]; palette?: number[]; interlace?: number }): Buffer {
  const samples = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[opts.colourType] as number;
  const bpp = Math.max(1, (samples * opts.depth) >> 3);
  const filtered = opts.rows.map((row, y) => {
    const prev = y > 0 ? (opts.rows[y - 1] as Uint8Array) : new Uint8Array(row.length);
    const type = y % 5;
    const out = new Uint8Array(row.length + 1);
    out[0] = type;
    for (let x = 0; x < row.length; x++) {
      const a = x >= bpp ? (row[x - bpp] as number) : 0;
      const b = prev[x] as number;
      const c = x >= bpp ? (prev[x - bpp] as number) : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][type] as number;
      out[x + 1] = ((row[x] as number) - predictor) & 0xff;
    }
    return out;
  });
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(opts.width, 0);
  ihdr.writeUInt32BE(opts.height, 4);
  ihdr.set([opts.depth, opts.colourType, 0, 0, opts.interlace ?? 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(opts.palette ? [chunk('PLTE', Uint8Array.from(opts.palette))] : []),
    chunk('IDAT', deflateSync(Buffer.concat(filtered))),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Deterministic pseudo-random bytes. */
function bytes(n: number, seed: number): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s >>> 24;
  });
}

const rgbRows = (w: number, h: number, seed: number): Uint8Array[] => Array.from({ length: h }, (_, y) => bytes(w * 3, seed + y));
const grey = (r: number, g: number, b: number): number => (r === g && g === b ? r : (9798 * r + 19235 * g + 3735 * b) >> 15);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finmm-images-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the built-in PNG decoder', () => {
  it('decodes 8-bit RGB through every filter type, and agrees with TensorFlow’s decoder', () => {
    const rows = rgbRows(7, 10, 1);
    const png = pngBytes({ width: 7, height: 10, colourType: 2, depth: 8, rows });
    const rgb = decodePng(png, 3);
    expect([rgb.width, rgb.height, rgb.channels]).toEqual([7, 10, 3]);
    expect(Array.from(rgb.data)).toEqual(rows.flatMap((r) => Array.from(r)));
    const native = tfNode.decodeImage(png, 3, 'int32', false);
    expect(Array.from(rgb.data)).toEqual(Array.from(native.dataSync()));
    native.dispose();
    const g = decodePng(png, 1);
    expect(Array.from(g.data)).toEqual(rows.flatMap((r) => Array.from({ length: 7 }, (_, x) => grey(r[3 * x] as number, r[3 * x + 1] as number, r[3 * x + 2] as number))));
    const nativeGrey = tfNode.decodeImage(png, 1, 'int32', false);
    const diff = Array.from(nativeGrey.dataSync()).map((v, i) => Math.abs(v - (g.data[i] as number)));
    expect(Math.max(...diff)).toBeLessThanOrEqual(1); // libpng rounds a few values the other way
    nativeGrey.dispose();
  });

  it('decodes what tfjs-node encodes', () => {
    const image = tf.tensor3d(bytes(13 * 9 * 3, 7), [9, 13, 3], 'int32');
    const png = tfNode.encodePng(image) as unknown as Promise<Uint8Array>;
    return png.then((data) => {
      expect(Array.from(decodePng(data, 3).data)).toEqual(Array.from(image.dataSync()));
      image.dispose();
    });
  });

  it('reads grey at low bit depths, palettes, alpha and 16-bit samples', () => {
    // 2-bit grey, 5 pixels a row: values 0..3 scale to 0, 85, 170, 255.
    const greyPixels = [
      [0, 1, 2, 3, 1],
      [3, 3, 0, 0, 2],
    ];
    const pack2 = (vals: number[]): Uint8Array => {
      const out = new Uint8Array(Math.ceil(vals.length / 4));
      vals.forEach((v, i) => (out[i >> 2] = (out[i >> 2] as number) | (v << (6 - 2 * (i & 3)))));
      return out;
    };
    const g2 = decodePng(pngBytes({ width: 5, height: 2, colourType: 0, depth: 2, rows: greyPixels.map(pack2) }), 1);
    expect(Array.from(g2.data)).toEqual(greyPixels.flat().map((v) => v * 85));
    // 4-bit palette.
    const palette = [255, 0, 0, 0, 255, 0, 0, 0, 255];
    const indices = [
      [0, 1, 2],
      [2, 2, 1],
    ];
    const pack4 = (vals: number[]): Uint8Array => {
      const out = new Uint8Array(Math.ceil(vals.length / 2));
      vals.forEach((v, i) => (out[i >> 1] = (out[i >> 1] as number) | (v << (i & 1 ? 0 : 4))));
      return out;
    };
    const p4 = decodePng(pngBytes({ width: 3, height: 2, colourType: 3, depth: 4, rows: indices.map(pack4), palette }), 3);
    expect(Array.from(p4.data)).toEqual(indices.flat().flatMap((i) => palette.slice(3 * i, 3 * i + 3)));
    expect(() => decodePng(pngBytes({ width: 3, height: 1, colourType: 3, depth: 4, rows: [pack4([0, 5, 1])], palette }), 3)).toThrow(/palette entry 5; the palette has 3/);
    // 8-bit RGBA: alpha is dropped.
    const rgba = decodePng(pngBytes({ width: 2, height: 1, colourType: 6, depth: 8, rows: [Uint8Array.from([10, 20, 30, 0, 40, 50, 60, 255])] }), 3);
    expect(Array.from(rgba.data)).toEqual([10, 20, 30, 40, 50, 60]);
    // 16-bit grey with alpha: samples round to 8 bits.
    const ga16 = decodePng(pngBytes({ width: 2, height: 1, colourType: 4, depth: 16, rows: [Uint8Array.from([0xff, 0xff, 0, 0, 0x80, 0x80, 0xff, 0xff])] }), 3);
    expect(Array.from(ga16.data)).toEqual([255, 255, 255, 128, 128, 128]);
  });

  it('rejects corrupt files saying what is wrong', () => {
    const good = pngBytes({ width: 2, height: 2, colourType: 2, depth: 8, rows: rgbRows(2, 2, 3) });
    const flipped = Buffer.from(good);
    flipped[45] = (flipped[45] as number) ^ 0xff; // inside IDAT's data (the chunk starts at byte 33)
    expect(() => decodePng(flipped, 3)).toThrow(/chunk IDAT at byte 33 fails its CRC check/);
    expect(() => decodePng(good.subarray(0, good.length - 12), 3)).toThrow(/no IEND chunk/);
    expect(() => decodePng(Buffer.from('GIF89a...'), 3)).toThrow(/not a PNG file/);
    expect(() => decodePng(pngBytes({ width: 2, height: 2, colourType: 2, depth: 8, rows: rgbRows(2, 2, 3), interlace: 1 }), 3)).toThrow(/interlaced/);
    expect(() => decodePng(pngBytes({ width: 2, height: 2, colourType: 2, depth: 4, rows: [new Uint8Array(3), new Uint8Array(3)] }), 3)).toThrow(/bit depth 4 is invalid for truecolour/);
  });
});

describe('imagePathCollator', () => {
  const big = rgbRows(8, 6, 11);
  const small = Array.from({ length: 4 }, (_, y) => bytes(4, 20 + y));
  fs.writeFileSync(path.join(dir, 'big.png'), pngBytes({ width: 8, height: 6, colourType: 2, depth: 8, rows: big }));
  fs.writeFileSync(path.join(dir, 'small.png'), pngBytes({ width: 4, height: 4, colourType: 0, depth: 8, rows: small }));
  fs.writeFileSync(path.join(dir, 'broken.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('not really')]));
  const context = (paths: Array<string | null>): { values: Record<string, Array<string | null>>; rows: number[] } => ({ values: { file: paths }, rows: paths.map((_, i) => 10 + i) });

  it('loads, resizes and scales images; null paths and (when allowed) missing files are absent', async () => {
    const before = tf.memory().numTensors;
    const collator = imagePathCollator({ column: 'file', height: 4, width: 4, baseDir: dir, missing: 'absent' });
    const out = await collator.collate(context(['big.png', path.join(dir, 'small.png'), 'nope.png', null]));
    expect(out.input.pixels.shape).toEqual([4, 4, 4, 3]);
    expect(Array.from(out.present.dataSync())).toEqual([1, 1, 0, 0]);
    const expectedBig = tf.tidy(() => tf.image.resizeBilinear(tf.div(tf.tensor3d(big.flatMap((r) => Array.from(r)), [6, 8, 3]), 255) as tf.Tensor3D, [4, 4]));
    const pixels = out.input.pixels.arraySync();
    const gotBig = Float32Array.from((pixels[0] as number[][][]).flat(2));
    const want = expectedBig.dataSync();
    expect(Math.max(...gotBig.map((v, i) => Math.abs(v - (want[i] as number))))).toBeLessThan(1e-6);
    // The grey image is replicated to 3 channels and kept at its size.
    for (const v of (pixels[1] as number[][][])[2]?.[3] ?? []) expect(v).toBeCloseTo((small[2]?.[3] as number) / 255, 6);
    expect((pixels[1] as number[][][])[2]?.[3]).toHaveLength(3);
    expect((pixels[2] as number[][][]).flat(2).every((v) => v === 0)).toBe(true);
    expect((pixels[3] as number[][][]).flat(2).every((v) => v === 0)).toBe(true);
    tf.dispose([out.input.pixels, out.present, expectedBig]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the row and path of a missing or corrupt file, and frees what it built', async () => {
    const before = tf.memory().numTensors;
    const strict = imagePathCollator({ column: 'file', height: 4, width: 4, baseDir: dir });
    await expect(strict.collate(context(['big.png', 'nope.png']))).rejects.toThrow(`row 11, column "file": image file ${path.join(dir, 'nope.png')} does not exist`);
    await expect(strict.collate(context(['big.png', 'broken.png']))).rejects.toThrow(/row 11, column "file": image file .*broken\.png cannot be decoded: .*truncated chunk/);
    const black = tf.zeros([4, 4, 3], 'int32') as tf.Tensor3D;
    const jpeg = await tfNode.encodeJpeg(black);
    black.dispose();
    fs.writeFileSync(path.join(dir, 'photo.jpg'), jpeg);
    await expect(strict.collate(context(['photo.jpg']))).rejects.toThrow(/row 10, column "file": image file .*photo\.jpg cannot be decoded: a JPEG file; .*pass a `decode` function/);
    expect(tf.memory().numTensors).toBe(before);
    // An injected decoder (tfjs-node's) reads JPEG.
    const decode: ImageDecoder = (data, channels) => tfNode.decodeImage(data, channels, 'int32', false) as tf.Tensor3D;
    const out = await imagePathCollator({ column: 'file', height: 2, width: 2, channels: 1, baseDir: dir, decode }).collate(context(['photo.jpg', 'small.png']));
    expect(out.input.pixels.shape).toEqual([2, 2, 2, 1]);
    expect(Array.from(out.present.dataSync())).toEqual([1, 1]);
    tf.dispose([out.input.pixels, out.present]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('serves path and pixel image columns through a BatchSource from the schema', async () => {
    const schema = parseDatasetSchema({
      name: 'docs',
      columns: {
        file: { role: 'image', source: 'path', missing: 'absent' },
        raw: { role: 'image', source: 'pixels' },
        y: { role: 'label', task: 'y', kind: 'binary', classes: ['a', 'b'] },
      },
    });
    const table = new arrow.Table({
      file: arrow.vectorFromArray([path.join(dir, 'small.png'), path.join(dir, 'gone.png'), null], new arrow.Utf8()),
      raw: arrow.vectorFromArray([[0, 255, 255, 0], null, [255, 255, 255, 255]], new arrow.List(new arrow.Field('item', new arrow.Float64(), true))),
      y: arrow.vectorFromArray(['a', 'b', 'a'], new arrow.Utf8()),
    });
    const before = tf.memory().numTensors;
    const fromFiles = new BatchSource({ table, schema, collators: { image: imageCollatorFor(schema, 'file', { height: 2, width: 2, channels: 1, resize: 'nearest' }) } });
    const a = await fromFiles.collate([0, 1, 2]);
    expect((a.inputs.image as ImageInput).pixels.shape).toEqual([3, 2, 2, 1]);
    expect(Array.from(a.present.image?.dataSync() ?? [])).toEqual([1, 0, 0]);
    disposeBatch(a);
    const fromPixels = new BatchSource({ table, schema, collators: { image: imageCollatorFor(schema, 'raw', { height: 2, width: 2, channels: 1, scale: 1 / 255 }) } });
    const b = await fromPixels.collate([0, 1, 2]);
    expect(Array.from((b.inputs.image as ImageInput).pixels.dataSync())).toEqual([0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(b.present.image?.dataSync() ?? [])).toEqual([1, 0, 1]);
    disposeBatch(b);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => imageCollatorFor(schema, 'y', { height: 2, width: 2 })).toThrow(/column "y" is a "label" column, not an image/);
  });
});
