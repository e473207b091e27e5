// Seeded image augmentations for a batch `[B, H, W, C]` in [0, 1]: random crop, horizontal flip (documents only),
// Gaussian noise. Every random draw comes from core's Rng, so a run can be replayed.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@finmm/core';

/** What kind of picture an image is: flips are meaningful for documents, never for price charts. */
export const IMAGE_KINDS = ['document', 'chart'] as const;
export type ImageKind = (typeof IMAGE_KINDS)[number];

/** Augmentations; each field is optional and off by default. */
export interface AugmentOptions {
  /** Keep this fraction (0, 1] of the height and of the width at a random offset, resized back; default 1 (off). */
  cropFraction?: number;
  /** Flip each image left-right with probability 0.5; default false. Refused for charts: time would run backwards. */
  horizontalFlip?: boolean;
  /** Standard deviation of Gaussian noise added to the [0, 1] pixels (then clipped to [0, 1]); default 0. */
  noiseStd?: number;
}

/** Throws naming the option when the augmentations are invalid or meaningless for `kind`. */
export function checkAugment(options: AugmentOptions, kind: ImageKind): void {
  const crop = options.cropFraction ?? 1;
  if (!(crop > 0 && crop <= 1)) throw new Error(`augment option "cropFraction" must be in (0, 1], got ${crop}`);
  if (!((options.noiseStd ?? 0) >= 0)) throw new Error(`augment option "noiseStd" must be >= 0, got ${options.noiseStd}`);
  if (options.horizontalFlip === true && kind === 'chart') {
    throw new Error('augment option "horizontalFlip" is refused for chart images: a flipped price chart runs backwards in time');
  }
}

/** An augmented copy of `pixels` `[B, H, W, C]`; crops resize with `method` (nearest keeps charts black and white). */
export function augmentImages(pixels: tf.Tensor4D, options: AugmentOptions, rng: Rng, kind: ImageKind, method: 'bilinear' | 'nearest' = 'bilinear'): tf.Tensor4D {
  checkAugment(options, kind);
  const [b, h, w] = pixels.shape;
  const crop = options.cropFraction ?? 1;
  const boxes: number[][] = [];
  const flips: number[] = [];
  for (let i = 0; i < b; i++) {
    if (crop < 1) {
      const y = rng.float() * (1 - crop);
      const x = rng.float() * (1 - crop);
      boxes.push([y, x, y + crop, x + crop]);
    }
    if (options.horizontalFlip === true) flips.push(rng.float() < 0.5 ? 1 : 0);
  }
  const noiseSeed = (options.noiseStd ?? 0) > 0 ? rng.int(0, 0x7fffffff) : null;
  return tf.tidy(() => {
    let out: tf.Tensor4D = pixels;
    if (crop < 1) {
      const boxIndex = tf.tensor1d(Array.from({ length: b }, (_, i) => i), 'int32');
      out = tf.image.cropAndResize(out, tf.tensor2d(boxes, [b, 4]), boxIndex, [h, w], method);
    }
    if (flips.length > 0) {
      const flip = tf.tensor4d(flips, [b, 1, 1, 1]); // [B, 1, 1, 1]
      out = tf.add(tf.mul(tf.image.flipLeftRight(out), flip), tf.mul(out, tf.sub(1, flip))) as tf.Tensor4D;
    }
    if (noiseSeed !== null) {
      out = tf.clipByValue(tf.add(out, tf.randomNormal(out.shape, 0, options.noiseStd, 'float32', noiseSeed)), 0, 1) as tf.Tensor4D;
    }
    return out === pixels ? tf.clone(pixels) : out;
  });
}
