import { describe, it, expect } from 'vitest';
import {
  bfloat16ArrayToFloat32,
  bfloat16BitsToFloat32,
  float16ArrayToFloat32,
  float16BitsToFloat32,
  float32ArrayToBfloat16,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from '../src/float16.js';

describe('float16', () => {
  it('decodes known bit patterns', () => {
    expect(float16BitsToFloat32(0x3c00)).toBe(1);
    expect(float16BitsToFloat32(0xc000)).toBe(-2);
    expect(float16BitsToFloat32(0x7bff)).toBe(65504); // largest finite
    expect(float16BitsToFloat32(0x0400)).toBe(2 ** -14); // smallest normal
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(Object.is(float16BitsToFloat32(0x8000), -0)).toBe(true);
    expect(float16BitsToFloat32(0x7c00)).toBe(Infinity);
    expect(float16BitsToFloat32(0xfc00)).toBe(-Infinity);
    expect(float16BitsToFloat32(0x7e00)).toBeNaN();
  });

  it('round-trips every non-NaN half bit pattern exactly', () => {
    const bits = new Uint16Array(0x10000).map((_, i) => i);
    const values = float16ArrayToFloat32(bits);
    for (let b = 0; b < 0x10000; b++) {
      const value = values[b] ?? NaN;
      if (Number.isNaN(value)) {
        expect(float32ToFloat16Bits(value) & 0x7c00).toBe(0x7c00);
        continue;
      }
      if (float32ToFloat16Bits(value) !== b) throw new Error(`bits 0x${b.toString(16)} -> ${value} -> mismatch`);
    }
  });

  it('rounds to nearest, ties to even, with overflow to infinity and underflow to zero', () => {
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie between 1 and 1+2^-10 goes to even (1)
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie goes up to even
    expect(float32ToFloat16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // above the tie rounds up
    expect(float32ToFloat16Bits(65519)).toBe(0x7bff); // below the midpoint to 65536 stays finite
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // the midpoint rounds (to even) to infinity
    expect(float32ToFloat16Bits(1e6)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-1e6)).toBe(0xfc00);
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0); // half the smallest subnormal: tie to even zero
    expect(float32ToFloat16Bits(2 ** -25 * 1.01)).toBe(1);
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(2); // 1.5 subnormal steps: tie to even 2
    expect(float32ToFloat16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // rounds up from subnormal into the normals
    expect(float32ToFloat16Bits(1e-10)).toBe(0);
    expect(float32ToFloat16Bits(-1e-10)).toBe(0x8000);
  });

  it('keeps the error of random floats within half a unit in the last place', () => {
    let seed = 12345;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    for (let i = 0; i < 10_000; i++) {
      const value = Math.fround(random() * 2 ** Math.floor(random() * 15)); // |value| < 2^15: no overflow
      const decoded = float16BitsToFloat32(float32ToFloat16Bits(value));
      const ulp = 2 ** (Math.max(Math.floor(Math.log2(Math.abs(value) || 2 ** -24)), -14) - 10);
      expect(Math.abs(decoded - value)).toBeLessThanOrEqual(ulp / 2);
    }
  });
});

describe('bfloat16', () => {
  it('decodes and encodes known values', () => {
    expect(bfloat16BitsToFloat32(0x3f80)).toBe(1);
    expect(bfloat16BitsToFloat32(0xc020)).toBe(-2.5);
    expect(bfloat16BitsToFloat32(0x7f80)).toBe(Infinity);
    expect(float32ToBfloat16Bits(1)).toBe(0x3f80);
    expect(float32ToBfloat16Bits(-2.5)).toBe(0xc020);
    expect(float32ToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie to even
    expect(float32ToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(bfloat16BitsToFloat32(float32ToBfloat16Bits(NaN))).toBeNaN();
  });

  it('round-trips every non-NaN bfloat16 bit pattern exactly', () => {
    const bits = new Uint16Array(0x10000).map((_, i) => i);
    const values = bfloat16ArrayToFloat32(bits);
    const back = float32ArrayToBfloat16(values);
    for (let b = 0; b < 0x10000; b++) {
      if (Number.isNaN(values[b])) continue;
      if (back[b] !== b) throw new Error(`bits 0x${b.toString(16)} round-tripped to 0x${(back[b] ?? 0).toString(16)}`);
    }
  });
});
