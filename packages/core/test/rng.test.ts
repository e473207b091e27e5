import { describe, expect, it } from 'vitest';
import { Rng } from '../src/index.js';

describe('Rng', () => {
  it('is reproducible from a seed and resumable from its state', () => {
    const a = Rng.fromSeed(42);
    const b = Rng.fromSeed(42);
    expect(a.permutation(20)).toEqual(b.permutation(20));
    a.float();
    const saved = a.state();
    const next = [a.float(), a.int(0, 100), a.float()];
    const resumed = Rng.fromState(saved);
    expect([resumed.float(), resumed.int(0, 100), resumed.float()]).toEqual(next);
    expect(Rng.fromSeed(1).permutation(20)).not.toEqual(Rng.fromSeed(2).permutation(20));
  });

  it('starts well mixed even from small seeds', () => {
    const firsts = Array.from({ length: 8 }, (_, seed) => Rng.fromSeed(seed).float());
    const mean = firsts.reduce((a, b) => a + b, 0) / firsts.length;
    expect(Math.max(...firsts) - Math.min(...firsts)).toBeGreaterThan(0.3);
    expect(mean).toBeGreaterThan(0.2);
    expect(mean).toBeLessThan(0.8);
  });

  it('draws uniform values in range', () => {
    const rng = Rng.fromSeed(7);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[rng.int(0, 3)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(900);
    const p = rng.permutation(50);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(() => Rng.fromSeed(1.5)).toThrow(/seed must be an integer/);
  });
});
