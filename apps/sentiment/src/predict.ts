// `sentiment predict`: one JSON line per input record with the predicted class and the class probabilities; a bad
// record gets `{ "line": N, "error": "..." }` instead, and the other records are still predicted.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic, type Batch } from '@finmm/core';
import { disposeBatch } from '@finmm/data';
import { readInputRecords, type InputRecord, type PredictCommandOptions, roundProbability, type PredictOutcome } from '@finmm/finance-tasks';

export type { PredictOutcome } from '@finmm/finance-tasks';
import { textInput } from './collator.js';
import { SENTIMENT_TASK } from './model/build.js';
import { loadSentimentModel, readSentimentInfo, type LoadedSentimentModel, type SentimentModelInfo } from './model-dir.js';
import { argmax } from './report.js';
import type { EncodedText } from './text-features.js';

/** One output line for a good record. */
export interface PredictionLine {
  line: number;
  id?: unknown;
  prediction: string;
  probabilities: Record<string, number>;
}

const BATCH = 128;

/** The text of a record: its `field` (the model's text column), else `text`; errors name the field. */
export function recordText(record: InputRecord, info: Pick<SentimentModelInfo, 'text'>): string {
  const field = info.text.field in record ? info.text.field : 'text' in record ? 'text' : null;
  if (field === null) return missingText(info.text.field);
  const value = record[field];
  if (typeof value !== 'string') throw new Error(`field "${field}": expected a text, got ${JSON.stringify(value)}`);
  if (value.trim() === '') throw new Error(`field "${field}": the text is empty`);
  return value;
}

function missingText(field: string): never {
  throw new Error(field === 'text' ? 'field "text" is missing' : `field "${field}" (or "text") is missing`);
}

/** Class probabilities `[n, K]` of encoded sentences. */
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

/** Predictions of texts (already checked to be non-empty strings). */
export function predictTexts(loaded: LoadedSentimentModel, texts: readonly string[]): Array<Omit<PredictionLine, 'line'>> {
  const classes = loaded.info.classes;
  return predictEncoded(loaded, texts.map((t) => loaded.featurizer.encode(t))).map((p) => ({
    prediction: classes[argmax(p)] as string,
    probabilities: Object.fromEntries(classes.map((c, k) => [c, roundProbability(p[k] as number)])),
  }));
}

/** Runs `predict`: reads the input, writes the output JSON lines, prints counts. */
export async function predictSentiment(options: PredictCommandOptions, print: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<PredictOutcome> {
  const info = readSentimentInfo(options.model); // a bad model directory fails before the input is read
  const items = await readInputRecords(options.input);
  const lines: string[] = new Array<string>(items.length);
  const good: Array<{ index: number; line: number; text: string; id?: unknown }> = [];
  items.forEach((item, index) => {
    if ('error' in item) {
      lines[index] = JSON.stringify({ line: item.line, error: item.error });
      return;
    }
    try {
      const text = recordText(item.record, info);
      const idField = info.text.idField;
      good.push({ index, line: item.line, text, ...(idField !== null && idField in item.record ? { id: item.record[idField] } : {}) });
    } catch (error) {
      lines[index] = JSON.stringify({ line: item.line, error: error instanceof Error ? error.message : String(error) });
    }
  });
  const loaded = await loadSentimentModel(options.model);
  try {
    const predictions = predictTexts(loaded, good.map((g) => g.text));
    good.forEach((g, k) => {
      lines[g.index] = JSON.stringify({ line: g.line, ...(g.id === undefined ? {} : { id: g.id }), ...predictions[k] });
    });
  } finally {
    loaded.model.dispose();
  }
  await mkdir(path.dirname(path.resolve(options.output)), { recursive: true });
  await writeFileAtomic(options.output, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  const errors = items.length - good.length;
  print(`sentiment: ${items.length} records from ${options.input}: ${good.length} predicted, ${errors} with errors -> ${options.output}`);
  return { records: items.length, predicted: good.length, errors };
}
