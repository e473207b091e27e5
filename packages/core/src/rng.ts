// Seeded random numbers whose state can be saved and restored, for reproducible shuffles, splits and resume.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** A seeded generator (xoroshiro128+) with a serialisable state. */
export class Rng {
  private constructor(private generator: RandomGenerator) {}

  /**
   * A generator started from an integer seed. The seed is spread over the 128-bit state with splitmix32,
   * since xoroshiro128+ seeded directly with a small integer starts with near-constant outputs.
   */
  static fromSeed(seed: number): Rng {
    if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
    let x = seed | 0;
    const state: number[] = [];
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      state.push((z ^ (z >>> 16)) | 0);
    }
    if (!state.some((v) => v !== 0)) state[0] = 1; // the all-zero state is a fixed point
    return new Rng(xoroshiro128plusFromState(state));
  }

  /** A generator resumed from a state returned by `state()`. */
  static fromState(state: readonly number[]): Rng {
    return new Rng(xoroshiro128plusFromState(state));
  }

  /** The current state, to save with a checkpoint. */
  state(): number[] {
    return [...this.generator.getState()];
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return uniformFloat64(this.generator);
  }

  /** A uniform integer in [from, to] (both included). */
  int(from: number, to: number): number {
    return uniformInt(this.generator, from, to);
  }

  /** Shuffles an array in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** A shuffled copy of 0..n-1. */
  permutation(n: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  /** An independent generator derived from this one (advances this one). */
  fork(): Rng {
    return Rng.fromSeed(this.int(-0x80000000, 0x7fffffff));
  }
}
