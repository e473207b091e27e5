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

/** A member to explain: its network and its explanation baseline (the mean embedding of its training rows). */
export interface ExplainedMember {
  model: Model;
  baseline: { shape: number[]; values: number[] };
}

function memberContributions(member: ExplainedMember, batch: Batch, info: CreditModelInfo): { contributions: number[][]; logit: Float32Array; baselineLogit: Float32Array } {
  const baseline = tf.tensor(member.baseline.values, member.baseline.shape);
  try {
    const attr = integratedGradients(member.model, batch, { task: CREDIT_TASK, modality: 'tabular', baseline, steps: info.explain.steps });
    try {
      const contributions = tabularFeatureAttributions(attr.values, { numeric: info.features.numeric.length, categorical: info.features.categorical.length });
      return { contributions, logit: attr.output, baselineLogit: attr.baselineOutput };
    } finally {
      attr.values.dispose();
    }
  } finally {
    baseline.dispose();
  }
}

/**
 * Per-attribute contributions (log-odds of the positive class, relative to the training-mean baseline) for a batch.
 * Given one model, `info.explain.baseline` is its baseline; given an ensemble's members, each member is explained
 * from its own baseline and contributions, logits and baseline logits are averaged over the members (the model's
 * logit is the members' mean), so the contributions still add up to logit - baselineLogit.
 */
export function attributeContributions(
  models: Model | readonly ExplainedMember[],
  batch: Batch,
  info: CreditModelInfo,
): { attributes: string[]; contributions: number[][]; logit: Float32Array; baselineLogit: Float32Array } {
  const members: readonly ExplainedMember[] = Array.isArray(models) ? (models as readonly ExplainedMember[]) : [{ model: models as Model, baseline: info.explain.baseline }];
  if (members.length === 0) throw new Error('attributeContributions: no model given');
  const parts = members.map((m) => memberContributions(m, batch, info));
  const k = parts.length;
  const first = parts[0] as (typeof parts)[number];
  const contributions = first.contributions.map((row, b) => row.map((_, f) => parts.reduce((a, p) => a + (p.contributions[b]?.[f] as number), 0) / k));
  const average = (pick: (p: (typeof parts)[number]) => Float32Array): Float32Array => first.logit.map((_, b) => parts.reduce((a, p) => a + (pick(p)[b] as number), 0) / k);
  return { attributes: [...info.features.numeric, ...info.features.categorical], contributions, logit: average((p) => p.logit), baselineLogit: average((p) => p.baselineLogit) };
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
