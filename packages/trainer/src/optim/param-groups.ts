// Turns a model's parameter groups into trainable parameters with per-group learning rates and weight decay.
import type * as tf from '@tensorflow/tfjs';
import type { ParameterGroup } from '@finmm/core';
import { decaysWeight } from './decay.js';
import type { TrainableParam } from './types.js';

/** How learning rates and decay are assigned to groups. */
export interface ParamGroupOptions {
  /** Base learning rate. */
  lr: number;
  /** Weight decay of parameters the decay rule admits. */
  weightDecay: number;
  /**
   * Layer-wise (discriminative) decay: a group's learning rate is `lr * layerDecay^(maxDepth - depth)`, so the
   * bottom of an encoder learns slowest (FinBERT / ULMFiT use 1 / 2.6). Default 1 (off).
   */
  layerDecay?: number;
  /** Extra multipliers by group name; a key ending in `*` matches names with that prefix. */
  groupLr?: Readonly<Record<string, number>>;
  /** Names excluded from weight decay (see `decaysWeight`). */
  noDecay?: RegExp;
}

function groupMultiplier(name: string, groupLr: Readonly<Record<string, number>> | undefined): number {
  if (groupLr === undefined) return 1;
  if (groupLr[name] !== undefined) return groupLr[name];
  for (const [pattern, mult] of Object.entries(groupLr)) if (pattern.endsWith('*') && name.startsWith(pattern.slice(0, -1))) return mult;
  return 1;
}

/**
 * One TrainableParam per trainable variable of the groups, keyed by the variable's name, plus `extra` parameters
 * (e.g. a loss combiner's) in a group named `extra` (base lr times `groupLr.extra`) that is never decayed. Throws when a variable is in two groups.
 */
export function buildTrainableParams(
  groups: readonly ParameterGroup[],
  options: ParamGroupOptions,
  extra: Readonly<Record<string, tf.Variable>> = {},
): TrainableParam[] {
  const seen = new Set<string>();
  const params: TrainableParam[] = [];
  const layerDecay = options.layerDecay ?? 1;
  for (const group of groups) {
    const lr = options.lr * layerDecay ** (group.maxDepth - group.depth) * groupMultiplier(group.name, options.groupLr);
    for (const variable of group.variables) {
      if (!variable.trainable) continue;
      if (seen.has(variable.name)) throw new Error(`variable '${variable.name}' is in more than one parameter group (second: '${group.name}')`);
      seen.add(variable.name);
      const decays = decaysWeight(variable.name, variable.shape, options.noDecay);
      params.push({ key: variable.name, variable, group: group.name, depth: group.depth, maxDepth: group.maxDepth, pretrained: group.pretrained, lr, weightDecay: decays ? options.weightDecay : 0 });
    }
  }
  for (const [key, variable] of Object.entries(extra)) {
    if (seen.has(key)) throw new Error(`extra parameter '${key}' clashes with a model variable name`);
    params.push({ key, variable, group: 'extra', depth: 0, maxDepth: 0, pretrained: false, lr: options.lr * groupMultiplier('extra', options.groupLr), weightDecay: 0 });
  }
  return params;
}
