// A small PNG decoder (node:zlib only) so that @finmm/data can read image files without the native backend:
// every colour type and bit depth of the PNG spec, non-interlaced; CRCs are checked; alpha is dropped.
import { crc32, inflateSync } from 'node:zlib';

/** A decoded image: `height * width * channels` bytes, row-major, channels last. */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

/** A PNG that cannot be decoded: the message says what is wrong. */
export class PngError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PngError';
  }
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Largest image accepted, in pixels (guards against a corrupt header asking for gigabytes). */
const MAX_PIXELS = 1 << 28;
/** Valid bit depths per colour type (PNG spec, table 11.1), and samples per pixel. */
const COLOUR_TYPES: Record<number, { depths: number[]; samples: number; name: string }> = {
  0: { depths: [1, 2, 4, 8, 16], samples: 1, name: 'greyscale' },
  2: { depths: [8, 16], samples: 3, name: 'truecolour' },
  3: { depths: [1, 2, 4, 8], samples: 1, name: 'indexed' },
  4: { depths: [8, 16], samples: 2, name: 'greyscale with alpha' },
  6: { depths: [8, 16], samples: 4, name: 'truecolour with alpha' },
};

/** Whether `bytes` start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

interface Header {
  width: number;
  height: number;
  depth: number;
  colourType: number;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Reverses the per-row filters in place; returns the unfiltered rows without their filter bytes. */
function unfilter(raw: Uint8Array, height: number, rowBytes: number, bpp: number): Uint8Array {
  const out = new Uint8Array(height * rowBytes);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (rowBytes + 1)] as number;
    const src = y * (rowBytes + 1) + 1;
    const dst = y * rowBytes;
    const prev = dst - rowBytes;
    for (let x = 0; x < rowBytes; x++) {
      const v = raw[src + x] as number;
      const a = x >= bpp ? (out[dst + x - bpp] as number) : 0;
      const b = y > 0 ? (out[prev + x] as number) : 0;
      const c = y > 0 && x >= bpp ? (out[prev + x - bpp] as number) : 0;
      let r: number;
      switch (filter) {
        case 0:
          r = v;
          break;
        case 1:
          r = v + a;
          break;
        case 2:
          r = v + b;
          break;
        case 3:
          r = v + ((a + b) >> 1);
          break;
        case 4:
          r = v + paeth(a, b, c);
          break;
        default:
          throw new PngError(`row ${y} has filter type ${filter}; expected 0..4`);
      }
      out[dst + x] = r & 0xff;
    }
  }
  return out;
}

function readHeader(data: Uint8Array): Header {
  if (data.length !== 13) throw new PngError(`IHDR has ${data.length} bytes; expected 13`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const header = { width: view.getUint32(0), height: view.getUint32(4), depth: data[8] as number, colourType: data[9] as number };
  const type = COLOUR_TYPES[header.colourType];
  if (type === undefined) throw new PngError(`colour type ${header.colourType} is not a PNG colour type (0, 2, 3, 4, 6)`);
  if (!type.depths.includes(header.depth)) throw new PngError(`bit depth ${header.depth} is invalid for ${type.name} (allowed: ${type.depths.join(', ')})`);
  if (data[10] !== 0 || data[11] !== 0) throw new PngError(`compression method ${data[10]} / filter method ${data[11]}; expected 0 / 0`);
  if (data[12] === 1) throw new PngError('interlaced (Adam7) PNGs are not supported by the built-in decoder; pass a `decode` function (e.g. tf.node.decodeImage)');
  if (data[12] !== 0) throw new PngError(`interlace method ${data[12]}; expected 0`);
  if (header.width === 0 || header.height === 0) throw new PngError(`image is ${header.width}x${header.height}; expected at least 1x1`);
  if (header.width * header.height > MAX_PIXELS) throw new PngError(`image is ${header.width}x${header.height}, larger than ${MAX_PIXELS} pixels`);
  return header;
}

/** Decodes a PNG to 8-bit grey (`channels` 1) or RGB (3); alpha is dropped, 16-bit samples are rounded to 8 bits. */
export function decodePng(bytes: Uint8Array, channels: 1 | 3): DecodedImage {
  if (!isPng(bytes)) throw new PngError('not a PNG file (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: Header | null = null;
  let palette: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  let ended = false;
  for (let pos = 8; pos < bytes.length && !ended; ) {
    if (pos + 12 > bytes.length) throw new PngError(`truncated chunk at byte ${pos}`);
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (pos + 12 + length > bytes.length) throw new PngError(`chunk ${type} at byte ${pos} runs past the end of the file`);
    const data = bytes.subarray(pos + 8, pos + 8 + length);
    if (crc32(bytes.subarray(pos + 4, pos + 8 + length)) !== view.getUint32(pos + 8 + length)) throw new PngError(`chunk ${type} at byte ${pos} fails its CRC check`);
    if (header === null && type !== 'IHDR') throw new PngError(`first chunk is ${type}; expected IHDR`);
    if (type === 'IHDR') header = readHeader(data);
    else if (type === 'PLTE') palette = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') ended = true;
    pos += 12 + length;
  }
  if (header === null) throw new PngError('no IHDR chunk');
  if (!ended) throw new PngError('no IEND chunk (truncated file)');
  if (idat.length === 0) throw new PngError('no IDAT chunk');
  const { width, height, depth, colourType } = header;
  const samples = (COLOUR_TYPES[colourType] as { samples: number }).samples;
  if (colourType === 3 && (palette === null || palette.length % 3 !== 0 || palette.length === 0)) throw new PngError('indexed PNG without a valid PLTE chunk');
  const bitsPerPixel = samples * depth;
  const rowBytes = Math.ceil((width * bitsPerPixel) / 8);
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (error) {
    throw new PngError(`image data does not inflate: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (raw.length < height * (rowBytes + 1)) throw new PngError(`image data has ${raw.length} bytes; expected ${height * (rowBytes + 1)} for ${width}x${height}`);
  const rows = unfilter(raw, height, rowBytes, Math.max(1, bitsPerPixel >> 3));
  const maxSample = (1 << Math.min(depth, 8)) - 1;
  const sample = (y: number, x: number, s: number): number => {
    const row = y * rowBytes;
    if (depth === 16) {
      const i = row + (x * samples + s) * 2;
      return Math.round((((rows[i] as number) << 8) | (rows[i + 1] as number)) / 257);
    }
    if (depth === 8) return rows[row + x * samples + s] as number;
    const bit = (x * samples + s) * depth;
    return ((rows[row + (bit >> 3)] as number) >> (8 - depth - (bit & 7))) & maxSample;
  };
  const out = new Uint8Array(width * height * channels);
  const entries = palette === null ? 0 : palette.length / 3;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r: number;
      let g: number;
      let b: number;
      if (colourType === 3) {
        const index = sample(y, x, 0);
        if (index >= entries) throw new PngError(`pixel (${x}, ${y}) uses palette entry ${index}; the palette has ${entries}`);
        r = (palette as Uint8Array)[index * 3] as number;
        g = (palette as Uint8Array)[index * 3 + 1] as number;
        b = (palette as Uint8Array)[index * 3 + 2] as number;
      } else if (colourType === 0 || colourType === 4) {
        const v = sample(y, x, 0);
        r = g = b = depth < 8 ? Math.round((v * 255) / maxSample) : v;
      } else {
        r = sample(y, x, 0);
        g = sample(y, x, 1);
        b = sample(y, x, 2);
      }
      const o = (y * width + x) * channels;
      if (channels === 3) {
        out[o] = r;
        out[o + 1] = g;
        out[o + 2] = b;
      } else {
        // Rec. 601 luma in 15-bit fixed point, truncated: within 1 of what TensorFlow's PNG decoder gives for channels = 1.
        out[o] = r === g && g === b ? r : (9798 * r + 19235 * g + 3735 * b) >> 15;
      }
    }
  }
  return { width, height, channels, data: out };
}
