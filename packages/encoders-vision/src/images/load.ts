// Loads a batch of document or chart images from files: decode, resize, optional seeded augmentation, normalise;
// missing or corrupt files are errors naming the file, or (lenient) absent samples with a presence mask of 0.
import * as tf from '@tensorflow/tfjs';
import type { ImageInput, Rng } from '@finmm/core';
import { augmentImages, checkAugment, IMAGE_KINDS, type AugmentOptions, type ImageKind } from './augment.js';
import { ImageFileError, readImageFile } from './decode.js';

/** Options of `loadImages`. */
export interface ImageLoadOptions {
  /** Output height and width; every image is resized to them. */
  height: number;
  width: number;
  /** Channels: 1 (grey) or 3 (RGB); default 3. */
  channels?: 1 | 3;
  /** 'document' (default) or 'chart': charts resize with nearest neighbour and refuse flips. */
  kind?: ImageKind;
  /** Resize method; default 'bilinear' for documents, 'nearest' for charts. */
  resize?: 'bilinear' | 'nearest';
  /** After scaling to [0, 1], `(x - mean[c]) / std[c]` per channel; default none (pixels stay in [0, 1]). */
  normalize?: { mean: number[]; std: number[] };
  /** Augmentations (for training batches); needs `rng`. Default none. */
  augment?: AugmentOptions;
  /** Seeded generator of the augmentations. */
  rng?: Rng;
  /** Give a missing or corrupt file a zero image with presence 0 instead of throwing; default false. */
  lenient?: boolean;
}

/** A loaded batch. */
export interface LoadedImages {
  /** Pixels `[B, H, W, C]` (zeros for skipped files). */
  input: ImageInput;
  /** `[B]`: 1 where the image loaded, 0 where it was skipped (the image modality's presence mask). */
  present: tf.Tensor1D;
  /** Number of files skipped (lenient only). */
  skipped: number;
  /** Each skipped file and why. */
  problems: Array<{ index: number; file: string; reason: string }>;
}

function checkOptions(o: ImageLoadOptions): void {
  for (const field of ['height', 'width'] as const) {
    if (!Number.isInteger(o[field]) || o[field] < 1) throw new Error(`loadImages: option "${field}" must be an integer >= 1, got ${o[field]}`);
  }
  if (o.channels !== undefined && o.channels !== 1 && o.channels !== 3) throw new Error(`loadImages: option "channels" must be 1 or 3, got ${String(o.channels)}`);
  if (o.kind !== undefined && !IMAGE_KINDS.includes(o.kind)) throw new Error(`loadImages: option "kind" must be one of ${IMAGE_KINDS.join(', ')}`);
  const c = o.channels ?? 3;
  if (o.normalize !== undefined) {
    const { mean, std } = o.normalize;
    if (mean.length !== c || std.length !== c) throw new Error(`loadImages: option "normalize": mean and std need ${c} entries each`);
    if (std.some((s) => !(s > 0))) throw new Error('loadImages: option "normalize.std": every entry must be > 0');
  }
  if (o.augment !== undefined) {
    checkAugment(o.augment, o.kind ?? 'document');
    if (o.rng === undefined) throw new Error('loadImages: option "augment" needs an "rng" (core Rng) so that runs can be replayed');
  }
}

/** Loads, resizes, augments and normalises the images at `paths` into one batch. */
export async function loadImages(paths: readonly string[], options: ImageLoadOptions): Promise<LoadedImages> {
  checkOptions(options);
  const { height, width } = options;
  const channels = options.channels ?? 3;
  const kind = options.kind ?? 'document';
  const method = options.resize ?? (kind === 'chart' ? 'nearest' : 'bilinear');
  const problems: LoadedImages['problems'] = [];
  const images: tf.Tensor3D[] = [];
  const present: number[] = [];
  try {
    for (let i = 0; i < paths.length; i++) {
      const file = paths[i] as string;
      let decoded: tf.Tensor3D;
      try {
        decoded = await readImageFile(file, channels);
      } catch (error) {
        if (!(options.lenient === true && error instanceof ImageFileError)) throw error;
        problems.push({ index: i, file, reason: error.message });
        images.push(tf.zeros([height, width, channels]));
        present.push(0);
        continue;
      }
      images.push(
        tf.tidy(() => {
          const scaled = tf.div(tf.cast(decoded, 'float32'), 255) as tf.Tensor3D; // [h, w, C] in [0, 1]
          const [h, w] = decoded.shape;
          if (h === height && w === width) return scaled;
          return method === 'nearest' ? tf.image.resizeNearestNeighbor(scaled, [height, width]) : tf.image.resizeBilinear(scaled, [height, width]);
        }),
      );
      decoded.dispose();
      present.push(1);
    }
    const pixels = tf.tidy(() => {
      let batch = (paths.length === 0 ? tf.zeros([0, height, width, channels]) : tf.stack(images)) as tf.Tensor4D; // [B, H, W, C]
      if (options.augment !== undefined && paths.length > 0) batch = augmentImages(batch, options.augment, options.rng as Rng, kind, method);
      if (options.normalize !== undefined) {
        const mean = tf.tensor1d(options.normalize.mean);
        const std = tf.tensor1d(options.normalize.std);
        batch = tf.div(tf.sub(batch, mean), std) as tf.Tensor4D;
      }
      const mask = tf.tensor4d(present, [paths.length, 1, 1, 1]); // [B, 1, 1, 1]: skipped images stay exactly 0
      return tf.mul(batch, mask) as tf.Tensor4D;
    });
    return { input: { pixels }, present: tf.tensor1d(present), skipped: problems.length, problems };
  } finally {
    tf.dispose(images);
  }
}
