// Trains one sentiment model (one seed): tokenizer and class weights from the training rows only, early stopping
// on the validation rows' macro-F1 (or whatever the trainer config names) with the best epoch's weights restored.
// The test rows are never touched here.
import type { BatchOptions, LengthGrouping } from '@finmm/data';
import type { RunDir, RunProgress } from '@finmm/finance-tasks';
import { Trainer, type FitResult, type TrainerConfigInput } from '@finmm/trainer';
import type { SentimentConfig } from './config.js';
import type { SentimentData } from './data.js';
import { EncodingCache } from './encoding-cache.js';
import { balancedClassWeights, buildSentimentModel, prepareText, SENTIMENT_TASK, type PreparedText } from './model/build.js';
import type { SentimentModel } from './model/sentiment-model.js';
import { sentimentSource } from './source.js';
import type { EncodedText } from './text-features.js';

/** A trained model and how its training went. */
export interface TrainedFit {
  model: SentimentModel;
  prepared: PreparedText;
  classWeights: number[] | null;
  result: FitResult;
  /** Epochs run. */
  epochs: number;
  /** Epoch of the restored best evaluation (1-based), or null without early stopping. */
  bestEpoch: number | null;
  stopReason: string;
  seconds: number;
  /** The validation metrics of the kept weights. */
  validation: { accuracy: number; macroF1: number };
  /** Checkpoint tensors the pretrained transformer's loading ignored (e.g. the MLM head). */
  ignoredPretrained: string[];
}

/** The class weights of the config on the training rows (null for none). */
export function classWeightsFor(config: SentimentConfig, data: SentimentData): number[] | null {
  const weights = config.loss.classWeights;
  if (weights === 'none') return null;
  if (weights === 'balanced') return balancedClassWeights(data.split.train.map((r) => data.labels[r] as number), data.classes);
  if (weights.length !== data.classes.length) throw new Error(`config field "loss.classWeights": ${weights.length} weights for ${data.classes.length} classes (${data.classes.join(', ')})`);
  return [...weights];
}

/** The trainer config of a fit: the config's trainer block with the seed, run directory and quiet progress set. */
export function fitTrainerConfig(config: SentimentConfig, seed: number, runDir: string): TrainerConfigInput {
  return { ...config.trainer, seed, progress: 'none', runDir, checkpointEvery: config.trainer['checkpointEvery'] ?? 'never' } as TrainerConfigInput;
}

/** The evaluation of the best step (its epoch counts completed epochs), or null without early stopping. */
function bestEvaluation(result: FitResult): FitResult['evaluations'][number] | null {
  return result.best === null ? null : (result.evaluations.find((e) => e.step === result.best?.step) ?? null);
}

/**
 * The lengths `groupByLength` sorts by, or null when the config does not group. A row's length is its primary
 * ids' count (the transformer's tokens when the model has one, since its attention dominates a step; else the
 * n-gram ids), or for the TF-IDF branch alone its non-zero features; 0 outside the training rows. `encode` gives a
 * row's encoding (a fit passes its cache, so the rows are encoded once).
 */
export function lengthGrouping(config: SentimentConfig, data: SentimentData, encode: (row: number, text: string) => EncodedText): LengthGrouping | null {
  if (config.groupByLength === null) return null;
  const lengths = new Array<number>(data.texts.length).fill(0);
  for (const row of data.split.train) {
    const encoded = encode(row, data.texts[row] as string);
    lengths[row] = encoded.ids.length > 0 ? encoded.ids.length : (encoded.tfidf?.indices.length ?? 0);
  }
  return { lengths, megabatches: config.groupByLength };
}

/** The batches of one training epoch: the training rows shuffled by (seed, epoch), then grouped by length when `grouping` is given. */
export function trainBatchOptions(config: SentimentConfig, data: SentimentData, epoch: { seed: number; epoch: number }, grouping: LengthGrouping | null): BatchOptions {
  const options: BatchOptions = { batchSize: config.batchSize, rows: data.split.train, seed: epoch.seed, epoch: epoch.epoch };
  return grouping === null ? options : { ...options, groupByLength: grouping };
}

/** Trains the model of one seed; the trainer's logs go under `dir/train`. */
export async function trainFit(config: SentimentConfig, data: SentimentData, seed: number, dir: RunDir, progress: RunProgress): Promise<TrainedFit> {
  const started = Date.now();
  const prepared = prepareText(config.model, data.split.train.map((r) => data.texts[r] as string));
  const classWeights = classWeightsFor(config, data);
  const { model, loadReport } = await buildSentimentModel(config, prepared, data.classes, seed, classWeights);
  const encodings = new EncodingCache(); // every epoch and evaluation reuses the rows' encodings
  const source = sentimentSource(data, prepared.featurizer, null, encodings);
  const wordDropout = config.model.ngram?.wordDropout ?? 0;
  const trainSource = wordDropout === 0 ? source : sentimentSource(data, prepared.featurizer, { rate: wordDropout, seed }, encodings);
  const grouping = lengthGrouping(config, data, (row, text) => encodings.get(row, text, (t) => prepared.featurizer.encode(t)));
  const trainer = new Trainer(model, fitTrainerConfig(config, seed, dir.file('train')), {
    onEval: (info) => {
      const m = info.metrics;
      progress.note(`  seed ${seed} epoch ${info.epoch}: validation accuracy ${(m[`${SENTIMENT_TASK}.accuracy`] ?? NaN).toFixed(4)}, macro-F1 ${(m[`${SENTIMENT_TASK}.f1_macro`] ?? NaN).toFixed(4)}${info.improved ? ' (best so far)' : ''}`);
    },
  });
  try {
    const result = await trainer.fit({
      train: (ctx) => trainSource.batches(trainBatchOptions(config, data, ctx, grouping)),
      validation: { batches: () => source.batches({ batchSize: config.evalBatchSize, rows: data.split.validation, shuffle: false }) },
      batchesPerEpoch: trainSource.numBatches({ batchSize: config.batchSize, rows: data.split.train }),
    });
    const best = bestEvaluation(result);
    const kept = result.restoredBest ? best : (result.evaluations[result.evaluations.length - 1] ?? null);
    const metric = (name: string): number => kept?.metrics[`${SENTIMENT_TASK}.${name}`] ?? NaN;
    return {
      model,
      prepared,
      classWeights,
      result,
      epochs: result.epochs,
      bestEpoch: best === null ? null : best.epoch,
      stopReason: result.stopMessage ?? result.stopReason,
      seconds: (Date.now() - started) / 1000,
      validation: { accuracy: metric('accuracy'), macroF1: metric('f1_macro') },
      ignoredPretrained: loadReport?.ignored ?? [],
    };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    trainer.dispose();
  }
}
