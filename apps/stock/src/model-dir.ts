// A stock model directory: the fused model (config.json, model.safetensors), the scalers fitted on the training
// rows (preprocessing.json) and stock.json: the inputs (how tweets become ids, windows, chart size), the data and
// splits the model was trained on, its seed, training and metrics.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { initBackend, MODEL_CONFIG_FILE, type JsonValue } from '@finmm/core';
import { loadModel, saveModel, type FusedModel } from '@finmm/fusion';
import { readInfoFile } from '@finmm/finance-tasks';
import { z } from 'zod';
import { stockConfigSchema } from './config.js';
import type { StockPreprocessing } from './inputs.js';
import './register.js';

/** File of the stock-specific facts in a model directory. */
export const STOCK_INFO_FILE = 'stock.json';

const fingerprint = z.object({ path: z.string(), name: z.string(), bytes: z.number(), sha256: z.string() });
const scaler = z.object({ kind: z.literal('standard'), names: z.array(z.string()), mean: z.array(z.number()), std: z.array(z.number()) }).nullable();

/** Schema of stock.json. */
export const stockInfoSchema = z.object({
  kind: z.literal('finmm/stock-model'),
  version: z.literal(1),
  classes: z.tuple([z.string(), z.string()]),
  inputs: stockConfigSchema.shape.inputs,
  data: z.object({
    config: stockConfigSchema.shape.data,
    name: z.string(),
    files: z.array(fingerprint),
    samples: z.number().int(),
    splits: z.array(z.object({ name: z.enum(['train', 'validation', 'test']), from: z.string(), to: z.string() })),
    official: z.boolean(),
  }),
  seed: z.number().int(),
  /** The training split's majority class (1 up, 0 down): the majority baseline. */
  majorityClass: z.number().int().min(0).max(1),
  bootstrap: stockConfigSchema.shape.bootstrap,
  training: z.object({ epochs: z.number().int(), keptEpoch: z.number().int(), stopReason: z.string(), seconds: z.number(), trainSamples: z.number().int() }),
  metrics: z.record(z.string(), z.record(z.string(), z.number())),
});

/** The contents of stock.json. */
export type StockModelInfo = z.output<typeof stockInfoSchema>;

/** A loaded stock model directory; dispose the model when done. */
export interface StockModel {
  dir: string;
  model: FusedModel;
  preprocessing: StockPreprocessing;
  info: StockModelInfo;
}

/** Saves model, scalers and stock.json as one model directory (atomically). */
export async function saveStockModel(dir: string, model: FusedModel, preprocessing: StockPreprocessing, info: StockModelInfo): Promise<void> {
  await saveModel(model, dir, {
    preprocessing: preprocessing as unknown as JsonValue,
    files: { [STOCK_INFO_FILE]: `${JSON.stringify(info, null, 1)}\n` },
  });
}

/** Reads and validates a model directory's stock.json without loading the model (no TensorFlow needed). */
export function readStockInfo(dir: string): StockModelInfo {
  if (!existsSync(path.join(dir, MODEL_CONFIG_FILE))) {
    throw new Error(existsSync(dir) ? `${dir} is not a model directory (no ${MODEL_CONFIG_FILE})` : `model directory ${dir} does not exist`);
  }
  const file = path.join(dir, STOCK_INFO_FILE);
  if (!existsSync(file)) throw new Error(`${dir} is a model directory but not a stock model (no ${STOCK_INFO_FILE})`);
  return readInfoFile(file, stockInfoSchema);
}

/** Loads a stock model directory (initialising the TensorFlow.js backend); errors name the directory and the bad file or field. */
export async function loadStockModel(dir: string): Promise<StockModel> {
  const info = readStockInfo(dir);
  await initBackend();
  const loaded = await loadModel(dir);
  try {
    const prep = z.object({ prices: scaler, market: scaler }).safeParse(loaded.preprocessing);
    if (!prep.success) throw new Error(`${dir}/preprocessing.json: field "${(prep.error.issues[0]?.path ?? []).join('.')}": ${prep.error.issues[0]?.message ?? 'invalid'}`);
    return { dir, model: loaded.model, preprocessing: prep.data, info };
  } catch (error) {
    loaded.model.dispose();
    throw error;
  }
}
