// The sentiment app's config file: data source and split, seeds, the text branches (TF-IDF linear layer, hashed
// n-gram embedding bag, transformer), how they are combined, loss, batch sizes and the trainer. Read with
// `loadSentimentConfig(file, sets)`; every error names the file and the field.
import { appTrainerSection, configIssueMessage, applyOverrides, readConfigFile, type ConfigObject } from '@finmm/finance-tasks';
import { z } from 'zod';

const count = z.number().int().positive();
const rate = z.number().min(0).lt(1);
const limit = count.optional().describe('use only N evenly spaced rows of each split part (tests and demos)');

const phrasebankData = z.strictObject({
  source: z.literal('phrasebank'),
  /** Folder holding financial-phrasebank/ (default FINMM_DATA_DIR or ../shared/data). */
  dataDir: z.string().optional(),
  limit,
});

const columnSplit = z.strictObject({
  by: z.literal('column'),
  /** The column naming each row's part. */
  column: z.string().min(1),
  train: z.string().default('train'),
  validation: z.string().default('validation'),
  test: z.string().default('test'),
});

const stratifiedSplit = z.strictObject({
  by: z.literal('stratified'),
  /** Fraction of the rows held out for validation (early stopping, model selection). */
  validation: z.number().gt(0).lt(1).default(0.1),
  /** Fraction of the rows held out for the test report. */
  test: z.number().gt(0).lt(1).default(0.2),
  /** Seed of the split (fixed across training seeds, so every seed sees the same test rows). */
  seed: z.number().int().default(0),
});

const fileData = z.strictObject({
  source: z.literal('file'),
  /** A .csv, .tsv, .jsonl/.ndjson or .arrow/.ipc/.feather table (a relative path is taken from the working directory). */
  path: z.string().min(1),
  /** The text column. */
  text: z.string().min(1).default('text'),
  /** The label column. */
  label: z.string().min(1).default('label'),
  /** The label set in class order; default: the distinct labels sorted. A row with another label is an error. */
  classes: z.array(z.string().min(1)).min(2).optional(),
  /** A row id column, echoed by predict. */
  id: z.string().optional(),
  split: z.discriminatedUnion('by', [columnSplit, stratifiedSplit]).default({ by: 'stratified', validation: 0.1, test: 0.2, seed: 0 }),
  /** Skip malformed records (counted in the run's data.json) instead of failing on the first. */
  lenient: z.boolean().default(false),
  limit,
});

/** The hashed word n-gram embedding bag (fastText style): tokenizer ids plus hashed word n-grams, averaged. */
const ngramBranch = z.strictObject({
  /** Longest word n-gram hashed (2 = unigram pieces + bigrams). */
  n: z.number().int().min(1).default(2),
  /** Hash buckets of the n-grams. */
  buckets: count.default(50_000),
  /** Embedding width. */
  dim: count.default(64),
  /** Dropout on the bag's mean vector. */
  dropout: rate.default(0),
  /** Word dropout in training: each of a sentence's n-gram branch ids is left out with this probability (DAN, Iyyer et al. 2015). */
  wordDropout: rate.default(0),
  /** Most ids per sentence (pieces first, then word n-grams, then character n-grams). */
  maxLength: count.default(256),
  /** fastText's subword features: hashed character n-grams of each word (lengths min..max); null for none. */
  chars: z
    .strictObject({ min: count.default(3), max: count.default(5), buckets: count.default(50_000) })
    .refine((c) => c.min <= c.max, { message: 'min must not exceed max', path: ['min'] })
    .nullable()
    .default(null),
});

/** The transformer branch: MLM-pretrained (a Hugging Face directory from `sentiment pretrain`) or from scratch. */
const transformerBranch = z.strictObject({
  /** Hugging Face model directory (config.json, model.safetensors, tokenizer.json); null trains from scratch. */
  pretrained: z.string().min(1).nullable().default(null),
  /** Named sizes of a from-scratch transformer (the `text/transformer` registry fields); ignored with `pretrained`. */
  architecture: z.record(z.string(), z.json()).default({ hiddenSize: 256, numLayers: 4, numHeads: 4 }),
  pooling: z.enum(['cls', 'mean']).default('mean'),
  /** Most token ids per sentence, [CLS] and [SEP] included. */
  maxLength: count.default(128),
});

/** One TF-IDF analyzer: n-gram lengths min..max, kept when at least minDf training sentences hold it. */
const tfidfAnalyzer = (min: number, max: number, minDf: number) =>
  z
    .strictObject({ min: count.default(min), max: count.default(max), minDf: count.default(minDf) })
    .refine((c) => c.min <= c.max, { message: 'min must not exceed max', path: ['min'] })
    .nullable()
    .default({ min, max, minDf });

/** The TF-IDF ("wide") branch: scikit-learn-style TF-IDF fitted on the training sentences, then a linear layer. */
const tfidfBranch = z.strictObject({
  /** Word n-grams (tokens of 2+ word characters, as scikit-learn); null for none. */
  words: tfidfAnalyzer(1, 2, 1),
  /** Character n-grams inside words padded with spaces (scikit-learn's char_wb); null for none. */
  chars: tfidfAnalyzer(2, 5, 2),
  /** tf = 1 + ln(count). */
  sublinearTf: z.boolean().default(true),
  /** Width of the linear layer's output (the branch's embedding). */
  dim: count.default(32),
  /** Dropout on each sentence's non-zero TF-IDF features in training. */
  featureDropout: rate.default(0),
  /** Standard deviation of the linear layer's initial weights. */
  initStd: z.number().positive().default(0.1),
});

const component = z.looseObject({ type: z.string() });

/** Schema of the sentiment config. */
export const sentimentConfigSchema = z.strictObject({
  /** Run name (the run directory is runs/sentiment/<timestamp>-<name>). */
  name: z.string().min(1).default('sentiment'),
  data: z.discriminatedUnion('source', [phrasebankData, fileData]),
  /** One model per seed; a seed fixes the initial weights and the batch order (never the split). */
  seeds: z.array(z.number().int()).min(1).default([1]),
  model: z
    .strictObject({
      /** The TF-IDF linear ("wide") branch; null leaves it out. */
      tfidf: tfidfBranch.nullable().default(null),
      /** The n-gram branch; null leaves it out. */
      ngram: ngramBranch.nullable().default(null),
      /** The transformer branch; null leaves it out. */
      transformer: transformerBranch.nullable().default(null),
      /** WordPiece tokenizer trained on the training sentences when no pretrained transformer brings one. */
      tokenizer: z.strictObject({ vocabSize: count.default(8000), minFrequency: count.default(2) }).prefault({}),
      /** How the two branches are combined when both are on: concatenation, or a gated sum of projections. */
      combine: z.enum(['concat', 'gated']).default('concat'),
      /** Width of the projections of the gated combination. */
      combineDim: count.default(128),
      fusion: component.default({ type: 'fusion/concat', outDim: 64 }),
      head: component.default({ type: 'head/linear' }),
    })
    .prefault({}),
  loss: z
    .strictObject({
      /** Class weights of the cross-entropy: none, balanced (n / (K n_k) on the training rows) or one per class. */
      classWeights: z.union([z.enum(['none', 'balanced']), z.array(z.number().positive()).min(2)]).default('none'),
      labelSmoothing: rate.default(0),
    })
    .prefault({}),
  batchSize: count.default(32),
  /**
   * Training batches of sentences of similar length (Hugging Face's group_by_length): the shuffled epoch is cut into
   * megabatches of this many batches, each sorted by length (the transformer's tokens, else the n-gram ids, else the
   * TF-IDF non-zeros), so batches are padded less; null: no grouping.
   */
  groupByLength: count.nullable().default(null),
  evalBatchSize: count.default(128),
  /** The trainer's config (epochs, optimizer, schedule, groupLr, earlyStopping, adversarial...; a null field is left out); seed, runDir and progress are set per fit. */
  trainer: z.record(z.string(), z.unknown()).default({}),
  progress: z.enum(['auto', 'bar', 'lines', 'none']).default('auto'),
  /** Keep the trainer's checkpoints (with optimizer state) and its copy of the final weights under fits/seed<k>/train; they duplicate model/ several times over, so they are removed by default. */
  keepTrainerFiles: z.boolean().default(false),
});

/** A validated sentiment config. */
export type SentimentConfig = z.output<typeof sentimentConfigSchema>;
/** The data block of a sentiment config. */
export type SentimentDataConfig = SentimentConfig['data'];
/** The model block of a sentiment config. */
export type SentimentModelConfig = SentimentConfig['model'];

/** Validates a sentiment config object; `source` names it in errors. */
export function parseSentimentConfig(raw: unknown, source: string): SentimentConfig {
  const parsed = sentimentConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(configIssueMessage(parsed.error, source));
  const config = parsed.data;
  if (config.model.ngram === null && config.model.transformer === null && config.model.tfidf === null) {
    throw new Error(`${source}: config field "model": give at least one branch, "model.tfidf", "model.ngram" or "model.transformer"`);
  }
  if (config.model.tfidf !== null && config.model.tfidf.words === null && config.model.tfidf.chars === null) {
    throw new Error(`${source}: config field "model.tfidf": give "words" or "chars" (or both), or set model.tfidf=null`);
  }
  if (config.data.source === 'file' && config.data.classes !== undefined && new Set(config.data.classes).size !== config.data.classes.length) {
    throw new Error(`${source}: config field "data.classes": a class is listed twice`);
  }
  const weights = config.loss.classWeights;
  if (Array.isArray(weights)) {
    const classes = config.data.source === 'phrasebank' ? 3 : config.data.classes?.length;
    if (classes !== undefined && weights.length !== classes) {
      throw new Error(`${source}: config field "loss.classWeights": ${weights.length} weights for ${classes} classes`);
    }
  }
  config.trainer = appTrainerSection(config.trainer, source);
  return config;
}

/** A config file read, overridden with `--set key=value` texts, and validated; `resolved` is what a run records. */
export function loadSentimentConfig(file: string, sets: readonly string[] = []): { config: SentimentConfig; resolved: ConfigObject } {
  const { config } = readConfigFile(file);
  const resolved = applyOverrides(config, sets);
  return { config: parseSentimentConfig(resolved, sets.length === 0 ? file : `${file} (with --set ${sets.join(' ')})`), resolved };
}
