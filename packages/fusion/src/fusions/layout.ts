// What a fusion is built for (its modalities and each one's embedding width) and the presence masks it reads.
import * as tf from '@tensorflow/tfjs';
import { ConfigError, MODALITIES, type BuildContext, type EncoderOutput, type Modality } from '@finmm/core';
import { z } from 'zod';

/** The modalities a fusion combines, in order, and the width of each one's embedding. */
export interface FusionLayout {
  modalities: Modality[];
  inputDims: Partial<Record<Modality, number>>;
}

/** Schema fields of the layout; the model builder fills them from its encoders through the build context. */
export const layoutFields = {
  modalities: z.array(z.enum(MODALITIES)).min(1).optional().describe('fused modalities in order; default: the build context modalities'),
  inputDims: z.record(z.string(), z.number().int().positive()).optional().describe('embedding width per modality; default: the build context inputDims'),
};

/** The layout of a fusion config, falling back to the build context; errors name the bad field. */
export function resolveFusionLayout(
  config: { type: string; modalities?: Modality[] | undefined; inputDims?: Record<string, number> | undefined },
  context: BuildContext,
): FusionLayout {
  const fail = (field: string, what: string): ConfigError => new ConfigError(`config field "${field}" of fusion '${config.type}': ${what}`, field);
  const modalities = config.modalities ?? context['modalities'];
  if (!Array.isArray(modalities) || modalities.length === 0) throw fail('modalities', 'give the fused modalities (in the config or the build context)');
  for (const [i, m] of modalities.entries()) {
    if (!MODALITIES.includes(m as Modality)) throw fail(`modalities[${i}]`, `unknown modality ${JSON.stringify(m)}`);
  }
  if (new Set(modalities).size !== modalities.length) throw fail('modalities', 'a modality is listed twice');
  const dims = config.inputDims ?? context['inputDims'];
  if (typeof dims !== 'object' || dims === null || Array.isArray(dims)) throw fail('inputDims', 'give the embedding width of each modality');
  const inputDims: Partial<Record<Modality, number>> = {};
  for (const m of modalities as Modality[]) {
    const d = (dims as Record<string, unknown>)[m];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) throw fail(`inputDims.${m}`, `expected a positive width, got ${JSON.stringify(d)}`);
    inputDims[m] = d;
  }
  const extra = Object.keys(dims).find((k) => !(modalities as string[]).includes(k));
  if (extra !== undefined) throw fail(`inputDims.${extra}`, 'is not one of the fused modalities');
  return { modalities: [...(modalities as Modality[])], inputDims };
}

/** The layout as config fields (copies). */
export function layoutConfig(layout: FusionLayout): { modalities: Modality[]; inputDims: Record<string, number> } {
  return { modalities: [...layout.modalities], inputDims: { ...layout.inputDims } as Record<string, number> };
}

/**
 * Checks the parts against the layout and returns the batch size B; a modality without a part is absent for every
 * sample. Errors name the fusion and the modality.
 */
export function checkParts(
  type: string,
  layout: FusionLayout,
  parts: Partial<Record<Modality, EncoderOutput>>,
  present: Partial<Record<Modality, tf.Tensor1D>>,
): number {
  let batch: number | null = null;
  const see = (n: number, what: string): void => {
    if (batch !== null && n !== batch) throw new Error(`${type}: ${what} has ${n} rows, other inputs have ${batch}`);
    batch = n;
  };
  for (const m of layout.modalities) {
    const part = parts[m];
    if (part !== undefined) {
      const d = layout.inputDims[m] as number;
      if (part.pooled.rank !== 2 || part.pooled.shape[1] !== d) {
        throw new Error(`${type}: the ${m} embedding has shape [${part.pooled.shape.join(', ')}]; expected [B, ${d}]`);
      }
      see(part.pooled.shape[0], `the ${m} embedding`);
    }
    const mask = present[m];
    if (mask !== undefined) {
      if (mask.rank !== 1) throw new Error(`${type}: present.${m} must be [B], got [${mask.shape.join(', ')}]`);
      see(mask.shape[0], `present.${m}`);
    }
  }
  if (batch === null) throw new Error(`${type}: no modality (${layout.modalities.join(', ')}) has an embedding or a presence mask`);
  return batch;
}

/** Presence `[B, M]` (float, 1 = present) in layout order: `present[m]` (default 1) where a part exists, else 0. */
export function presenceMatrix(
  layout: FusionLayout,
  parts: Partial<Record<Modality, EncoderOutput>>,
  present: Partial<Record<Modality, tf.Tensor1D>>,
  batch: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const columns = layout.modalities.map((m) => {
      if (parts[m] === undefined) return tf.zeros([batch]);
      const mask = present[m];
      return mask === undefined ? tf.ones([batch]) : tf.cast(tf.greater(mask, 0), 'float32');
    });
    return tf.stack(columns, 1) as tf.Tensor2D; // [B, M]
  });
}

/** Column `i` of a `[B, M]` matrix as `[B, 1]`. */
export function column(matrix: tf.Tensor2D, i: number): tf.Tensor2D {
  return tf.slice(matrix, [0, i], [matrix.shape[0], 1]);
}

/**
 * Rows of `x` `[B, ...]` where `mask` `[B, 1]` > 0, else `fallback` (`[1, ...]`, broadcast); absent rows never leak
 * NaN from `x`. Written with broadcasting arithmetic, not tf.tile/broadcastTo, whose gradient costs one slice per row.
 */
export function selectRows<T extends tf.Tensor>(mask: tf.Tensor2D, x: T, fallback: tf.Tensor): T {
  const shape = [mask.shape[0], ...x.shape.slice(1).map(() => 1)];
  const keep = tf.reshape(mask, shape); // [B, 1, ...]
  const clean = tf.where(tf.broadcastTo(tf.greater(keep, 0), x.shape), x, tf.zerosLike(x)); // the condition carries no gradient
  return tf.add(tf.mul(clean, keep), tf.mul(tf.sub(1, keep), fallback)) as T;
}

/** `v` `[1, ...]` repeated over a batch `[B, ...]` by broadcasting (cheap gradient, unlike tf.tile). */
export function repeatRows<T extends tf.Tensor>(v: tf.Tensor, batch: number): T {
  return tf.add(tf.zeros([batch, ...v.shape.slice(1)]), v) as T;
}
