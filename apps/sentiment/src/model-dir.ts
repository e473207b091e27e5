// A sentiment model directory: the fused model (config.json, model.safetensors), tokenizer.json (unless the model
// has only the TF-IDF branch), tfidf.json (the fitted TF-IDF vectoriser, with the TF-IDF branch), and sentiment.json: classes, what each text branch reads, the data and split rows it was trained on (for
// `evaluate`), the seed, class weights and how training went.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { initBackend, MODEL_CONFIG_FILE } from '@finmm/core';
import { TfidfVectorizer, tfidfSpecSchema } from '@finmm/encoders-text';
import { loadModel, saveModel } from '@finmm/fusion';
import { readInfoFile } from '@finmm/finance-tasks';
import { z } from 'zod';
import { sentimentConfigSchema } from './config.js';
import { SentimentModel } from './model/sentiment-model.js';
import './register.js';
import { SentimentFeaturizer } from './text-features.js';

/** File of the sentiment-specific facts in a model directory. */
export const SENTIMENT_INFO_FILE = 'sentiment.json';
/** File of the fitted TF-IDF vectoriser in a model directory. */
export const TFIDF_FILE = 'tfidf.json';

const rows = z.array(z.number().int().min(0));
const metrics = z.object({ accuracy: z.number().nullable(), macroF1: z.number().nullable() });

/** Schema of sentiment.json. */
export const sentimentInfoSchema = z.object({
  kind: z.literal('finmm/sentiment-model'),
  version: z.literal(1),
  classes: z.array(z.string()).min(2),
  text: z.object({
    ngram: z
      .object({
        n: z.number().int().min(1),
        buckets: z.number().int().positive(),
        maxLength: z.number().int().positive(),
        chars: z.object({ min: z.number().int().positive(), max: z.number().int().positive(), buckets: z.number().int().positive() }).nullable(),
      })
      .nullable(),
    transformer: z.object({ maxLength: z.number().int().positive() }).nullable(),
    /** The TF-IDF branch's features (the vocabularies are in tfidf.json); absent in models from before the branch. */
    tfidf: tfidfSpecSchema.nullable().default(null),
    /** The record field predict reads the text from. */
    field: z.string(),
    /** The record field predict echoes as `id`, or null. */
    idField: z.string().nullable(),
  }),
  data: z.object({
    config: sentimentConfigSchema.shape.data,
    files: z.array(z.object({ path: z.string(), name: z.string(), bytes: z.number(), sha256: z.string() })),
    rows: z.number().int(),
  }),
  /** Rows of each part (indices into the loaded data's rows). */
  split: z.object({ train: rows, validation: rows, test: rows }),
  seed: z.number().int(),
  /** The pretrained transformer's directory (its weights were the starting point), or null. */
  pretrained: z.string().nullable(),
  classWeights: z.array(z.number()).nullable(),
  training: z.object({
    epochs: z.number().int(),
    bestEpoch: z.number().int().nullable(),
    stopReason: z.string(),
    seconds: z.number(),
    /** Validation metrics of the saved weights. */
    validation: metrics,
  }),
});

/** The contents of sentiment.json. */
export type SentimentModelInfo = z.output<typeof sentimentInfoSchema>;

/** A loaded sentiment model directory; dispose the model when done. */
export interface LoadedSentimentModel {
  dir: string;
  model: SentimentModel;
  featurizer: SentimentFeaturizer;
  info: SentimentModelInfo;
}

/** Saves model, tokenizer (when the model has one), TF-IDF vectoriser (when it has one) and sentiment.json as one model directory (atomically). */
export async function saveSentimentModel(dir: string, model: SentimentModel, texts: { tokenizerJson: string | null; tfidfJson: string | null }, info: SentimentModelInfo): Promise<void> {
  const files: Record<string, string> = { [SENTIMENT_INFO_FILE]: `${JSON.stringify(info, null, 1)}\n` };
  if (texts.tfidfJson !== null) files[TFIDF_FILE] = texts.tfidfJson;
  await saveModel(model.fused, dir, { ...(texts.tokenizerJson === null ? {} : { tokenizer: texts.tokenizerJson }), files });
}

/** The model directory's fitted TF-IDF vectoriser from its files, or null when the model has no TF-IDF branch. */
function readTfidf(dir: string, info: SentimentModelInfo, files: Record<string, Uint8Array>): TfidfVectorizer | null {
  if (info.text.tfidf === null) return null;
  const bytes = files[TFIDF_FILE];
  const file = path.join(dir, TFIDF_FILE);
  if (bytes === undefined) throw new Error(`${dir} has a TF-IDF branch but no ${TFIDF_FILE}`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new Error(`${file}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const tfidf = TfidfVectorizer.fromJson(raw, file);
  if (JSON.stringify(tfidf.spec) !== JSON.stringify(info.text.tfidf)) throw new Error(`${file}: its features differ from the "text.tfidf" of ${SENTIMENT_INFO_FILE}`);
  return tfidf;
}

/** Reads and validates a model directory's sentiment.json without loading the model (no TensorFlow needed). */
export function readSentimentInfo(dir: string): SentimentModelInfo {
  if (!existsSync(path.join(dir, MODEL_CONFIG_FILE))) {
    throw new Error(existsSync(dir) ? `${dir} is not a model directory (no ${MODEL_CONFIG_FILE})` : `model directory ${dir} does not exist`);
  }
  const file = path.join(dir, SENTIMENT_INFO_FILE);
  if (!existsSync(file)) throw new Error(`${dir} is a model directory but not a sentiment model (no ${SENTIMENT_INFO_FILE})`);
  return readInfoFile(file, sentimentInfoSchema);
}

/** Loads a sentiment model directory (initialising the TensorFlow.js backend); errors name the directory and the bad file or field. */
export async function loadSentimentModel(dir: string): Promise<LoadedSentimentModel> {
  const info = readSentimentInfo(dir);
  await initBackend();
  const loaded = await loadModel(dir);
  try {
    const needsTokenizer = info.text.ngram !== null || info.text.transformer !== null;
    if (loaded.tokenizer === null && needsTokenizer) throw new Error(`${dir} has no tokenizer.json`);
    let tokenizer: unknown = null;
    try {
      if (loaded.tokenizer !== null) tokenizer = JSON.parse(loaded.tokenizer);
    } catch (error) {
      throw new Error(`${dir}/tokenizer.json: not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    const spec = { ngram: info.text.ngram, transformer: info.text.transformer, tfidf: info.text.tfidf };
    const featurizer = new SentimentFeaturizer(tokenizer, spec, path.join(dir, 'tokenizer.json'), readTfidf(dir, info, loaded.files));
    return { dir, model: new SentimentModel(loaded.model, info.pretrained !== null), featurizer, info };
  } catch (error) {
    loaded.model.dispose();
    throw error;
  }
}
