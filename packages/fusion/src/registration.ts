// Registry entries of the fusions (`fusion/concat`, `fusion/gated`, `fusion/attention`, `fusion/late`) and the task
// heads (`head/linear`, `head/mlp`): zod schemas, builders and examples.
import { ACTIVATIONS, ConfigError, registry as globalRegistry, transformerStackOptions, type BuildContext, type ComponentSchema, type Registration, type Registry, type TaskKind } from '@finmm/core';
import { z } from 'zod';
import { ATTENTION_FUSION_TYPE, AttentionFusion } from './fusions/attention.js';
import { CONCAT_FUSION_TYPE, ConcatFusion } from './fusions/concat.js';
import { GATED_FUSION_TYPE, GatedFusion } from './fusions/gated.js';
import { LATE_FUSION_TYPE, LateFusion } from './fusions/late.js';
import { layoutFields, resolveFusionLayout } from './fusions/layout.js';
import { LINEAR_HEAD_TYPE, MLP_HEAD_TYPE, MlpHead, type HeadTarget } from './heads/heads.js';

const count = z.number().int().positive();
const rate = z.number().min(0).lt(1);
const seed = z.number().int().optional().describe('seed of the initial weights; default random');
const activation = (fallback: (typeof ACTIVATIONS)[number]) => z.enum(ACTIVATIONS).default(fallback).describe(`activation; default '${fallback}'`);

/** Config of `fusion/concat`. */
export const concatFusionSchema = z.object({
  type: z.literal(CONCAT_FUSION_TYPE),
  ...layoutFields,
  hidden: z.array(count).default([]).describe('hidden widths of the MLP after the concatenation; default []'),
  outDim: count.default(64).describe('width of the fused representation; default 64'),
  activation: activation('relu'),
  dropout: rate.default(0),
  seed,
});

/** Config of `fusion/gated`. */
export const gatedFusionSchema = z.object({
  type: z.literal(GATED_FUSION_TYPE),
  ...layoutFields,
  dim: count.default(64).describe('width of the projections and the gated sum; default 64'),
  hidden: z.array(count).default([64]).describe('widths of the MLP after the gated sum (last = outDim); default [64]'),
  activation: activation('relu'),
  dropout: rate.default(0),
  seed,
});

/** Config of `fusion/attention`. */
export const attentionFusionSchema = z
  .object({
    type: z.literal(ATTENTION_FUSION_TYPE),
    ...layoutFields,
    dim: count.default(32).describe('token width (= outDim); default 32'),
    layers: count.default(1).describe('transformer blocks; default 1'),
    heads: count.default(4).describe('attention heads, dividing dim; default 4'),
    ffnDim: count.optional().describe('feed-forward width; default 2 x dim'),
    activation: activation('gelu'),
    dropout: rate.default(0),
    attentionDropout: rate.default(0),
    sequence: z.boolean().default(false).describe('attend over every encoder token (else one pooled token per modality); default false'),
    seed,
  })
  .superRefine((c, ctx) => {
    if (c.dim % c.heads !== 0) ctx.addIssue({ code: 'custom', path: ['heads'], message: `heads ${c.heads} must divide dim ${c.dim}` });
  });

/** Config of `fusion/late`. */
export const lateFusionSchema = z.object({
  type: z.literal(LATE_FUSION_TYPE),
  ...layoutFields,
  dim: count.default(32).describe('width of each modality view; default 32'),
  hidden: z.array(count).default([]).describe('hidden widths of each view MLP; default []'),
  activation: activation('relu'),
  dropout: rate.default(0),
  auxiliaryWeight: z.number().min(0).default(0.5).describe('weight of the per-modality auxiliary losses; default 0.5'),
  seed,
});

const headFields = {
  task: z.string().min(1).optional().describe('task name; default: the build context task'),
  kind: z.enum(['multiclass', 'binary', 'regression']).optional().describe('task kind; default: the build context kind'),
  inDim: count.optional().describe('input width; default: the build context inDim (the fusion width)'),
  outDim: count.optional().describe('outputs; default: the build context outDim'),
  inputDropout: rate.default(0).describe('dropout on the head input; default 0'),
  seed,
};

/** Config of `head/linear`. */
export const linearHeadSchema = z.object({ type: z.literal(LINEAR_HEAD_TYPE), ...headFields });

/** Config of `head/mlp`. */
export const mlpHeadSchema = z.object({
  type: z.literal(MLP_HEAD_TYPE),
  ...headFields,
  hidden: z.array(count).default([64]).describe('hidden widths; default [64]'),
  activation: activation('relu'),
  dropout: rate.default(0),
});

/** The head target of a config, falling back to the build context; errors name the missing field. */
export function resolveHeadTarget(
  config: { type: string; task?: string | undefined; kind?: TaskKind | undefined; inDim?: number | undefined; outDim?: number | undefined },
  context: BuildContext,
): HeadTarget {
  const pick = <T>(field: 'task' | 'kind' | 'inDim' | 'outDim', ok: (v: unknown) => v is T): T => {
    const value = config[field] ?? context[field];
    if (!ok(value)) {
      throw new ConfigError(`config field "${field}" of head '${config.type}': required (in the config or the build context), got ${JSON.stringify(value)}`, field);
    }
    return value;
  };
  const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
  return {
    task: pick('task', (v): v is string => typeof v === 'string' && v.length > 0),
    kind: pick('kind', (v): v is TaskKind => v === 'multiclass' || v === 'binary' || v === 'regression'),
    inDim: pick('inDim', isCount),
    outDim: pick('outDim', isCount),
  };
}

const layout = { modalities: ['tabular', 'timeseries'], inputDims: { tabular: 3, timeseries: 4 } } as const;
const fusionLayout = { modalities: [...layout.modalities], inputDims: { ...layout.inputDims } };

/** Registration of `fusion/concat`. */
export const concatFusionRegistration: Registration<'fusion', typeof concatFusionSchema> = {
  kind: 'fusion',
  type: CONCAT_FUSION_TYPE,
  description: 'concatenation of embeddings (learned absent embedding + presence indicator) and an MLP',
  schema: concatFusionSchema,
  build: (c, context) => new ConcatFusion({ ...resolveFusionLayout(c, context), hidden: c.hidden, outDim: c.outDim, activation: c.activation, dropout: c.dropout, seed: c.seed ?? null }),
  examples: [
    { type: CONCAT_FUSION_TYPE, ...fusionLayout, hidden: [8], outDim: 6, seed: 1 },
    { type: CONCAT_FUSION_TYPE, ...fusionLayout, outDim: 5, activation: 'gelu', dropout: 0.1 },
  ],
};

/** Registration of `fusion/gated`. */
export const gatedFusionRegistration: Registration<'fusion', typeof gatedFusionSchema> = {
  kind: 'fusion',
  type: GATED_FUSION_TYPE,
  description: 'learned per-modality gates, softmax-renormalised over the modalities present, then an MLP',
  schema: gatedFusionSchema,
  build: (c, context) => new GatedFusion({ ...resolveFusionLayout(c, context), dim: c.dim, hidden: c.hidden, activation: c.activation, dropout: c.dropout, seed: c.seed ?? null }),
  examples: [
    { type: GATED_FUSION_TYPE, ...fusionLayout, dim: 6, hidden: [5], seed: 2 },
    { type: GATED_FUSION_TYPE, ...fusionLayout, dim: 4, hidden: [] },
  ],
};

/** Registration of `fusion/attention`. */
export const attentionFusionRegistration: Registration<'fusion', typeof attentionFusionSchema> = {
  kind: 'fusion',
  type: ATTENTION_FUSION_TYPE,
  description: 'fusion transformer over modality tokens (or every encoder token) with a CLS token and masked attention',
  schema: attentionFusionSchema,
  build: (c, context) =>
    new AttentionFusion({
      ...resolveFusionLayout(c, context),
      ...transformerStackOptions(c),
      sequence: c.sequence,
      seed: c.seed ?? null,
    }),
  examples: [
    { type: ATTENTION_FUSION_TYPE, ...fusionLayout, dim: 8, heads: 2, layers: 2, seed: 3 },
    { type: ATTENTION_FUSION_TYPE, ...fusionLayout, dim: 4, heads: 1, sequence: true, dropout: 0.1, attentionDropout: 0.1 },
  ],
};

/** Registration of `fusion/late`. */
export const lateFusionRegistration: Registration<'fusion', typeof lateFusionSchema> = {
  kind: 'fusion',
  type: LATE_FUSION_TYPE,
  description: 'late fusion: per-modality views and heads, logits averaged over the modalities present',
  schema: lateFusionSchema,
  build: (c, context) =>
    new LateFusion({
      ...resolveFusionLayout(c, context),
      dim: c.dim,
      hidden: c.hidden,
      activation: c.activation,
      dropout: c.dropout,
      auxiliaryWeight: c.auxiliaryWeight,
      seed: c.seed ?? null,
    }),
  examples: [
    { type: LATE_FUSION_TYPE, ...fusionLayout, dim: 4, hidden: [5], seed: 4 },
    { type: LATE_FUSION_TYPE, ...fusionLayout, dim: 3, auxiliaryWeight: 0 },
  ],
};

const headTarget = { task: 'label', kind: 'multiclass', inDim: 6, outDim: 3 } as const;

/** Registration of `head/linear`. */
export const linearHeadRegistration: Registration<'head', typeof linearHeadSchema> = {
  kind: 'head',
  type: LINEAR_HEAD_TYPE,
  description: 'one dense layer from the fused representation to the task outputs',
  schema: linearHeadSchema,
  build: (c, context) =>
    new MlpHead({ ...resolveHeadTarget(c, context), hidden: [], activation: 'relu', dropout: 0, inputDropout: c.inputDropout, seed: c.seed ?? null }, LINEAR_HEAD_TYPE),
  examples: [{ type: LINEAR_HEAD_TYPE, ...headTarget, seed: 5 }, { type: LINEAR_HEAD_TYPE, task: 'return', kind: 'regression', inDim: 4, outDim: 1, inputDropout: 0.1 }],
};

/** Registration of `head/mlp`. */
export const mlpHeadRegistration: Registration<'head', typeof mlpHeadSchema> = {
  kind: 'head',
  type: MLP_HEAD_TYPE,
  description: 'an MLP from the fused representation to the task outputs (last layer linear)',
  schema: mlpHeadSchema,
  build: (c, context) =>
    new MlpHead({ ...resolveHeadTarget(c, context), hidden: c.hidden, activation: c.activation, dropout: c.dropout, inputDropout: c.inputDropout, seed: c.seed ?? null }),
  examples: [{ type: MLP_HEAD_TYPE, ...headTarget, hidden: [4], seed: 6 }, { type: MLP_HEAD_TYPE, task: 'up', kind: 'binary', inDim: 5, outDim: 1, hidden: [3, 3], dropout: 0.2 }],
};

/** The fusion types this package registers. */
export const FUSION_TYPES = [ATTENTION_FUSION_TYPE, CONCAT_FUSION_TYPE, GATED_FUSION_TYPE, LATE_FUSION_TYPE] as const;
/** The head types this package registers. */
export const HEAD_TYPES = [LINEAR_HEAD_TYPE, MLP_HEAD_TYPE] as const;

/** Registers the fusions and heads in `target` (core's process-wide registry by default); repeated calls are no-ops. */
export function registerFusionComponents(target: Registry = globalRegistry): void {
  const add = <K extends 'fusion' | 'head', S extends ComponentSchema>(r: Registration<K, S>): void => {
    if (target.get(r.type) === undefined) target.register(r);
  };
  add(concatFusionRegistration);
  add(gatedFusionRegistration);
  add(attentionFusionRegistration);
  add(lateFusionRegistration);
  add(linearHeadRegistration);
  add(mlpHeadRegistration);
}
