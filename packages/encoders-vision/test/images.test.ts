// Image files: PNG and JPEG decoding, resizing, normalisation, seeded augmentations, PNG output, and errors that
// name the file (or, lenient, a presence mask of 0 and a count of skipped files).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as tfn from '@tensorflow/tfjs-node-gpu';
import { Rng } from '@finmm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageFileError, augmentImages, encodeImagePng, imageFormat, loadImages, readImageFile, renderCharts, writeChartPng } from '../src/index.js';

let dir: string;
const files = { png: '', jpeg: '', grey: '', truncated: '', text: '', missing: '' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'finmm-images-'));
  // an 8x6 RGB image: red rises down the rows, green along the columns, blue constant 200
  const rgb = tf.tidy(() => {
    const r = tf.tile(tf.reshape(tf.mul(tf.range(0, 8), 30), [8, 1, 1]), [1, 6, 1]); // [8, 6, 1]
    const g = tf.tile(tf.reshape(tf.mul(tf.range(0, 6), 40), [1, 6, 1]), [8, 1, 1]); // [8, 6, 1]
    return tf.cast(tf.concat([r, g, tf.fill([8, 6, 1], 200)], 2), 'int32') as tf.Tensor3D;
  });
  files.png = join(dir, 'doc.png');
  writeFileSync(files.png, await tfn.node.encodePng(rgb));
  files.jpeg = join(dir, 'doc.jpg');
  writeFileSync(files.jpeg, await tfn.node.encodeJpeg(rgb, 'rgb', 100));
  files.grey = join(dir, 'chart.png');
  const chart = renderCharts([Array.from({ length: 5 }, (_, i) => ({ open: 10 + i, high: 12 + i, low: 9 + i, close: 11 + i, volume: 1 + i }))], 5);
  await writeChartPng(files.grey, chart);
  chart.dispose();
  files.truncated = join(dir, 'truncated.png');
  writeFileSync(files.truncated, readFileSync(files.png).subarray(0, 40));
  files.text = join(dir, 'notes.png');
  writeFileSync(files.text, 'not an image at all');
  files.missing = join(dir, 'nowhere.png');
  rgb.dispose();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readImageFile', () => {
  it('decodes PNG and JPEG by their bytes', async () => {
    expect(imageFormat(readFileSync(files.png))).toBe('png');
    expect(imageFormat(readFileSync(files.jpeg))).toBe('jpeg');
    const png = await readImageFile(files.png, 3);
    expect(png.shape).toEqual([8, 6, 3]);
    expect(Array.from(png.slice([7, 5, 0], [1, 1, 3]).dataSync())).toEqual([210, 200, 200]);
    const jpeg = await readImageFile(files.jpeg, 3);
    expect(jpeg.shape).toEqual([8, 6, 3]);
    expect(tf.max(tf.abs(tf.sub(jpeg, png))).dataSync()[0]).toBeLessThan(40); // lossy but close
    const grey = await readImageFile(files.grey, 1);
    expect(grey.shape).toEqual([32, 15, 1]);
    expect(new Set(grey.dataSync())).toEqual(new Set([0, 255]));
    tf.dispose([png, jpeg, grey]);
  });

  it.each([
    ['missing', 'missing', /image file .*nowhere\.png: file not found/],
    ['truncated', 'truncated', /image file .*truncated\.png: corrupt PNG data/],
    ['not an image', 'text', /image file .*notes\.png: not a PNG or JPEG file \(19 bytes, starting 6e 6f 74 20\)/],
  ] as const)('names a %s file', async (_what, key, message) => {
    await expect(readImageFile(files[key], 3)).rejects.toThrow(message);
    await expect(readImageFile(files[key], 3)).rejects.toBeInstanceOf(ImageFileError);
  });
});

describe('loadImages', () => {
  it('resizes and normalises a batch', async () => {
    const { input, present, skipped } = await loadImages([files.png, files.jpeg], { height: 4, width: 3, normalize: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } });
    expect(input.pixels.shape).toEqual([2, 4, 3, 3]);
    expect(Array.from(present.dataSync())).toEqual([1, 1]);
    expect(skipped).toBe(0);
    const [min, max] = [tf.min(input.pixels).dataSync()[0] as number, tf.max(input.pixels).dataSync()[0] as number];
    expect(min).toBeGreaterThanOrEqual(-1);
    expect(max).toBeLessThanOrEqual(1);
    tf.dispose([input.pixels, present]);
  });

  it('throws naming a bad file, or skips it with lenient', async () => {
    await expect(loadImages([files.png, files.missing], { height: 8, width: 6 })).rejects.toThrow(/nowhere\.png: file not found/);
    const before = tf.memory().numTensors;
    const out = await loadImages([files.png, files.missing, files.truncated, files.jpeg], { height: 8, width: 6, lenient: true });
    expect(out.skipped).toBe(2);
    expect(out.problems.map((p) => p.index)).toEqual([1, 2]);
    expect(out.problems[1]?.reason).toMatch(/truncated\.png: corrupt PNG/);
    expect(Array.from(out.present.dataSync())).toEqual([1, 0, 0, 1]);
    expect(tf.tidy(() => tf.sum(tf.slice(out.input.pixels, [1, 0, 0, 0], [2, -1, -1, -1])).dataSync()[0])).toBe(0);
    tf.dispose([out.input.pixels, out.present]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('augments reproducibly from the seed and refuses flips for charts', async () => {
    const options = { height: 8, width: 6, augment: { cropFraction: 0.75, horizontalFlip: true, noiseStd: 0.05 } };
    const a = await loadImages([files.png, files.png, files.png, files.png], { ...options, rng: Rng.fromSeed(3) });
    const b = await loadImages([files.png, files.png, files.png, files.png], { ...options, rng: Rng.fromSeed(3) });
    const c = await loadImages([files.png, files.png, files.png, files.png], { ...options, rng: Rng.fromSeed(4) });
    expect(Array.from(a.input.pixels.dataSync())).toEqual(Array.from(b.input.pixels.dataSync()));
    expect(Array.from(a.input.pixels.dataSync())).not.toEqual(Array.from(c.input.pixels.dataSync()));
    tf.dispose([a.input.pixels, b.input.pixels, c.input.pixels, a.present, b.present, c.present]);
    await expect(loadImages([files.grey], { height: 32, width: 15, channels: 1, kind: 'chart', augment: { horizontalFlip: true }, rng: Rng.fromSeed(1) })).rejects.toThrow(
      /"horizontalFlip" is refused for chart images/,
    );
    await expect(loadImages([files.png], { height: 8, width: 6, augment: { noiseStd: 0.1 } })).rejects.toThrow(/needs an "rng"/);
  });

  it('flips left-right and crops as asked', () => {
    const pixels = tf.tensor4d([0, 0.5, 1, 0, 0.5, 1], [1, 2, 3, 1]);
    // draw until the coin says "flip" (each call flips with probability 0.5)
    const rng = Rng.fromSeed(5);
    let flipped: number[] = [];
    for (let i = 0; i < 30 && flipped[0] !== 1; i++) {
      const out = augmentImages(pixels, { horizontalFlip: true }, rng, 'document');
      flipped = Array.from(out.dataSync());
      out.dispose();
    }
    expect(flipped).toEqual([1, 0.5, 0, 1, 0.5, 0]);
    const chart = tf.tensor4d([0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0], [1, 4, 4, 1]);
    const cropped = augmentImages(chart, { cropFraction: 0.5 }, Rng.fromSeed(1), 'chart', 'nearest');
    expect(new Set(cropped.dataSync())).toEqual(new Set([0, 1])); // nearest keeps a chart black and white
    tf.dispose([pixels, chart, cropped]);
  });
});

describe('PNG output', () => {
  it('writes a chart that decodes back to the same pixels, optionally upscaled', async () => {
    const image = renderCharts([Array.from({ length: 20 }, (_, i) => ({ open: 10 + (i % 3), high: 13 + (i % 4), low: 9, close: 11, volume: i }))], 20);
    const path = join(dir, 'out', 'c.png');
    await writeChartPng(path, image);
    const back = await readImageFile(path, 1);
    expect(Array.from(back.dataSync())).toEqual(Array.from(image.dataSync(), (v) => v * 255));
    const png = await encodeImagePng(image, { scale: 3 });
    const decoded = tfn.node.decodePng(png, 1);
    expect(decoded.shape).toEqual([192, 180, 1]);
    tf.dispose([image, back, decoded]);
    await expect(encodeImagePng(tf.zeros([2, 4, 4, 1]))).rejects.toThrow(/expected an image/);
  });
});
