// `credit predict`: one JSON line per input record with the class probabilities, the decision at the model's
// cost threshold and the adverse-action reasons; a bad record gets `{ "line": N, "error": "..." }` instead.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Batch } from '@finmm/core';
import { disposeBatch, tabularCollator, type CellValue } from '@finmm/data';
import { readInputRecords, type PredictCommandOptions, roundProbability, type PredictOutcome } from '@finmm/finance-tasks';

export type { PredictOutcome } from '@finmm/finance-tasks';
import { writeFileAtomic } from '@finmm/core';
import { recordValues, type RecordValues } from './features.js';
import { creditModels, disposeCreditModel, loadCreditModel, readCreditInfo, type CreditModel } from './model-dir.js';
import { attributeContributions, topReasons, type Reason } from './reasons.js';
import { positiveProbability } from './scoring.js';

/** One output line for a good record. */
export interface PredictionLine {
  line: number;
  id?: CellValue;
  prediction: string;
  probabilities: Record<string, number>;
  threshold: number;
  reasons: Reason[];
  warnings?: string[];
}

const BATCH = 256;

async function collate(loaded: CreditModel, records: readonly RecordValues[]): Promise<Batch> {
  const { numeric, categorical } = loaded.info.features;
  const collator = tabularCollator({ numeric, categorical, preprocessing: loaded.preprocessing, missing: 'error' });
  const values: Record<string, CellValue[]> = {};
  for (const c of [...numeric, ...categorical]) values[c] = records.map((r) => r.values[c] ?? null);
  const { input, present } = await collator.collate({ values, rows: records.map((_, i) => i) });
  return { size: records.length, inputs: { tabular: input }, present: { tabular: present }, labels: {} };
}

/** Predictions (with reasons) for records already read into feature values. */
export async function predictValues(loaded: CreditModel, records: readonly RecordValues[]): Promise<Array<Omit<PredictionLine, 'line'>>> {
  const { info } = loaded;
  const [negative, positive] = info.classes;
  const out: Array<Omit<PredictionLine, 'line'>> = [];
  for (let start = 0; start < records.length; start += BATCH) {
    const chunk = records.slice(start, start + BATCH);
    const batch = await collate(loaded, chunk);
    try {
      const p = positiveProbability(creditModels(loaded), batch, info.posWeight);
      const { attributes, contributions } = attributeContributions(loaded.members, batch, info);
      const reasons = topReasons(attributes, contributions, chunk.map((r) => r.values), info.explain.top);
      chunk.forEach((r, i) => {
        const pPos = p[i] as number;
        out.push({
          ...(info.features.id === null ? {} : { id: r.id }),
          prediction: pPos >= info.thresholds.cost.value ? positive : negative,
          probabilities: { [negative]: roundProbability(1 - pPos), [positive]: roundProbability(pPos) },
          threshold: roundProbability(info.thresholds.cost.value),
          reasons: reasons[i] ?? [],
          ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}),
        });
      });
    } finally {
      disposeBatch(batch);
    }
  }
  return out;
}

/** Runs `predict`: reads the input, writes the output JSON lines, prints counts. */
export async function predictCredit(options: PredictCommandOptions, print: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<PredictOutcome> {
  readCreditInfo(options.model); // a bad model directory fails before the input is read
  const items = await readInputRecords(options.input);
  const loaded = await loadCreditModel(options.model);
  try {
    const lines: string[] = new Array<string>(items.length);
    const good: Array<{ index: number; line: number; values: RecordValues }> = [];
    items.forEach((item, index) => {
      if ('error' in item) {
        lines[index] = JSON.stringify({ line: item.line, error: item.error });
        return;
      }
      try {
        good.push({ index, line: item.line, values: recordValues(item.record, loaded.info.features, loaded.preprocessing) });
      } catch (error) {
        lines[index] = JSON.stringify({ line: item.line, error: error instanceof Error ? error.message : String(error) });
      }
    });
    const predictions = await predictValues(loaded, good.map((g) => g.values));
    good.forEach((g, k) => {
      lines[g.index] = JSON.stringify({ line: g.line, ...predictions[k] });
    });
    await mkdir(path.dirname(path.resolve(options.output)), { recursive: true });
    await writeFileAtomic(options.output, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
    const errors = items.length - good.length;
    print(`credit: ${items.length} records from ${options.input}: ${good.length} predicted, ${errors} with errors -> ${options.output}`);
    return { records: items.length, predicted: good.length, errors };
  } finally {
    disposeCreditModel(loaded);
  }
}
