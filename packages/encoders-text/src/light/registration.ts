// The `text/embedding-bag`, `text/cnn` and `text/tfidf` registry entries: zod schemas, builders and examples.
import { ConfigError, registry as globalRegistry, type BuildContext, type Registration, type Registry } from '@finmm/core';
import { z } from 'zod';
import { EMBEDDING_BAG_TYPE, EmbeddingBagEncoder } from './embedding-bag.js';
import { TEXT_CNN_TYPE, TextCnnEncoder } from './text-cnn.js';
import { TFIDF_ENCODER_TYPE, TfidfEncoder } from './tfidf-encoder.js';

const count = z.number().int().positive();
const rate = z.number().min(0).lt(1);
const vocabSize = count.optional().describe('embedding rows (every id the input holds); default: the build context vocabSize (the tokenizer)');
const seed = z.number().int().optional().describe('seed of the initial weights; default random');

/** Config of `text/embedding-bag`. */
export const embeddingBagSchema = z.object({
  type: z.literal(EMBEDDING_BAG_TYPE),
  vocabSize,
  dim: count.default(64).describe('embedding and pooled width; default 64'),
  dropout: rate.default(0).describe('dropout on pooled; default 0'),
  seed,
});

/** Config of `text/cnn`. */
export const textCnnSchema = z.object({
  type: z.literal(TEXT_CNN_TYPE),
  vocabSize,
  embeddingDim: count.default(64).describe('embedding width; default 64'),
  widths: z.array(count).min(1).default([3, 4, 5]).describe('window widths of the parallel convolutions; default [3, 4, 5]'),
  filters: count.default(32).describe('filters per width; pooled width is filters x widths; default 32'),
  dropout: rate.default(0.5).describe('dropout on pooled; default 0.5 (Kim 2014)'),
  seed,
});

/** Config of `text/tfidf`. */
export const tfidfEncoderSchema = z.object({
  type: z.literal(TFIDF_ENCODER_TYPE),
  vocabSize: count.optional().describe('features (columns of the sparse rows, e.g. a TfidfVectorizer size); default: the build context vocabSize'),
  dim: count.default(32).describe('pooled width; default 32'),
  featureDropout: rate.default(0).describe("dropout on each row's non-zero features in training; default 0"),
  initStd: z.number().positive().default(0.1).describe('standard deviation of the initial weights; default 0.1'),
  seed,
});

/** The vocabulary size of a config, falling back to the build context's; the error names the field. */
export function resolveVocabSize(config: { type: string; vocabSize?: number | undefined }, context: BuildContext): number {
  const fromContext = context['vocabSize'];
  const size = config.vocabSize ?? fromContext;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
    const what = size === undefined ? 'required when the build context has no vocabSize' : `build context vocabSize must be a positive integer, got ${JSON.stringify(size)}`;
    throw new ConfigError(`config field "vocabSize" of encoder '${config.type}': ${what}`, 'vocabSize');
  }
  return size;
}

/** Registration of `text/embedding-bag`. */
export const embeddingBagRegistration: Registration<'encoder', typeof embeddingBagSchema> = {
  kind: 'encoder',
  type: EMBEDDING_BAG_TYPE,
  description: 'fastText-style bag: masked mean of token and hashed n-gram embeddings, pooled [B, D]',
  schema: embeddingBagSchema,
  build: (c, context) => new EmbeddingBagEncoder({ vocabSize: resolveVocabSize(c, context), dim: c.dim, dropout: c.dropout, seed: c.seed ?? null }),
  examples: [
    { type: EMBEDDING_BAG_TYPE, vocabSize: 30, dim: 8, seed: 1 },
    { type: EMBEDDING_BAG_TYPE, vocabSize: 50, dim: 6, dropout: 0.2 },
  ],
};

/** Registration of `text/cnn`. */
export const textCnnRegistration: Registration<'encoder', typeof textCnnSchema> = {
  kind: 'encoder',
  type: TEXT_CNN_TYPE,
  description: 'TextCNN (Kim 2014): parallel 1-D convolutions, ReLU, masked max over time, dropout',
  schema: textCnnSchema,
  build: (c, context) =>
    new TextCnnEncoder({
      vocabSize: resolveVocabSize(c, context),
      embeddingDim: c.embeddingDim,
      widths: c.widths,
      filters: c.filters,
      dropout: c.dropout,
      seed: c.seed ?? null,
    }),
  examples: [
    { type: TEXT_CNN_TYPE, vocabSize: 30, embeddingDim: 8, widths: [2, 3], filters: 4, seed: 2 },
    { type: TEXT_CNN_TYPE, vocabSize: 40, embeddingDim: 6, widths: [1, 3, 5], filters: 3, dropout: 0.3 },
  ],
};

/** Registration of `text/tfidf`. */
export const tfidfEncoderRegistration: Registration<'encoder', typeof tfidfEncoderSchema> = {
  kind: 'encoder',
  type: TFIDF_ENCODER_TYPE,
  description: 'wide path: linear layer over sparse rows (ids = feature columns, attentionMask = values, e.g. TF-IDF), pooled [B, D]',
  schema: tfidfEncoderSchema,
  build: (c, context) =>
    new TfidfEncoder({ vocabSize: resolveVocabSize(c, context), dim: c.dim, featureDropout: c.featureDropout, initStd: c.initStd, seed: c.seed ?? null }),
  examples: [
    { type: TFIDF_ENCODER_TYPE, vocabSize: 30, dim: 4, seed: 1 },
    { type: TFIDF_ENCODER_TYPE, vocabSize: 50, dim: 3, featureDropout: 0.2, initStd: 0.05 },
  ],
};

/** The token-embedding encoder types `registerLightTextEncoders` registers (they also give `tokens` and take embedding perturbations). */
export const LIGHT_TEXT_ENCODER_TYPES = [EMBEDDING_BAG_TYPE, TEXT_CNN_TYPE] as const;

/** Every encoder type `registerLightTextEncoders` registers: LIGHT_TEXT_ENCODER_TYPES and the sparse linear `text/tfidf`. */
export const ALL_LIGHT_TEXT_ENCODER_TYPES = [...LIGHT_TEXT_ENCODER_TYPES, TFIDF_ENCODER_TYPE] as const;

/** Registers `text/embedding-bag`, `text/cnn` and `text/tfidf` in `target` (core's process-wide registry by default); a second call is a no-op. */
export function registerLightTextEncoders(target: Registry = globalRegistry): void {
  if (target.get(EMBEDDING_BAG_TYPE) === undefined) target.register(embeddingBagRegistration);
  if (target.get(TEXT_CNN_TYPE) === undefined) target.register(textCnnRegistration);
  if (target.get(TFIDF_ENCODER_TYPE) === undefined) target.register(tfidfEncoderRegistration);
}
