// Modality dropout: during training, hide whole modalities of some samples so the model learns to predict without them.
import * as tf from '@tensorflow/tfjs';
import type { Modality, Rng } from '@finmm/core';

/**
 * Drops each present modality of each sample with probability `rate`; when that would drop every present modality of
 * a sample, one of them (chosen at random) is kept. Rows are samples, columns modalities; values are 0 or 1.
 */
export function dropModalities(presence: readonly (readonly number[])[], rate: number, rng: Rng): number[][] {
  if (!(rate >= 0 && rate < 1)) throw new Error(`modality dropout rate must be in [0, 1), got ${rate}`);
  return presence.map((row) => {
    const present = row.flatMap((v, j) => (v > 0 ? [j] : []));
    const kept = present.filter(() => rng.float() >= rate);
    if (kept.length === 0 && present.length > 0) kept.push(present[rng.int(0, present.length - 1)] as number);
    return row.map((_, j) => (kept.includes(j) ? 1 : 0));
  });
}

/** Applies `dropModalities` to per-modality `[B]` masks; returns new `[B]` masks (the caller frees them). */
export function dropModalityMasks(
  masks: ReadonlyArray<readonly [Modality, tf.Tensor1D]>,
  rate: number,
  rng: Rng,
): Array<[Modality, tf.Tensor1D]> {
  const columns = masks.map(([, mask]) => Array.from(mask.dataSync()));
  const batch = columns[0]?.length ?? 0;
  const rows = Array.from({ length: batch }, (_, i) => columns.map((c) => c[i] as number));
  const dropped = dropModalities(rows, rate, rng);
  return masks.map(([m], j) => [m, tf.tensor1d(dropped.map((row) => row[j] as number), 'float32')]);
}
