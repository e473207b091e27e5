// Fixed sinusoidal positional encodings (Vaswani et al. 2017), cached per length and width.

const cache = new Map<string, Float32Array>();

/** The `[T, D]` table PE[t, 2i] = sin(t / 10000^(2i/D)), PE[t, 2i+1] = cos(t / 10000^(2i/D)), row-major. */
export function sinusoidalPositions(steps: number, dim: number): Float32Array {
  const key = `${steps}x${dim}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const table = new Float32Array(steps * dim);
  for (let t = 0; t < steps; t++) {
    for (let j = 0; j < dim; j++) {
      const angle = t / Math.pow(10000, (2 * Math.floor(j / 2)) / dim);
      table[t * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  cache.set(key, table);
  return table;
}
