// Seeds of dropout masks: one stream per training step, so that a run, and a run resumed from a checkpoint, draws
// the same masks (TensorFlow's own random kernels are unseeded and differ between runs).
import { Rng } from '../rng.js';

let stream: Rng | null = null;

/**
 * Starts the dropout seed stream of one training step: every mask drawn after this call (by `dropout` here, the
 * transformer's and any encoder's) takes its seed from `nextDropoutSeed()`. The trainer calls it before each
 * forward pass with its run seed, the epoch's data seed and the batch's index in the epoch.
 */
export function seedDropout(...keys: number[]): void {
  let h = 0x2545f491;
  for (const key of keys) {
    if (!Number.isInteger(key)) throw new Error(`seedDropout: keys must be integers, got ${key}`);
    h = Math.imul(h ^ (key | 0), 0x9e3779b1);
    h ^= h >>> 15;
  }
  stream = Rng.fromSeed(h | 0);
}

/** Stops seeding: later masks come from TensorFlow's unseeded generator again. */
export function unseedDropout(): void {
  stream = null;
}

/** The seed of the next dropout mask (a non-negative 31-bit integer), or null when no stream is seeded. */
export function nextDropoutSeed(): number | null {
  return stream === null ? null : stream.int(0, 0x7fffffff);
}
