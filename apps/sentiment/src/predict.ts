// `sentiment predict` (a model or an ensemble directory): one JSON line per input record with the predicted class
// and the class probabilities; a bad record gets `{ "line": N, "error": "..." }` instead, and the other records are
// still predicted.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '@finmm/core';
import { readInputRecords, type InputRecord, type PredictCommandOptions, roundProbability, type PredictOutcome } from '@finmm/finance-tasks';

export type { PredictOutcome } from '@finmm/finance-tasks';
import type { SentimentModelInfo } from './model-dir.js';
import { loadSentimentPredictor, readPredictorInfo, type SentimentPredictor } from './predictor.js';
import { argmax } from './report.js';

/** One output line for a good record. */
export interface PredictionLine {
  line: number;
  id?: unknown;
  prediction: string;
  probabilities: Record<string, number>;
}

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

/** Predictions of texts (already checked to be non-empty strings) by a model or ensemble. */
export async function predictTexts(predictor: SentimentPredictor, texts: readonly string[]): Promise<Array<Omit<PredictionLine, 'line'>>> {
  const classes = predictor.info.classes;
  return (await predictor.predictTexts(texts)).map((p) => ({
    prediction: classes[argmax(p)] as string,
    probabilities: Object.fromEntries(classes.map((c, k) => [c, roundProbability(p[k] as number)])),
  }));
}

/** Runs `predict`: reads the input, writes the output JSON lines, prints counts. */
export async function predictSentiment(options: PredictCommandOptions, print: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<PredictOutcome> {
  const info = readPredictorInfo(options.model); // a bad model directory fails before the input is read
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
  const predictor = await loadSentimentPredictor(options.model);
  try {
    const predictions = await predictTexts(predictor, good.map((g) => g.text));
    good.forEach((g, k) => {
      lines[g.index] = JSON.stringify({ line: g.line, ...(g.id === undefined ? {} : { id: g.id }), ...predictions[k] });
    });
  } finally {
    predictor.dispose();
  }
  await mkdir(path.dirname(path.resolve(options.output)), { recursive: true });
  await writeFileAtomic(options.output, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  const errors = items.length - good.length;
  print(`sentiment: ${items.length} records from ${options.input}: ${good.length} predicted, ${errors} with errors -> ${options.output}`);
  return { records: items.length, predicted: good.length, errors };
}
