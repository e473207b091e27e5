// IEEE 754 half precision (F16) and bfloat16 (BF16) <-> float32 conversions on raw 16-bit patterns.
// Float32 -> 16-bit conversions round to nearest, ties to even, as numpy and PyTorch do.

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);
let float16Table: Float32Array | undefined;

/** Decodes one IEEE half-precision bit pattern (0..0xffff) to its float value. */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero or subnormal
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Encodes a number as the nearest IEEE half-precision bit pattern (ties to even; overflow gives infinity). */
export function float32ToFloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const bits = u32Scratch[0] ?? 0;
  const sign = (bits >>> 16) & 0x8000;
  const exponent32 = (bits >>> 23) & 0xff;
  const mantissa32 = bits & 0x7fffff;
  if (exponent32 === 0xff) return sign | (mantissa32 === 0 ? 0x7c00 : 0x7e00); // infinity or (quiet) NaN
  const exponent = exponent32 - 127 + 15;
  if (exponent >= 0x1f) return sign | 0x7c00; // too large: infinity
  if (exponent <= 0) return sign | roundShift(mantissa32 | 0x800000, 14 - exponent); // subnormal or zero
  // Normal: keep the top 10 mantissa bits; a rounding carry may ripple into the exponent (up to infinity), which is right.
  return sign | roundShift((exponent << 23) | mantissa32, 13);
}

/** Decodes one bfloat16 bit pattern (0..0xffff) to its float value. */
export function bfloat16BitsToFloat32(bits: number): number {
  u32Scratch[0] = (bits & 0xffff) << 16;
  return f32Scratch[0] ?? 0;
}

/** Encodes a number as the nearest bfloat16 bit pattern (ties to even). */
export function float32ToBfloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const bits = u32Scratch[0] ?? 0;
  if ((bits & 0x7fffffff) > 0x7f800000) return (bits >>> 16) | 0x40; // NaN stays a quiet NaN
  return roundShift(bits, 16);
}

/** Converts an array of IEEE half-precision bit patterns to float32 values. */
export function float16ArrayToFloat32(bits: Uint16Array): Float32Array {
  const table = (float16Table ??= buildFloat16Table());
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i] ?? 0] ?? 0;
  return out;
}

/** Converts float values to IEEE half-precision bit patterns. */
export function float32ArrayToFloat16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i] ?? 0);
  return out;
}

/** Converts an array of bfloat16 bit patterns to float32 values. */
export function bfloat16ArrayToFloat32(bits: Uint16Array): Float32Array {
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = (bits[i] ?? 0) << 16;
  return new Float32Array(out.buffer);
}

/** Converts float values to bfloat16 bit patterns. */
export function float32ArrayToBfloat16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32ToBfloat16Bits(values[i] ?? 0);
  return out;
}

// value / 2^shift rounded to nearest, ties to even (0 <= value < 2^32, shift >= 1).
function roundShift(value: number, shift: number): number {
  const step = 2 ** shift;
  const quotient = Math.floor(value / step);
  const remainder = value - quotient * step;
  const half = step / 2;
  return remainder > half || (remainder === half && quotient % 2 === 1) ? quotient + 1 : quotient;
}

function buildFloat16Table(): Float32Array {
  const table = new Float32Array(0x10000);
  for (let bits = 0; bits < 0x10000; bits++) table[bits] = float16BitsToFloat32(bits);
  return table;
}
