// Builds a sentiment model from the app config: the tokenizer (the pretrained transformer's, or WordPiece trained
// on the training sentences only), the TF-IDF vectoriser (fitted on the training sentences only), the fused-model
// config of the chosen branches, and the pretrained weights.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadModelDir, type JsonValue } from '@finmm/core';
import { EMBEDDING_BAG_TYPE, loadHfWeights, parseHfConfig, TfidfVectorizer, TFIDF_ENCODER_TYPE, TRANSFORMER_TYPE, type HfLoadReport, type TfidfBlockSpec, type TfidfSpec } from '@finmm/encoders-text';
import { buildModel } from '@finmm/fusion';
import type { SentimentConfig, SentimentModelConfig } from '../config.js';
import { SentimentFeaturizer, trainSentimentTokenizer, type TextFeatureSpec } from '../text-features.js';
import { DUAL_TEXT_TYPE } from './dual-encoder.js';
import { TFIDF_PLUS_TYPE } from './tfidf-plus.js';
import { SentimentModel, transformerOf } from './sentiment-model.js';
import '../register.js';

/** The task name of every sentiment model. */
export const SENTIMENT_TASK = 'sentiment';

/** The text side of a model: its tokenizer, TF-IDF vectoriser, what each branch reads, and the pretrained checkpoint if any. */
export interface PreparedText {
  /** tokenizer.json text (saved in the model directory); null for the TF-IDF branch alone, which needs none. */
  tokenizerJson: string | null;
  /** tfidf.json text, the fitted vectoriser (saved in the model directory); null without the TF-IDF branch. */
  tfidfJson: string | null;
  spec: TextFeatureSpec;
  featurizer: SentimentFeaturizer;
  /** The pretrained transformer's directory and config.json, or null. */
  pretrained: { dir: string; hf: Record<string, JsonValue> } | null;
}

function readJsonFile(file: string, what: string): unknown {
  if (!existsSync(file)) throw new Error(`config field "model.transformer.pretrained": ${what} ${file} does not exist (run \`sentiment pretrain\` first, or set model.transformer.pretrained=null)`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** The TF-IDF features of a model config's `tfidf` branch (scikit-learn's defaults otherwise: smoothed idf, L2 rows, lowercase). */
export function tfidfSpec(branch: NonNullable<SentimentModelConfig['tfidf']>): TfidfSpec {
  const blocks: TfidfBlockSpec[] = [];
  if (branch.words !== null) blocks.push({ analyzer: 'word', ...branch.words });
  if (branch.chars !== null) blocks.push({ analyzer: 'char_wb', ...branch.chars });
  return { blocks, sublinearTf: branch.sublinearTf, smoothIdf: true, l2: true, lowercase: true };
}

/** The feature spec of a model config. */
export function featureSpec(model: SentimentModelConfig): TextFeatureSpec {
  return {
    ngram: model.ngram === null ? null : { n: model.ngram.n, buckets: model.ngram.buckets, maxLength: model.ngram.maxLength, chars: model.ngram.chars },
    transformer: model.transformer === null ? null : { maxLength: model.transformer.maxLength },
    tfidf: model.tfidf === null ? null : tfidfSpec(model.tfidf),
  };
}

/** Checks that the configured pretrained directory has a usable config.json and tokenizer.json (before a run starts). */
export function checkPretrainedDir(model: SentimentModelConfig): void {
  const dir = model.transformer?.pretrained ?? null;
  if (dir === null) return;
  parseHfConfig(readJsonFile(path.join(path.resolve(dir), 'config.json'), 'pretrained model config'));
  readJsonFile(path.join(path.resolve(dir), 'tokenizer.json'), 'pretrained tokenizer');
  if (!existsSync(path.join(path.resolve(dir), 'model.safetensors'))) throw new Error(`config field "model.transformer.pretrained": ${path.resolve(dir)} has no model.safetensors`);
}

/**
 * Reads the pretrained transformer's tokenizer and config, or trains a WordPiece tokenizer on `trainTexts` (when a
 * token branch needs one), and fits the TF-IDF vectoriser on `trainTexts` (when the model has the TF-IDF branch).
 */
export function prepareText(model: SentimentModelConfig, trainTexts: readonly string[]): PreparedText {
  const spec = featureSpec(model);
  const dir = model.transformer?.pretrained ?? null;
  const tfidf = spec.tfidf === null ? null : TfidfVectorizer.fit(trainTexts, spec.tfidf);
  const tfidfJson = tfidf === null ? null : JSON.stringify(tfidf.toJson());
  if (model.ngram === null && model.transformer === null) {
    return { tokenizerJson: null, tfidfJson, spec, featurizer: new SentimentFeaturizer(null, spec, 'no tokenizer', tfidf), pretrained: null };
  }
  let tokenizer: unknown;
  let pretrained: PreparedText['pretrained'] = null;
  if (dir !== null) {
    const resolved = path.resolve(dir);
    const hf = readJsonFile(path.join(resolved, 'config.json'), 'pretrained model config') as Record<string, JsonValue>;
    parseHfConfig(hf); // a clear error for a config.json that is not BERT, DistilBERT or RoBERTa
    tokenizer = readJsonFile(path.join(resolved, 'tokenizer.json'), 'pretrained tokenizer');
    const positions = hf['max_position_embeddings'];
    if (typeof positions === 'number' && spec.transformer !== null && spec.transformer.maxLength > positions) {
      throw new Error(`config field "model.transformer.maxLength": ${spec.transformer.maxLength} is more than the pretrained model's ${positions} positions`);
    }
    pretrained = { dir: resolved, hf };
  } else {
    tokenizer = trainSentimentTokenizer(trainTexts, model.tokenizer);
  }
  const tokenizerJson = JSON.stringify(tokenizer);
  const featurizer = new SentimentFeaturizer(tokenizer, spec, dir === null ? 'trained tokenizer' : path.join(dir, 'tokenizer.json'), tfidf);
  return { tokenizerJson, tfidfJson, spec, featurizer, pretrained };
}

function transformerConfig(model: SentimentModelConfig, prepared: PreparedText): Record<string, JsonValue> {
  const branch = model.transformer;
  if (branch === null) throw new Error('unreachable: no transformer branch');
  if (prepared.pretrained !== null) return { type: TRANSFORMER_TYPE, hf: prepared.pretrained.hf, pooling: branch.pooling };
  const positions = branch.architecture['maxPositions'];
  if (typeof positions === 'number' && positions < branch.maxLength) {
    throw new Error(`config field "model.transformer.architecture.maxPositions": ${positions} positions cannot hold maxLength ${branch.maxLength}`);
  }
  return { type: TRANSFORMER_TYPE, ...branch.architecture, pooling: branch.pooling };
}

/** The text encoder config of the configured branches: the token branches' (if any), with the TF-IDF branch next to them. */
export function textEncoderConfig(model: SentimentModelConfig, prepared: PreparedText): Record<string, JsonValue> {
  const tfidf = model.tfidf === null ? null : { type: TFIDF_ENCODER_TYPE, dim: model.tfidf.dim, featureDropout: model.tfidf.featureDropout, initStd: model.tfidf.initStd };
  const deep = tokenEncoderConfig(model, prepared);
  if (tfidf === null) return deep as Record<string, JsonValue>;
  return deep === null ? tfidf : { type: TFIDF_PLUS_TYPE, tfidf, deep };
}

/** The encoder config of the token branches (n-gram bag, transformer, or both), or null for none. */
function tokenEncoderConfig(model: SentimentModelConfig, prepared: PreparedText): Record<string, JsonValue> | null {
  const ngram = model.ngram === null ? null : { type: EMBEDDING_BAG_TYPE, dim: model.ngram.dim, dropout: model.ngram.dropout };
  if (model.transformer === null) return ngram;
  const transformer = transformerConfig(model, prepared);
  if (ngram === null) return transformer;
  return { type: DUAL_TEXT_TYPE, ngram, transformer, combine: model.combine, dim: model.combineDim };
}

/** The fused-model config (encoders, fusion, the sentiment task with its loss and head). */
export function sentimentModelConfig(config: SentimentConfig, prepared: PreparedText, classes: readonly string[], seed: number, classWeights: number[] | null): JsonValue {
  const loss: Record<string, JsonValue> = { type: 'loss/cross-entropy' };
  if (classWeights !== null) loss['classWeights'] = classWeights;
  if (config.loss.labelSmoothing > 0) loss['labelSmoothing'] = config.loss.labelSmoothing;
  return {
    seed,
    encoders: { text: textEncoderConfig(config.model, prepared) },
    fusion: config.model.fusion as JsonValue,
    tasks: [{ name: SENTIMENT_TASK, kind: 'multiclass', classes: [...classes], loss, head: config.model.head as JsonValue }],
  };
}

/** Builds the model and loads the pretrained transformer's weights (when configured). */
export async function buildSentimentModel(
  config: SentimentConfig,
  prepared: PreparedText,
  classes: readonly string[],
  seed: number,
  classWeights: number[] | null,
): Promise<{ model: SentimentModel; loadReport: HfLoadReport | null }> {
  const featurizer = prepared.featurizer;
  const context: Record<string, JsonValue> = {};
  if (featurizer.transformer !== null) context['vocabSize'] = featurizer.transformer.vocabSize;
  if (featurizer.ngram !== null) context[featurizer.transformer === null ? 'vocabSize' : 'ngramVocabSize'] = featurizer.ngramVocabSize;
  if (featurizer.tfidf !== null) context[featurizer.tokens ? 'tfidfVocabSize' : 'vocabSize'] = featurizer.tfidfSize;
  const fused = buildModel(sentimentModelConfig(config, prepared, classes, seed, classWeights), { encoders: { text: context } });
  try {
    let loadReport: HfLoadReport | null = null;
    if (prepared.pretrained !== null) {
      const transformer = transformerOf(fused);
      if (transformer === null) throw new Error('unreachable: a pretrained directory without a transformer branch');
      const { tensors } = await loadModelDir(prepared.pretrained.dir);
      loadReport = loadHfWeights(transformer, tensors, path.join(prepared.pretrained.dir, 'model.safetensors'));
    }
    return { model: new SentimentModel(fused, prepared.pretrained !== null), loadReport };
  } catch (error) {
    fused.dispose();
    throw error;
  }
}

/** Balanced class weights `n / (K n_k)` over the given labels (a class without rows is an error). */
export function balancedClassWeights(labels: readonly number[], classes: readonly string[]): number[] {
  const counts = classes.map((_, k) => labels.filter((y) => y === k).length);
  const empty = counts.findIndex((c) => c === 0);
  if (empty >= 0) throw new Error(`config field "loss.classWeights": class "${classes[empty]}" has no training rows, so "balanced" weights are undefined`);
  return counts.map((c) => labels.length / (classes.length * c));
}
