// Reads one PNG or JPEG file into an int32 image tensor, with errors that name the file.
import { readFile } from 'node:fs/promises';
import type * as tf from '@tensorflow/tfjs';
import { tfNode } from './native.js';

/** A missing, unreadable, corrupt or unsupported image file; `file` is its path. */
export class ImageFileError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'ImageFileError';
  }
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

/** 'png' or 'jpeg' from the first bytes of a file, else null. */
export function imageFormat(bytes: Uint8Array): 'png' | 'jpeg' | null {
  const starts = (magic: number[]): boolean => magic.every((b, i) => bytes[i] === b);
  if (starts(PNG_MAGIC)) return 'png';
  if (starts(JPEG_MAGIC)) return 'jpeg';
  return null;
}

/** Decodes a PNG or JPEG file to `[H, W, channels]` int32 in 0..255 (tf.node.decodeImage); throws ImageFileError. */
export async function readImageFile(path: string, channels: 1 | 3): Promise<tf.Tensor3D> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(error)})`;
    throw new ImageFileError(`image file ${path}: ${reason}`, path);
  }
  const format = imageFormat(bytes);
  if (format === null) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new ImageFileError(`image file ${path}: not a PNG or JPEG file (${bytes.length} bytes, starting ${head || '(empty)'})`, path);
  }
  try {
    return tfNode('readImageFile').node.decodeImage(bytes, channels, 'int32', false) as tf.Tensor3D;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ImageFileError(`image file ${path}: corrupt ${format.toUpperCase()} data: ${reason}`, path);
  }
}
