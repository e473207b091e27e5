// Normalisation of window features: per window (each window's own statistics) or by a scaler fitted on the
// training split and saved with the model as JSON.

/** The JSON form of a fitted FeatureScaler, saved beside a model. */
export interface FeatureScalerJson {
  kind: 'standard';
  /** Feature names, in column order. */
  names: string[];
  mean: number[];
  /** Divisors; a feature constant on the training split gets 1. */
  std: number[];
}

/** Per-feature standardisation `(x - mean) / std` fitted on training data; `toJSON`/`fromJSON` round-trip it. */
export class FeatureScaler {
  private constructor(
    readonly names: readonly string[],
    readonly mean: Float64Array,
    readonly std: Float64Array,
  ) {}

  /**
   * Fits on row-major values `[..., F]` (a table or windows); with `mask` (one entry per row of F values) only
   * rows whose mask is non-zero count. NaN rows are an error: cut windows past the warm-up first.
   */
  static fit(values: Float32Array, names: readonly string[], mask?: Float32Array): FeatureScaler {
    const f = names.length;
    if (f === 0 || values.length % f !== 0) throw new Error(`FeatureScaler.fit: ${values.length} values do not split into rows of ${f} features`);
    const rows = values.length / f;
    if (mask !== undefined && mask.length !== rows) throw new Error(`FeatureScaler.fit: mask has ${mask.length} entries for ${rows} rows`);
    const sum = new Float64Array(f);
    const sq = new Float64Array(f);
    let count = 0;
    for (let r = 0; r < rows; r++) {
      if (mask !== undefined && mask[r] === 0) continue;
      count++;
      for (let j = 0; j < f; j++) {
        const x = values[r * f + j] as number;
        if (!Number.isFinite(x)) throw new Error(`FeatureScaler.fit: feature "${names[j]}" of row ${r} is ${x}; fit on rows past the warm-up`);
        sum[j] = (sum[j] as number) + x;
      }
    }
    if (count === 0) throw new Error('FeatureScaler.fit: no rows to fit on');
    const mean = sum.map((s) => s / count);
    for (let r = 0; r < rows; r++) {
      if (mask !== undefined && mask[r] === 0) continue;
      for (let j = 0; j < f; j++) sq[j] = (sq[j] as number) + ((values[r * f + j] as number) - (mean[j] as number)) ** 2;
    }
    const std = sq.map((s) => {
      const d = Math.sqrt(s / count);
      return d > 0 ? d : 1;
    });
    return new FeatureScaler([...names], mean, std);
  }

  /** A scaler from its JSON form; `source` names the file in errors. */
  static fromJSON(json: unknown, source = 'scaler JSON'): FeatureScaler {
    const o = json as Partial<FeatureScalerJson> | null;
    if (typeof o !== 'object' || o === null || o.kind !== 'standard') throw new Error(`${source}: field "kind": expected "standard"`);
    const names = o.names;
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw new Error(`${source}: field "names": expected an array of strings`);
    const column = (field: 'mean' | 'std'): Float64Array => {
      const v = o[field];
      if (!Array.isArray(v) || v.length !== names.length || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        throw new Error(`${source}: field "${field}": expected ${names.length} finite numbers`);
      }
      return Float64Array.from(v);
    };
    const std = column('std');
    if (std.some((s) => s <= 0)) throw new Error(`${source}: field "std": every entry must be > 0`);
    return new FeatureScaler(names, column('mean'), std);
  }

  /** The JSON form (plain numbers), for saving with the model. */
  toJSON(): FeatureScalerJson {
    return { kind: 'standard', names: [...this.names], mean: Array.from(this.mean), std: Array.from(this.std) };
  }

  /** A standardised copy of row-major values `[..., F]`; rows whose `mask` is 0 are left at 0. */
  transform(values: Float32Array, mask?: Float32Array): Float32Array {
    const f = this.names.length;
    if (values.length % f !== 0) throw new Error(`FeatureScaler.transform: ${values.length} values do not split into rows of ${f} features`);
    const out = new Float32Array(values.length);
    for (let r = 0; r < values.length / f; r++) {
      if (mask !== undefined && mask[r] === 0) continue;
      for (let j = 0; j < f; j++) out[r * f + j] = ((values[r * f + j] as number) - (this.mean[j] as number)) / (this.std[j] as number);
    }
    return out;
  }
}

/**
 * A copy of windows `[S, N, F]` with each window's features standardised by that window's own mean and standard
 * deviation over its observed days (mask `[S, N]`); a feature constant within a window becomes 0; padded days stay 0.
 */
export function normalizePerWindow(values: Float32Array, mask: Float32Array, days: number, features: number): Float32Array {
  const count = mask.length / days;
  if (!Number.isInteger(count) || values.length !== count * days * features) {
    throw new Error(`normalizePerWindow: ${values.length} values and ${mask.length} mask entries do not fit [S, ${days}, ${features}]`);
  }
  const out = new Float32Array(values.length);
  for (let s = 0; s < count; s++) {
    let observed = 0;
    for (let t = 0; t < days; t++) observed += mask[s * days + t] === 0 ? 0 : 1;
    if (observed === 0) continue;
    for (let j = 0; j < features; j++) {
      let sum = 0;
      for (let t = 0; t < days; t++) if (mask[s * days + t] !== 0) sum += values[(s * days + t) * features + j] as number;
      const mean = sum / observed;
      let sq = 0;
      for (let t = 0; t < days; t++) if (mask[s * days + t] !== 0) sq += ((values[(s * days + t) * features + j] as number) - mean) ** 2;
      const std = Math.sqrt(sq / observed);
      for (let t = 0; t < days; t++) {
        const i = (s * days + t) * features + j;
        if (mask[s * days + t] !== 0) out[i] = std > 0 ? ((values[i] as number) - mean) / std : 0;
      }
    }
  }
  return out;
}
