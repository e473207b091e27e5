// What `evaluate` and `predict` load from --model: a single sentiment model directory or an ensemble directory
// (ensemble.json + member<i>/), behind one interface that gives class probabilities of data rows or of texts.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '@finmm/core';
import { disposeBatch } from '@finmm/data';
import { textInput } from './collator.js';
import type { SentimentData } from './data.js';
import { combineProbabilities, isSentimentEnsemble, readEnsembleInfo } from './ensemble.js';
import { SENTIMENT_TASK } from './model/build.js';
import { loadSentimentModel, readSentimentInfo, type LoadedSentimentModel, type SentimentModelInfo } from './model-dir.js';
import { predictRows, sentimentSource } from './source.js';
import type { EncodedText } from './text-features.js';

const BATCH = 128;

/** A loaded model or ensemble; call `dispose` when done. */
export interface SentimentPredictor {
  dir: string;
  /** The model's sentiment.json (an ensemble's first member's: all members share classes, data, split and text field). */
  info: SentimentModelInfo;
  /** Number of member models (1 for a single model). */
  members: number;
  /** Class probabilities `[n, K]` and true labels of rows of the data the model was trained from. */
  predictRows(data: SentimentData, rows: readonly number[], batchSize: number): Promise<{ yTrue: number[]; probs: number[][] }>;
  /** Class probabilities `[n, K]` of texts. */
  predictTexts(texts: readonly string[]): Promise<number[][]>;
  /** Frees the loaded model's tensors (an ensemble holds none between calls). */
  dispose(): void;
}

/** Class probabilities `[n, K]` of sentences encoded by the model's featurizer. */
export function predictEncoded(loaded: LoadedSentimentModel, encoded: readonly EncodedText[]): number[][] {
  const out: number[][] = [];
  for (let start = 0; start < encoded.length; start += BATCH) {
    const chunk = encoded.slice(start, start + BATCH);
    const batch: Batch = {
      size: chunk.length,
      inputs: { text: textInput(loaded.featurizer, chunk) },
      present: { text: tf.ones([chunk.length]) as tf.Tensor1D },
      labels: {},
    };
    try {
      const probs = tf.tidy(() => {
        const logits = loaded.model.forward(batch, { training: false }).outputs[SENTIMENT_TASK];
        if (logits === undefined) throw new Error(`the model has no "${SENTIMENT_TASK}" output`);
        return tf.softmax(logits).arraySync() as number[][]; // [B, K]
      });
      out.push(...probs);
    } finally {
      disposeBatch(batch);
    }
  }
  return out;
}

/** The sentiment.json that describes a model or ensemble directory, read and checked without TensorFlow. */
export function readPredictorInfo(dir: string): SentimentModelInfo {
  if (!isSentimentEnsemble(dir)) return readSentimentInfo(dir);
  return (readEnsembleInfo(dir).members[0] as { info: SentimentModelInfo }).info;
}

/**
 * Loads a single model, or an ensemble directory, as a predictor. An ensemble's members are loaded one at a time
 * for each call and freed after it: models whose variables share names (two transformers) cannot live side by side.
 */
export async function loadSentimentPredictor(dir: string): Promise<SentimentPredictor> {
  if (!isSentimentEnsemble(dir)) return memberPredictor(await loadSentimentModel(dir));
  const { info, members } = readEnsembleInfo(dir);
  const weights = info.members.map((m) => m.weight);
  const eachMember = async <T>(run: (member: SentimentPredictor) => Promise<T>): Promise<T[]> => {
    const out: T[] = [];
    for (const member of members) {
      const predictor = memberPredictor(await loadSentimentModel(member.dir));
      try {
        out.push(await run(predictor));
      } finally {
        predictor.dispose();
      }
    }
    return out;
  };
  return {
    dir,
    info: (members[0] as { info: SentimentModelInfo }).info,
    members: members.length,
    predictRows: async (data, rows, batchSize) => {
      const each = await eachMember((m) => m.predictRows(data, rows, batchSize));
      return { yTrue: (each[0] as { yTrue: number[] }).yTrue, probs: combineProbabilities(each.map((e) => e.probs), weights) };
    },
    predictTexts: async (texts) => combineProbabilities(await eachMember((m) => m.predictTexts(texts)), weights),
    dispose: () => {},
  };
}

function memberPredictor(loaded: LoadedSentimentModel): SentimentPredictor {
  return {
    dir: loaded.dir,
    info: loaded.info,
    members: 1,
    predictRows: (data, rows, batchSize) => predictRows(loaded.model, sentimentSource(data, loaded.featurizer), rows, batchSize),
    predictTexts: async (texts) => predictEncoded(loaded, texts.map((t) => loaded.featurizer.encode(t))),
    dispose: () => loaded.model.dispose(),
  };
}
