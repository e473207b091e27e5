// The misclassification costs of german.doc: rows are the actual class, columns the predicted one.
import { GERMAN_CLASSES } from './attributes.js';

/** german.doc's cost matrix over GERMAN_CLASSES: bad predicted good costs 5, good predicted bad costs 1. */
export const GERMAN_COST_MATRIX = {
  classes: GERMAN_CLASSES,
  /** `cost[actual][predicted]`. */
  cost: [
    [0, 1],
    [5, 0],
  ],
} as const;

/** Predicting bad when P(bad) exceeds this minimises expected cost under GERMAN_COST_MATRIX: 1 / (1 + 5). */
export const GERMAN_COST_THRESHOLD = 1 / 6;

/** Total cost of predictions (class indices 0 good / 1 bad) under german.doc's cost matrix. */
export function germanCreditCost(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (actual.length !== predicted.length) throw new Error(`germanCreditCost: ${actual.length} labels but ${predicted.length} predictions`);
  let total = 0;
  for (let i = 0; i < actual.length; i++) {
    const row = GERMAN_COST_MATRIX.cost[actual[i] as 0 | 1];
    const cost = row?.[predicted[i] as 0 | 1];
    if (cost === undefined) throw new Error(`germanCreditCost: item ${i} is not a class index 0/1 (actual ${actual[i]}, predicted ${predicted[i]})`);
    total += cost;
  }
  return total;
}
