// Image collators: image files named in a path column (decoded, resized to the configured size) into `[B, H, W, C]`.
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decodePng, isPng } from '../images/png.js';
import type { DatasetSchema } from '../schema.js';
import type { CollateContext, Collator } from './collator.js';
import { pixelCollator } from './collators.js';

/**
 * Decodes an image file's bytes to `[H, W, channels]` with values in 0..255 (any dtype). Inject one to read JPEG
 * or interlaced PNG, e.g. `(bytes, c) => tf.node.decodeImage(bytes, c, 'int32', false) as tf.Tensor3D` from
 * tfjs-node, which @finmm/data does not load itself. Throw to report a corrupt file.
 */
export type ImageDecoder = (bytes: Uint8Array, channels: 1 | 3, file: string) => tf.Tensor3D | Promise<tf.Tensor3D>;

/** The built-in decoder: PNG files (pure JS); anything else is an error saying to inject a decoder. */
export const pngDecoder: ImageDecoder = (bytes, channels) => {
  if (!isPng(bytes)) {
    const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
    throw new Error(jpeg ? 'a JPEG file; the built-in decoder reads PNG only: pass a `decode` function (e.g. tf.node.decodeImage)' : 'not a PNG file');
  }
  const image = decodePng(bytes, channels);
  return tf.tensor3d(image.data, [image.height, image.width, image.channels], 'int32'); // [H, W, C]
};

/** Options of `imagePathCollator`. */
export interface ImagePathCollatorOptions {
  /** String column of file paths (relative ones resolve against `baseDir`). */
  column: string;
  /** Output size: every image is resized to it. */
  height: number;
  width: number;
  /** 1 (grey) or 3 (RGB); default 3. */
  channels?: 1 | 3;
  /** Directory relative paths are resolved against; default the working directory. */
  baseDir?: string;
  /** A file that does not exist: an error naming row and path (`error`, default) or presence 0 (`absent`). */
  missing?: 'error' | 'absent';
  /** Resize method; default bilinear (use nearest for black-and-white charts). */
  resize?: 'bilinear' | 'nearest';
  /** Multiplies the 0..255 values; default 1/255 (pixels in [0, 1]). */
  scale?: number;
  /** Decoder of the file bytes; default `pngDecoder`. */
  decode?: ImageDecoder;
}

function checkSize(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new Error(`imagePathCollator: "${name}" must be a positive integer, got ${value}`);
}

/** Reads a file, or null when it does not exist; other failures (a directory, no permission) throw. */
async function readIfExists(path: string): Promise<Uint8Array | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Image files named in a path column as pixels `[B, H, W, C]` (resized, scaled to [0, 1] by default) and presence
 * `[B]`: a null path is absent; a missing file is absent with `missing: 'absent'`, else an error naming the row and
 * path; an unreadable or corrupt file is always an error naming the row and path. Absent samples are exactly 0.
 */
export function imagePathCollator(options: ImagePathCollatorOptions): Collator<'image'> {
  const { column, height, width } = options;
  checkSize('height', height);
  checkSize('width', width);
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw new Error(`imagePathCollator: "channels" must be 1 or 3, got ${String(channels)}`);
  const scale = options.scale ?? 1 / 255;
  const decode = options.decode ?? pngDecoder;
  const baseDir = options.baseDir ?? process.cwd();
  const method = options.resize ?? 'bilinear';
  return {
    modality: 'image',
    columns: [column],
    async collate(context: CollateContext) {
      const values = context.values[column];
      if (values === undefined) throw new Error(`imagePathCollator: column "${column}" was not provided`);
      const where = (b: number): string => `row ${context.rows[b] ?? b}, column "${column}"`;
      const paths = values.map((v, b) => {
        if (v === null) return null;
        if (typeof v !== 'string' || v.trim() === '') throw new Error(`imagePathCollator: ${where(b)}: expected an image file path, got ${JSON.stringify(v)}`);
        return isAbsolute(v) ? v : resolve(baseDir, v);
      });
      const files = await Promise.all(
        paths.map(async (path, b) => {
          if (path === null) return null;
          try {
            return await readIfExists(path);
          } catch (error) {
            throw new Error(`imagePathCollator: ${where(b)}: image file ${path} cannot be read: ${(error as Error).message}`, { cause: error });
          }
        }),
      );
      const present = new Float32Array(values.length);
      const images: tf.Tensor3D[] = [];
      try {
        for (let b = 0; b < values.length; b++) {
          const path = paths[b] ?? null;
          const bytes = files[b] ?? null;
          if (path !== null && bytes === null && options.missing !== 'absent') {
            throw new Error(`imagePathCollator: ${where(b)}: image file ${path} does not exist (set missing: 'absent' to treat missing files as absent images)`);
          }
          if (path === null || bytes === null) {
            images.push(tf.zeros([height, width, channels]));
            continue;
          }
          let decoded: tf.Tensor3D;
          try {
            decoded = await decode(bytes, channels, path);
          } catch (error) {
            throw new Error(`imagePathCollator: ${where(b)}: image file ${path} cannot be decoded: ${(error as Error).message}`, { cause: error });
          }
          try {
            if (decoded.rank !== 3 || decoded.shape[2] !== channels) {
              throw new Error(`imagePathCollator: ${where(b)}: image file ${path} decoded to shape [${decoded.shape.join(', ')}]; expected [H, W, ${channels}]`);
            }
            images.push(
              tf.tidy(() => {
                const x = tf.mul(tf.cast(decoded, 'float32'), scale) as tf.Tensor3D; // [h, w, C]
                if (decoded.shape[0] === height && decoded.shape[1] === width) return x;
                return method === 'nearest' ? tf.image.resizeNearestNeighbor(x, [height, width]) : tf.image.resizeBilinear(x, [height, width]);
              }),
            );
          } finally {
            decoded.dispose();
          }
          present[b] = 1;
        }
        const pixels = values.length === 0 ? tf.zeros([0, height, width, channels]) : tf.stack(images); // [B, H, W, C]
        return { input: { pixels: pixels as tf.Tensor4D }, present: tf.tensor1d(present, 'float32') };
      } finally {
        tf.dispose(images);
      }
    },
  };
}

/** Options of `imageCollatorFor`: the output size and decoding; `source` and `missing` come from the schema column. */
export type SchemaImageOptions = Omit<ImagePathCollatorOptions, 'column' | 'missing'>;

/**
 * The collator of the schema's image column: `imagePathCollator` for `source: 'path'` (with the column's `missing`
 * policy), `pixelCollator` for in-memory `source: 'pixels'` (`height * width * channels` values, scaled by `scale`).
 */
export function imageCollatorFor(schema: DatasetSchema, column: string, options: SchemaImageOptions): Collator<'image'> {
  const role = schema.columns[column];
  if (role === undefined || role.role !== 'image') {
    throw new Error(`schema "${schema.name}": column "${column}" is ${role === undefined ? 'not in the schema' : `a "${role.role}" column`}, not an image`);
  }
  if (role.source === 'pixels') {
    return pixelCollator({ column, height: options.height, width: options.width, channels: options.channels ?? 3, ...(options.scale === undefined ? {} : { scale: options.scale }) });
  }
  return imagePathCollator({ ...options, column, ...(role.missing === undefined ? {} : { missing: role.missing }) });
}
