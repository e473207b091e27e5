// Writes an image tensor (a chart or any image with values in [0, 1]) as a PNG file a person can look at.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { tfNode } from '../images/native.js';

/** Options of `writeChartPng`. */
export interface PngOptions {
  /** Integer upscaling factor (nearest neighbour), to make small charts visible; default 1. */
  scale?: number;
}

/** PNG bytes of an image `[H, W]`, `[H, W, C]` or `[1, H, W, C]` with values in [0, 1] (C = 1, 3 or 4). */
export async function encodeImagePng(image: tf.Tensor, options: PngOptions = {}): Promise<Uint8Array> {
  const scale = options.scale ?? 1;
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`encodeImagePng: option "scale" must be an integer >= 1, got ${scale}`);
  const shape = image.shape;
  if (!(image.rank === 2 || image.rank === 3 || (image.rank === 4 && shape[0] === 1))) {
    throw new Error(`encodeImagePng: expected an image [H, W], [H, W, C] or [1, H, W, C], got shape [${shape.join(', ')}]`);
  }
  const bytes = tf.tidy(() => {
    const [h, w] = image.rank === 4 ? [shape[1] as number, shape[2] as number] : [shape[0] as number, shape[1] as number];
    let x = tf.reshape(image, [1, h, w, image.rank === 2 ? 1 : (shape[shape.length - 1] as number)]) as tf.Tensor4D; // [1, H, W, C]
    if (scale > 1) x = tf.image.resizeNearestNeighbor(x, [h * scale, w * scale]);
    return tf.cast(tf.clipByValue(tf.round(tf.mul(tf.squeeze(x, [0]), 255)), 0, 255), 'int32') as tf.Tensor3D; // [H', W', C]
  });
  try {
    return await tfNode('encodeImagePng').node.encodePng(bytes);
  } finally {
    bytes.dispose();
  }
}

/** Writes an image (values in [0, 1]; e.g. one chart of `renderCharts`, sliced to `[1, H, W, 1]`) to a PNG file. */
export async function writeChartPng(path: string, image: tf.Tensor, options: PngOptions = {}): Promise<void> {
  const png = await encodeImagePng(image, options);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, png);
}
