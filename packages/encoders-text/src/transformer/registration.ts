// The `text/transformer` registry entry: a zod schema for configs given as a Hugging Face config.json (`hf`), as
// named sizes, or as a pretrained Hugging Face directory (`pretrained`), and the builder.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, decodeSafetensors, type BuildContext, type JsonValue, type Registration, type SafetensorsTensor } from '@finmm/core';
import { z } from 'zod';
import { ACTIVATIONS, checkTransformerConfig, HfConfigError, MODEL_TYPES, parseHfConfig, type TransformerConfig } from './config.js';
import { POOLINGS, TRANSFORMER_TYPE, TransformerEncoder } from './encoder.js';
import { loadHfWeights } from './hf-checkpoint.js';

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
    pretrained: z
      .string()
      .min(1)
      .optional()
      .describe('a Hugging Face model directory (config.json + model.safetensors) whose encoder weights are loaded, e.g. the output of pretrainMlm'),
    ...sizeFields,
    pooling: z.enum(POOLINGS).default('cls').describe("'cls' | 'mean' | 'pooler' (BERT's tanh pooler)"),
    scope: z.string().default('').describe('prefix of the variable names'),
    seed: z.number().int().optional().describe('seed of the initial weights'),
  })
  .superRefine((config, ctx) => {
    const issue = (path: PropertyKey[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
    if (config.hf !== undefined) {
      if (config.pretrained !== undefined) return issue(['pretrained'], 'give either "hf" or "pretrained" (whose config.json describes the architecture), not both');
      const clash = SIZE_KEYS.find((k) => config[k] !== undefined);
      if (clash !== undefined) return issue([clash], 'give either "hf" or named sizes, not both');
    }
    if (config.pretrained !== undefined) return; // sizes are checked against the directory's config.json when built
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

/** The architecture a validated config of named sizes or `hf` describes; vocabSize falls back to `context.vocabSize`. */
export function resolveArchitecture(config: TransformerComponentConfig, context: BuildContext): TransformerConfig {
  if (config.pretrained !== undefined) {
    throw new ConfigError(`the architecture of a "pretrained" config comes from ${config.pretrained}/config.json; build the encoder to read it`, 'pretrained');
  }
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

/** Size fields a config may change when loading a pretrained directory (the rest must match its config.json). */
const PRETRAINED_OVERRIDES = ['hiddenDropout', 'attentionDropout'] as const;

/** A pretrained directory's raw config.json and weights, read synchronously (the registry builds synchronously). */
function readPretrainedDir(dir: string): { raw: Record<string, JsonValue>; tensors: Map<string, SafetensorsTensor> } {
  const fail = (why: string): ConfigError =>
    new ConfigError(`config field "pretrained" of encoder '${TRANSFORMER_TYPE}': ${why}`, 'pretrained');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw fail(`pretrained model directory ${dir} does not exist`);
  const configPath = join(dir, 'config.json');
  const weightsPath = join(dir, 'model.safetensors');
  for (const file of [configPath, weightsPath]) {
    if (!existsSync(file)) throw fail(`pretrained model directory ${dir} has no ${file.slice(dir.length + 1)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw fail(`${configPath} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail(`${configPath}: expected a JSON object`);
  try {
    return { raw: raw as Record<string, JsonValue>, tensors: decodeSafetensors(readFileSync(weightsPath), weightsPath).tensors };
  } catch (error) {
    throw fail((error as Error).message);
  }
}

/**
 * The encoder of a pretrained Hugging Face directory: architecture from its config.json (named sizes in the config
 * must agree with it, except the dropout rates, which override), weights from its model.safetensors. Errors name the
 * directory and what does not match.
 */
function buildPretrained(config: TransformerComponentConfig, dir: string, context: BuildContext): TransformerEncoder {
  const fail = (why: string, field = 'pretrained'): ConfigError =>
    new ConfigError(`config field "${field}" of encoder '${TRANSFORMER_TYPE}': pretrained model ${dir}: ${why}`, field);
  const { raw, tensors } = readPretrainedDir(dir);
  let architecture: TransformerConfig;
  try {
    architecture = parseHfConfig(raw);
  } catch (error) {
    if (error instanceof HfConfigError) throw fail(error.message);
    throw error;
  }
  const hfConfig: Record<string, JsonValue> = { ...raw };
  const distil = architecture.modelType === 'distilbert';
  for (const key of SIZE_KEYS) {
    const given = config[key];
    if (given === undefined) continue;
    if ((PRETRAINED_OVERRIDES as readonly string[]).includes(key)) {
      architecture = { ...architecture, [key]: given };
      const hfKey = key === 'hiddenDropout' ? (distil ? 'dropout' : 'hidden_dropout_prob') : distil ? 'attention_dropout' : 'attention_probs_dropout_prob';
      hfConfig[hfKey] = given as number;
    } else if (given !== architecture[key]) {
      throw fail(`its config.json has ${key} ${JSON.stringify(architecture[key])}, this config asks for ${JSON.stringify(given)}`, key);
    }
  }
  const fromContext = context['vocabSize'];
  if (typeof fromContext === 'number' && fromContext > architecture.vocabSize) {
    throw fail(`the tokenizer has ${fromContext} ids but the checkpoint's vocabulary only ${architecture.vocabSize}; use the tokenizer.json saved with it`);
  }
  if (config.pooling === 'pooler' && distil) throw fail("DistilBERT has no pooler; use 'cls' or 'mean'", 'pooling');
  const encoder = new TransformerEncoder(architecture, { pooling: config.pooling, scope: config.scope, seed: config.seed ?? null, hfConfig });
  try {
    loadHfWeights(encoder, tensors, join(dir, 'model.safetensors'));
  } catch (error) {
    encoder.dispose();
    throw fail((error as Error).message);
  }
  return encoder;
}

/** Registration of the transformer encoder in core's registry. */
export const transformerRegistration: Registration<'encoder', typeof transformerSchema> = {
  kind: 'encoder',
  type: TRANSFORMER_TYPE,
  description: 'BERT / RoBERTa / DistilBERT transformer encoder; loads and saves Hugging Face checkpoints',
  schema: transformerSchema,
  build(config, context) {
    if (config.pretrained !== undefined) return buildPretrained(config, config.pretrained, context);
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
