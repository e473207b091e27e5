// Freezing policies and gradual unfreezing, decided per parameter from its group's depth and pretrained flag.
import type { TrainableParam } from './optim/types.js';

/**
 * Which parameters are frozen. `scope` says which groups a policy touches: `pretrained` (default) only groups
 * loaded from a checkpoint, `all` every group of a layered encoder (maxDepth > 0). Heads and fusion groups
 * outside the scope always train.
 * - `none`: everything trains.
 * - `pretrained`: every pretrained group is frozen.
 * - `top-k`: in scope, only the top `k` layers of each encoder train (`depth > maxDepth - k`).
 * - `embeddings`: in scope, the embedding groups (depth 0) are frozen.
 */
export type FreezeConfig =
  | { mode: 'none' }
  | { mode: 'pretrained' }
  | { mode: 'top-k'; k: number; scope?: 'pretrained' | 'all' }
  | { mode: 'embeddings'; scope?: 'pretrained' | 'all' };

/**
 * Gradual unfreezing (ULMFiT, FinBERT): in epoch e (0-based) the in-scope groups with
 * `depth > maxDepth - floor(e / everyEpochs) * layersPerStep` train, so epoch 0 trains only heads, fusion and
 * out-of-scope groups, the next unfreezes each encoder's top layer, and so on down to the embeddings.
 */
export interface GradualUnfreezingConfig {
  /** Epochs between unfreezing steps. Default 1. */
  everyEpochs?: number;
  /** Layers unfrozen per step. Default 1. */
  layersPerStep?: number;
  /** Groups it applies to. Default `pretrained`. */
  scope?: 'pretrained' | 'all';
}

function inScope(p: TrainableParam, scope: 'pretrained' | 'all' | undefined): boolean {
  return (scope ?? 'pretrained') === 'pretrained' ? p.pretrained : p.maxDepth > 0 || p.pretrained;
}

/** Whether the freeze policy lets `p` train. */
export function allowedByFreeze(p: TrainableParam, config: FreezeConfig): boolean {
  switch (config.mode) {
    case 'none':
      return true;
    case 'pretrained':
      return !p.pretrained;
    case 'top-k':
      return !inScope(p, config.scope) || p.depth > p.maxDepth - config.k;
    case 'embeddings':
      return !inScope(p, config.scope) || p.depth > 0;
  }
}

/** Whether gradual unfreezing lets `p` train in `epoch`. */
export function unfrozenAtEpoch(p: TrainableParam, epoch: number, config: GradualUnfreezingConfig): boolean {
  if (!inScope(p, config.scope)) return true;
  const stepsTaken = Math.floor(epoch / (config.everyEpochs ?? 1));
  return p.depth > p.maxDepth - stepsTaken * (config.layersPerStep ?? 1);
}

/** The parameters that train in `epoch` under the freeze policy and optional gradual unfreezing. */
export function trainableAt(
  params: readonly TrainableParam[],
  epoch: number,
  freeze: FreezeConfig,
  gradual?: GradualUnfreezingConfig,
): TrainableParam[] {
  return params.filter((p) => allowedByFreeze(p, freeze) && (gradual === undefined || unfrozenAtEpoch(p, epoch, gradual)));
}
