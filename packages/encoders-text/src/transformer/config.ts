// Transformer encoder configs: the normalised form the model is built from, and parsing of Hugging Face config.json
// files for BERT, DistilBERT and RoBERTa.
import type { JsonValue } from '@finmm/core';
import { z } from 'zod';

/** The Hugging Face architectures the encoder reproduces. */
export const MODEL_TYPES = ['bert', 'distilbert', 'roberta'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

/** Feed-forward activations: `gelu` (exact, erf), `gelu_new` (tanh approximation), `relu`. */
export const ACTIVATIONS = ['gelu', 'gelu_new', 'relu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Everything the encoder's shape and behaviour depend on, architecture-neutral. */
export interface TransformerConfig {
  /** Which Hugging Face architecture the weights and positions follow. */
  modelType: ModelType;
  /** Rows of the word embedding table. */
  vocabSize: number;
  /** Width D of every token vector. */
  hiddenSize: number;
  /** Number of transformer layers. */
  numLayers: number;
  /** Attention heads H per layer; D must be a multiple of H. */
  numHeads: number;
  /** Width of the feed-forward layer. */
  intermediateSize: number;
  /** Feed-forward activation. */
  activation: Activation;
  /** Rows of the position embedding table (RoBERTa uses two of them for the padding offset). */
  maxPositions: number;
  /** Rows of the segment embedding table; 0 for DistilBERT, which has none. */
  typeVocabSize: number;
  /** Epsilon of every LayerNorm. */
  layerNormEps: number;
  /** Dropout on embeddings, attention output and feed-forward output. */
  hiddenDropout: number;
  /** Dropout on the attention probabilities. */
  attentionDropout: number;
  /** Id of the padding token (RoBERTa positions start after it). */
  padTokenId: number;
  /** DistilBERT's fixed sinusoidal position embeddings (not trained). */
  sinusoidalPositions: boolean;
}

/** A config.json field that is missing, of the wrong type, or not supported; `field` names it. */
export class HfConfigError extends Error {
  constructor(
    message: string,
    /** Name of the offending config.json field, e.g. `hidden_size`. */
    readonly field: string,
  ) {
    super(message);
    this.name = 'HfConfigError';
  }
}

const count = z.number().int().positive();
const rate = z.number().min(0).max(1);
// gelu_pytorch_tanh is the same function as gelu_new.
const hfActivation = z
  .enum(['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu'])
  .transform((a): Activation => (a === 'gelu_pytorch_tanh' ? 'gelu_new' : a));

// Defaults are those of transformers' BertConfig / RobertaConfig / DistilBertConfig.
const bertFields = {
  vocab_size: count,
  hidden_size: count,
  num_hidden_layers: count,
  num_attention_heads: count,
  intermediate_size: count,
  hidden_act: hfActivation.default('gelu'),
  max_position_embeddings: count.default(512),
  type_vocab_size: count.default(2),
  layer_norm_eps: z.number().positive().default(1e-12),
  hidden_dropout_prob: rate.default(0.1),
  attention_probs_dropout_prob: rate.default(0.1),
  pad_token_id: z.number().int().min(0).default(0),
  position_embedding_type: z.literal('absolute', { error: 'only "absolute" position embeddings are supported' }).default('absolute'),
};
const bertSchema = z.looseObject(bertFields);
const robertaSchema = z.looseObject({ ...bertFields, pad_token_id: z.number().int().min(0).default(1) });
const distilbertSchema = z.looseObject({
  vocab_size: count,
  dim: count,
  n_layers: count,
  n_heads: count,
  hidden_dim: count,
  activation: z.enum(['gelu', 'relu']).default('gelu'),
  max_position_embeddings: count.default(512),
  dropout: rate.default(0.1),
  attention_dropout: rate.default(0.1),
  pad_token_id: z.number().int().min(0).default(0),
  sinusoidal_pos_embds: z.boolean().default(false),
});

function parseFields<S extends z.ZodType>(schema: S, raw: Record<string, unknown>): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  const got = field === '' ? '' : `, got ${JSON.stringify(raw[field] ?? null)}`;
  throw new HfConfigError(`config.json field "${field}": ${issue?.message ?? 'invalid'}${got}`, field);
}

function checkHeads(hidden: number, heads: number, headsField: string): void {
  if (hidden % heads !== 0) {
    throw new HfConfigError(`config.json field "${headsField}": ${heads} heads do not divide the hidden size ${hidden}`, headsField);
  }
}

/** Parses a Hugging Face `config.json` object of model_type bert, distilbert or roberta; errors name the field. */
export function parseHfConfig(raw: unknown): TransformerConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HfConfigError(`config.json: expected an object, got ${JSON.stringify(raw)}`, '');
  }
  const fields = raw as Record<string, unknown>;
  const modelType = fields['model_type'];
  if (modelType === 'bert' || modelType === 'roberta') {
    const c = parseFields(modelType === 'bert' ? bertSchema : robertaSchema, fields);
    checkHeads(c.hidden_size, c.num_attention_heads, 'num_attention_heads');
    if (modelType === 'roberta' && c.max_position_embeddings <= c.pad_token_id + 1) {
      throw new HfConfigError(
        `config.json field "max_position_embeddings": ${c.max_position_embeddings} leaves no positions after the padding offset ${c.pad_token_id + 1}`,
        'max_position_embeddings',
      );
    }
    return {
      modelType,
      vocabSize: c.vocab_size,
      hiddenSize: c.hidden_size,
      numLayers: c.num_hidden_layers,
      numHeads: c.num_attention_heads,
      intermediateSize: c.intermediate_size,
      activation: c.hidden_act,
      maxPositions: c.max_position_embeddings,
      typeVocabSize: c.type_vocab_size,
      layerNormEps: c.layer_norm_eps,
      hiddenDropout: c.hidden_dropout_prob,
      attentionDropout: c.attention_probs_dropout_prob,
      padTokenId: c.pad_token_id,
      sinusoidalPositions: false,
    };
  }
  if (modelType === 'distilbert') {
    const c = parseFields(distilbertSchema, fields);
    checkHeads(c.dim, c.n_heads, 'n_heads');
    return {
      modelType,
      vocabSize: c.vocab_size,
      hiddenSize: c.dim,
      numLayers: c.n_layers,
      numHeads: c.n_heads,
      intermediateSize: c.hidden_dim,
      activation: c.activation,
      maxPositions: c.max_position_embeddings,
      typeVocabSize: 0,
      layerNormEps: 1e-12, // fixed in transformers' DistilBERT
      hiddenDropout: c.dropout,
      attentionDropout: c.attention_dropout,
      padTokenId: c.pad_token_id,
      sinusoidalPositions: c.sinusoidal_pos_embds,
    };
  }
  throw new HfConfigError(
    `config.json field "model_type": unsupported model type ${JSON.stringify(modelType ?? null)}; supported: ${MODEL_TYPES.join(', ')}`,
    'model_type',
  );
}

const ARCHITECTURE: Record<ModelType, string> = { bert: 'BertModel', distilbert: 'DistilBertModel', roberta: 'RobertaModel' };

/**
 * The Hugging Face `config.json` of a config, for `AutoModel.from_pretrained`.
 * Fields of `base` (e.g. the file the model was loaded from) are kept unless the config sets them.
 */
export function toHfConfig(config: TransformerConfig, base: Record<string, JsonValue> = {}): Record<string, JsonValue> {
  const common = { ...base, model_type: config.modelType, architectures: [ARCHITECTURE[config.modelType]] };
  if (config.modelType === 'distilbert') {
    return {
      ...common,
      vocab_size: config.vocabSize,
      dim: config.hiddenSize,
      n_layers: config.numLayers,
      n_heads: config.numHeads,
      hidden_dim: config.intermediateSize,
      activation: config.activation,
      max_position_embeddings: config.maxPositions,
      dropout: config.hiddenDropout,
      attention_dropout: config.attentionDropout,
      pad_token_id: config.padTokenId,
      sinusoidal_pos_embds: config.sinusoidalPositions,
    };
  }
  return {
    ...common,
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    num_hidden_layers: config.numLayers,
    num_attention_heads: config.numHeads,
    intermediate_size: config.intermediateSize,
    hidden_act: config.activation,
    max_position_embeddings: config.maxPositions,
    type_vocab_size: config.typeVocabSize,
    layer_norm_eps: config.layerNormEps,
    hidden_dropout_prob: config.hiddenDropout,
    attention_probs_dropout_prob: config.attentionDropout,
    pad_token_id: config.padTokenId,
    position_embedding_type: 'absolute',
  };
}

/** Checks the invariants parseHfConfig checks, for configs built from named sizes; errors name the field. */
export function checkTransformerConfig(config: TransformerConfig): void {
  const fail = (field: keyof TransformerConfig, why: string): never => {
    throw new HfConfigError(`transformer config field "${field}": ${why}`, field);
  };
  if (config.hiddenSize % config.numHeads !== 0) fail('numHeads', `${config.numHeads} heads do not divide the hidden size ${config.hiddenSize}`);
  if (config.modelType === 'distilbert' && config.typeVocabSize !== 0) fail('typeVocabSize', 'DistilBERT has no segment embeddings; use 0');
  if (config.modelType !== 'distilbert' && config.typeVocabSize < 1) fail('typeVocabSize', `${config.modelType} needs at least 1 segment type`);
  if (config.modelType !== 'distilbert' && config.sinusoidalPositions) fail('sinusoidalPositions', 'only DistilBERT has sinusoidal positions');
  if (config.modelType === 'roberta' && config.maxPositions <= config.padTokenId + 1) {
    fail('maxPositions', `${config.maxPositions} leaves no positions after the padding offset ${config.padTokenId + 1}`);
  }
  if (config.padTokenId >= config.vocabSize) fail('padTokenId', `${config.padTokenId} is outside the vocabulary of ${config.vocabSize}`);
}

/** Longest sequence the position table allows (RoBERTa loses padTokenId + 1 rows to its offset). */
export function maxSequenceLength(config: TransformerConfig): number {
  return config.modelType === 'roberta' ? config.maxPositions - config.padTokenId - 1 : config.maxPositions;
}
