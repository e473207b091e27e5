// Adverse-action reason codes: per applicant, the attributes that raise the predicted risk most, from integrated
// gradients over the tabular embeddings summed back to the original attributes (contributions in log-odds).
import * as tf from '@tensorflow/tfjs';
import type { Batch, Model } from '@finmm/core';
import type { CellValue } from '@finmm/data';
import { integratedGradients, tabularFeatureAttributions } from '@finmm/finance-tasks';
import { CREDIT_TASK } from './features.js';
import type { CreditModelInfo } from './model-dir.js';

/** One reason: an attribute, the applicant's value of it, and how much it raises the log-odds of the positive class. */
export interface Reason {
  attribute: string;
  value: CellValue;
  contribution: number;
}

/** Per-attribute contributions (log-odds of the positive class, relative to the training-mean baseline) for a batch. */
export function attributeContributions(model: Model, batch: Batch, info: CreditModelInfo): { attributes: string[]; contributions: number[][]; logit: Float32Array; baselineLogit: Float32Array } {
  const baseline = tf.tensor(info.explain.baseline.values, info.explain.baseline.shape);
  try {
    const attr = integratedGradients(model, batch, { task: CREDIT_TASK, modality: 'tabular', baseline, steps: info.explain.steps });
    try {
      const contributions = tabularFeatureAttributions(attr.values, { numeric: info.features.numeric.length, categorical: info.features.categorical.length });
      return { attributes: [...info.features.numeric, ...info.features.categorical], contributions, logit: attr.output, baselineLogit: attr.baselineOutput };
    } finally {
      attr.values.dispose();
    }
  } finally {
    baseline.dispose();
  }
}

/** The top reasons of each sample: attributes with a positive contribution, largest first, at most `top`. */
export function topReasons(attributes: readonly string[], contributions: readonly number[][], values: ReadonlyArray<Record<string, CellValue>>, top: number): Reason[][] {
  return contributions.map((row, b) =>
    row
      .map((c, f) => ({ attribute: attributes[f] as string, value: values[b]?.[attributes[f] as string] ?? null, contribution: Math.round(c * 1e4) / 1e4 }))
      .filter((r) => r.contribution > 0)
      .sort((a, b2) => b2.contribution - a.contribution)
      .slice(0, top),
  );
}
