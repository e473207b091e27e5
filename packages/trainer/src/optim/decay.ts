// Which parameters weight decay applies to.

/** Default rule for names excluded from weight decay: biases and normalisation parameters. */
export const NO_DECAY_NAME = /bias|norm/i;

/**
 * Whether weight decay applies to a variable: only to tensors of rank >= 2 (weight matrices, kernels, embedding
 * tables) whose name does not match `noDecay` (default `/bias|norm/i`). So biases, LayerNorm/BatchNorm gains and
 * shifts (rank 1) and scalars (e.g. uncertainty log-variances) are never decayed, whatever their names.
 */
export function decaysWeight(name: string, shape: readonly number[], noDecay: RegExp = NO_DECAY_NAME): boolean {
  return shape.length >= 2 && !noDecay.test(name);
}
