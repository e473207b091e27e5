// The `text/transformer` registry entry: a zod schema for configs given as a Hugging Face config.json (`hf`) or
// as named sizes, and the builder.
import { ConfigError, type BuildContext, type Registration } from '@finmm/core';
import { z } from 'zod';
import { ACTIVATIONS, checkTransformerConfig, HfConfigError, MODEL_TYPES, parseHfConfig, type TransformerConfig } from './config.js';
import { POOLINGS, TRANSFORMER_TYPE, TransformerEncoder } from './encoder.js';

/** Named-size fields and their defaults (a 4-layer, 256-wide BERT). */
const SIZE_DEFAULTS: Omit<TransformerConfig, 'vocabSize'> = {
  modelType: 'bert',
  hiddenSize: 256,
  numLayers: 4,
  numHeads: 4,
  intermediateSize: 1024,
  activation: 'gelu',
  maxPositions: 512,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
  hiddenDropout: 0.1,
  attentionDropout: 0.1,
  padTokenId: 0,
  sinusoidalPositions: false,
};

const count = z.number().int().positive();
const rate = z.number().min(0).max(1);
const sizeFields = {
  modelType: z.enum(MODEL_TYPES).optional().describe("architecture the weights follow; default 'bert'"),
  vocabSize: count.optional().describe('word table rows; default: the build context vocabSize (the tokenizer)'),
  hiddenSize: count.optional().describe('token vector width; default 256'),
  numLayers: count.optional().describe('layers; default 4'),
  numHeads: count.optional().describe('attention heads, dividing hiddenSize; default 4'),
  intermediateSize: count.optional().describe('feed-forward width; default 4 x hiddenSize'),
  activation: z.enum(ACTIVATIONS).optional().describe("feed-forward activation; default 'gelu'"),
  maxPositions: count.optional().describe('position table rows; default 512'),
  typeVocabSize: z.number().int().min(0).optional().describe('segment types; default 2 (0 for DistilBERT)'),
  layerNormEps: z.number().positive().optional().describe('LayerNorm epsilon; default 1e-12'),
  hiddenDropout: rate.optional().describe('dropout on hidden states; default 0.1'),
  attentionDropout: rate.optional().describe('dropout on attention probabilities; default 0.1'),
  padTokenId: z.number().int().min(0).optional().describe('padding token id; default 0'),
  sinusoidalPositions: z.boolean().optional().describe('fixed sinusoidal positions (DistilBERT); default false'),
};
const SIZE_KEYS = Object.keys(sizeFields) as Array<keyof typeof sizeFields>;

/** Config of `text/transformer`: `{type, hf: {...config.json}}` or `{type, hiddenSize, numLayers, ...}`. */
export const transformerSchema = z
  .object({
    type: z.literal(TRANSFORMER_TYPE),
    hf: z.record(z.string(), z.json()).optional().describe('a Hugging Face config.json (bert, distilbert, roberta)'),
    ...sizeFields,
    pooling: z.enum(POOLINGS).default('cls').describe("'cls' | 'mean' | 'pooler' (BERT's tanh pooler)"),
    scope: z.string().default('').describe('prefix of the variable names'),
    seed: z.number().int().optional().describe('seed of the initial weights'),
  })
  .superRefine((config, ctx) => {
    const issue = (path: PropertyKey[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
    if (config.hf !== undefined) {
      const clash = SIZE_KEYS.find((k) => config[k] !== undefined);
      if (clash !== undefined) return issue([clash], 'give either "hf" or named sizes, not both');
    }
    try {
      // vocabSize may come from the build context later; a placeholder lets the other invariants be checked now.
      const architecture = resolveArchitecture(config, { vocabSize: Number.MAX_SAFE_INTEGER });
      if (config.hf === undefined) checkTransformerConfig(architecture);
      if (config.pooling === 'pooler' && architecture.modelType === 'distilbert') {
        issue(['pooling'], "DistilBERT has no pooler; use 'cls' or 'mean'");
      }
    } catch (error) {
      if (!(error instanceof HfConfigError)) throw error;
      const path = config.hf === undefined ? [error.field] : ['hf', ...(error.field === '' ? [] : [error.field])];
      issue(path, error.message);
    }
  });
export type TransformerComponentConfig = z.output<typeof transformerSchema>;

/** The architecture a validated config describes; vocabSize falls back to `context.vocabSize`. */
export function resolveArchitecture(config: TransformerComponentConfig, context: BuildContext): TransformerConfig {
  if (config.hf !== undefined) return parseHfConfig(config.hf);
  const fromContext = context['vocabSize'];
  const vocabSize = config.vocabSize ?? (typeof fromContext === 'number' ? fromContext : undefined);
  if (vocabSize === undefined) {
    throw new ConfigError('config field "vocabSize" of encoder \'text/transformer\': required when the build context has no vocabSize', 'vocabSize');
  }
  const modelType = config.modelType ?? SIZE_DEFAULTS.modelType;
  const hiddenSize = config.hiddenSize ?? SIZE_DEFAULTS.hiddenSize;
  const given = Object.fromEntries(SIZE_KEYS.filter((k) => config[k] !== undefined).map((k) => [k, config[k]]));
  return {
    ...SIZE_DEFAULTS,
    intermediateSize: 4 * hiddenSize,
    typeVocabSize: modelType === 'distilbert' ? 0 : SIZE_DEFAULTS.typeVocabSize,
    padTokenId: modelType === 'roberta' ? 1 : SIZE_DEFAULTS.padTokenId,
    ...given,
    vocabSize,
  };
}

/** Registration of the transformer encoder in core's registry. */
export const transformerRegistration: Registration<'encoder', typeof transformerSchema> = {
  kind: 'encoder',
  type: TRANSFORMER_TYPE,
  description: 'BERT / RoBERTa / DistilBERT transformer encoder; loads and saves Hugging Face checkpoints',
  schema: transformerSchema,
  build(config, context) {
    return new TransformerEncoder(resolveArchitecture(config, context), {
      pooling: config.pooling,
      scope: config.scope,
      seed: config.seed ?? null,
      hfConfig: config.hf ?? null,
    });
  },
  examples: [
    { type: TRANSFORMER_TYPE, vocabSize: 50, hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 24, maxPositions: 32, pooling: 'mean' },
    {
      type: TRANSFORMER_TYPE,
      hf: { model_type: 'distilbert', vocab_size: 40, dim: 16, n_layers: 1, n_heads: 4, hidden_dim: 32, max_position_embeddings: 24 },
    },
  ],
};
