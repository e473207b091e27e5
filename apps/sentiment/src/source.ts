// Sentiment batches: the sentences and labels as an Arrow table, served by @finmm/data's BatchSource through the
// app's text collator (reproducible order per seed and epoch, next batch prepared while the current one trains).
import * as arrow from 'apache-arrow';
import type { Batch } from '@finmm/core';
import { BatchSource, type DatasetSchema } from '@finmm/data';
import { collectPredictions, type TaskPredictions } from '@finmm/trainer';
import { sentimentCollator, TEXT_COLUMN, type NgramDropout } from './collator.js';
import type { SentimentData } from './data.js';
import type { EncodingCache } from './encoding-cache.js';
import { SENTIMENT_TASK } from './model/build.js';
import type { SentimentModel } from './model/sentiment-model.js';
import type { SentimentFeaturizer } from './text-features.js';

const LABEL_COLUMN = 'label';

/** The dataset schema of the table: text, and the label as a class index of the sentiment task. */
export function sentimentSchema(name: string): DatasetSchema {
  return { name, columns: { [TEXT_COLUMN]: { role: 'text' }, [LABEL_COLUMN]: { role: 'label', task: SENTIMENT_TASK, kind: 'multiclass' } } };
}

/**
 * A BatchSource over the data's sentences with the featurizer's encoding (and n-gram word dropout for training
 * batches); with `cache`, each row is encoded once and kept for later epochs.
 */
export function sentimentSource(data: SentimentData, featurizer: SentimentFeaturizer, dropout: NgramDropout | null = null, cache: EncodingCache | null = null): BatchSource {
  const table = new arrow.Table({
    [TEXT_COLUMN]: arrow.vectorFromArray(data.texts, new arrow.Utf8()),
    [LABEL_COLUMN]: arrow.vectorFromArray(Int32Array.from(data.labels)),
  });
  return new BatchSource({ table, schema: sentimentSchema(data.name), collators: { text: sentimentCollator(featurizer, dropout, cache) }, source: data.name });
}

/** The model's class probabilities and the true labels of `rows`, in row order. */
export async function predictRows(model: SentimentModel, source: BatchSource, rows: readonly number[], batchSize: number): Promise<{ yTrue: number[]; probs: number[][] }> {
  if (rows.length === 0) return { yTrue: [], probs: [] };
  const batches: AsyncIterable<Batch> = source.batches({ batchSize, rows, shuffle: false });
  const predictions = (await collectPredictions(model, batches))[SENTIMENT_TASK] as TaskPredictions;
  if (predictions.count !== rows.length) throw new Error(`predictRows: ${predictions.count} predictions for ${rows.length} rows`);
  return { yTrue: predictions.yTrue.map((r) => r[0] as number), probs: predictions.outputs };
}
