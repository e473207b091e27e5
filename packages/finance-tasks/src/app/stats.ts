// Summary statistics reported over folds and seeds.

/** Mean, sample standard deviation (n - 1; 0 for one value), min, max and count. */
export interface Spread {
  mean: number;
  std: number;
  min: number;
  max: number;
  n: number;
}

/** The spread of finite values (NaN entries are an error: every fold and seed must be reported). */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('spread: no values');
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new Error(`spread: value ${i} is ${v}`);
  });
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, min: Math.min(...values), max: Math.max(...values), n };
}

/** `0.7913 ± 0.0266` with the given digits. */
export function formatSpread(s: Spread, digits = 4): string {
  return `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}`;
}
