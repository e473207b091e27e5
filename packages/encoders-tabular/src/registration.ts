// The `tabular/mlp` and `tabular/ft-transformer` registry entries: zod schemas, builders and examples.
import { ACTIVATIONS, ConfigError, registry as globalRegistry, transformerStackOptions, type BuildContext, type Registration, type Registry } from '@finmm/core';
import { z } from 'zod';
import type { FeatureLayout } from './features.js';
import { FT_TRANSFORMER_TYPE, FtTransformerEncoder } from './ft-transformer.js';
import { TABULAR_MLP_TYPE, TabularMlpEncoder } from './mlp-encoder.js';

const count = z.number().int().positive();
const rate = z.number().min(0).lt(1);
const layoutFields = {
  numericFeatures: z.number().int().min(0).optional().describe('numeric features Fn; default: the build context numericFeatures'),
  cardinalities: z
    .array(z.number().int().min(1))
    .optional()
    .describe('rows of each categorical feature table incl. the unknown slot 0; default: the build context cardinalities'),
};

/** Config of `tabular/mlp`. */
export const tabularMlpSchema = z.object({
  type: z.literal(TABULAR_MLP_TYPE),
  ...layoutFields,
  embeddingDim: count.default(8).describe('width of each categorical embedding; default 8'),
  hidden: z.array(count).default([64]).describe('hidden layer widths; default [64]'),
  outDim: count.default(32).describe('width of pooled; default 32'),
  activation: z.enum(ACTIVATIONS).default('relu').describe("hidden activation; default 'relu'"),
  dropout: rate.default(0).describe('dropout after hidden layers; default 0'),
  seed: z.number().int().optional().describe('seed of the initial weights; default random'),
});

/** Config of `tabular/ft-transformer`. */
export const ftTransformerSchema = z
  .object({
    type: z.literal(FT_TRANSFORMER_TYPE),
    ...layoutFields,
    dim: count.default(32).describe('token width D; default 32'),
    layers: count.default(2).describe('transformer blocks; default 2'),
    heads: count.default(4).describe('attention heads, dividing dim; default 4'),
    ffnDim: count.optional().describe('feed-forward width; default 2 x dim'),
    activation: z.enum(ACTIVATIONS).default('gelu').describe("feed-forward activation; default 'gelu'"),
    dropout: rate.default(0).describe('residual and feed-forward dropout; default 0'),
    attentionDropout: rate.default(0).describe('attention-probability dropout; default 0'),
    seed: z.number().int().optional().describe('seed of the initial weights; default random'),
  })
  .superRefine((c, ctx) => {
    if (c.dim % c.heads !== 0) ctx.addIssue({ code: 'custom', path: ['heads'], message: `heads ${c.heads} must divide dim ${c.dim}` });
  });

/** The feature layout of a config, falling back to the build context; errors name the missing field. */
export function resolveLayout(
  config: { type: string; numericFeatures?: number | undefined; cardinalities?: number[] | undefined },
  context: BuildContext,
): FeatureLayout {
  const fromContext = (field: 'numericFeatures' | 'cardinalities'): unknown => context[field];
  const numeric = config.numericFeatures ?? fromContext('numericFeatures');
  const cards = config.cardinalities ?? fromContext('cardinalities');
  const missing = (field: string, what: string): ConfigError =>
    new ConfigError(`config field "${field}" of encoder '${config.type}': ${what}`, field);
  if (numeric !== undefined && !(typeof numeric === 'number' && Number.isInteger(numeric) && numeric >= 0)) {
    throw missing('numericFeatures', `build context numericFeatures must be a count, got ${JSON.stringify(numeric)}`);
  }
  if (cards !== undefined && !(Array.isArray(cards) && cards.every((c) => typeof c === 'number' && Number.isInteger(c) && c >= 1))) {
    throw missing('cardinalities', `build context cardinalities must be counts, got ${JSON.stringify(cards)}`);
  }
  if (numeric === undefined && cards === undefined) {
    throw missing('numericFeatures', 'give numericFeatures and/or cardinalities (in the config or the build context)');
  }
  const layout = { numericFeatures: (numeric as number | undefined) ?? 0, cardinalities: [...((cards as number[] | undefined) ?? [])] };
  if (layout.numericFeatures + layout.cardinalities.length === 0) throw missing('numericFeatures', 'the encoder has no features');
  return layout;
}

/** Registration of `tabular/mlp`. */
export const tabularMlpRegistration: Registration<'encoder', typeof tabularMlpSchema> = {
  kind: 'encoder',
  type: TABULAR_MLP_TYPE,
  description: 'numeric features + categorical embeddings through an MLP, pooled [B, D]',
  schema: tabularMlpSchema,
  build: (c, context) =>
    new TabularMlpEncoder({
      ...resolveLayout(c, context),
      embeddingDim: c.embeddingDim,
      hidden: c.hidden,
      outDim: c.outDim,
      activation: c.activation,
      dropout: c.dropout,
      seed: c.seed ?? null,
    }),
  examples: [
    { type: TABULAR_MLP_TYPE, numericFeatures: 3, cardinalities: [4, 3], embeddingDim: 2, hidden: [8], outDim: 6, seed: 1 },
    { type: TABULAR_MLP_TYPE, numericFeatures: 2, hidden: [], outDim: 4, activation: 'gelu', dropout: 0.1 },
  ],
};

/** Registration of `tabular/ft-transformer`. */
export const ftTransformerRegistration: Registration<'encoder', typeof ftTransformerSchema> = {
  kind: 'encoder',
  type: FT_TRANSFORMER_TYPE,
  description: 'FT-Transformer: one token per feature plus CLS, tokens [B, F+1, D] for attention fusion',
  schema: ftTransformerSchema,
  build: (c, context) =>
    new FtTransformerEncoder({
      ...resolveLayout(c, context),
      ...transformerStackOptions(c),
      seed: c.seed ?? null,
    }),
  examples: [
    { type: FT_TRANSFORMER_TYPE, numericFeatures: 2, cardinalities: [3, 5], dim: 8, layers: 1, heads: 2, seed: 2 },
    { type: FT_TRANSFORMER_TYPE, cardinalities: [4], dim: 4, layers: 2, heads: 1, ffnDim: 6, dropout: 0.1, attentionDropout: 0.1 },
  ],
};

/** The encoder types this package registers. */
export const TABULAR_ENCODER_TYPES = [TABULAR_MLP_TYPE, FT_TRANSFORMER_TYPE] as const;

/** Registers the tabular encoders in `target` (core's process-wide registry by default); a second call is a no-op. */
export function registerTabularEncoders(target: Registry = globalRegistry): void {
  if (target.get(TABULAR_MLP_TYPE) === undefined) target.register(tabularMlpRegistration);
  if (target.get(FT_TRANSFORMER_TYPE) === undefined) target.register(ftTransformerRegistration);
}
