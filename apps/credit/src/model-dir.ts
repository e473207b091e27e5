// A credit model directory: the fused model (config.json, model.safetensors), the fitted preprocessing
// (preprocessing.json) and credit.json: features, classes, class weight, thresholds, explanation baseline, and
// the data and rows the model was trained on (for `evaluate`).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { initBackend, MODEL_CONFIG_FILE, type JsonValue } from '@finmm/core';
import { Preprocessing } from '@finmm/data';
import { loadModel, saveModel, type FusedModel } from '@finmm/fusion';
import './register.js';
import { z } from 'zod';
import { creditConfigSchema } from './config.js';

/** File of the credit-specific facts in a model directory. */
export const CREDIT_INFO_FILE = 'credit.json';

const rows = z.array(z.number().int().min(0));
const threshold = z.object({ value: z.number(), source: z.string() });

/** Schema of credit.json. */
export const creditInfoSchema = z.object({
  kind: z.literal('finmm/credit-model'),
  version: z.literal(1),
  classes: z.tuple([z.string(), z.string()]),
  features: z.object({
    numeric: z.array(z.string()),
    categorical: z.array(z.string()),
    order: z.array(z.string()),
    codes: z.record(z.string(), z.record(z.string(), z.string())),
    closedCategories: z.boolean(),
    id: z.string().nullable(),
  }),
  /** BCE weight of the positive class; probabilities are corrected by -ln(posWeight) on the logit. */
  posWeight: z.number().positive(),
  thresholds: z.object({ cost: threshold, bayes: threshold }),
  costMatrix: z.object({ classes: z.array(z.string()), cost: z.array(z.array(z.number())) }),
  explain: z.object({
    /** Mean tabular embedding over the model's training rows: the integrated-gradients baseline. */
    baseline: z.object({ shape: z.array(z.number().int()), values: z.array(z.number()) }),
    steps: z.number().int().positive(),
    top: z.number().int().positive(),
  }),
  data: z.object({
    config: creditConfigSchema.shape.data,
    files: z.array(z.object({ path: z.string(), name: z.string(), bytes: z.number(), sha256: z.string() })),
    rows: z.number().int(),
  }),
  split: z.object({
    fold: z.number().int().nullable(),
    seed: z.number().int(),
    /** Rows the final weights were trained on. */
    train: rows,
    /** Rows that chose the epochs and the cost threshold (also in `train` when the model was refitted). */
    valid: rows,
    /** The held-out fold (empty without cross-validation). */
    test: rows,
    refit: z.boolean(),
  }),
  training: z.object({ epochs: z.number().int(), stopReason: z.string(), seconds: z.number() }),
});

/** The contents of credit.json. */
export type CreditModelInfo = z.output<typeof creditInfoSchema>;

/** A loaded credit model directory; dispose the model when done. */
export interface CreditModel {
  dir: string;
  model: FusedModel;
  preprocessing: Preprocessing;
  info: CreditModelInfo;
}

/** Saves model, preprocessing and credit.json as one model directory (atomically). */
export async function saveCreditModel(dir: string, model: FusedModel, preprocessing: Preprocessing, info: CreditModelInfo): Promise<void> {
  await saveModel(model, dir, {
    preprocessing: preprocessing.toJSON() as unknown as JsonValue,
    files: { [CREDIT_INFO_FILE]: `${JSON.stringify(info, null, 1)}\n` },
  });
}

/** Reads and validates a model directory's credit.json without loading the model (no TensorFlow needed). */
export function readCreditInfo(dir: string): CreditModelInfo {
  if (!existsSync(path.join(dir, MODEL_CONFIG_FILE))) {
    throw new Error(existsSync(dir) ? `${dir} is not a model directory (no ${MODEL_CONFIG_FILE})` : `model directory ${dir} does not exist`);
  }
  const file = path.join(dir, CREDIT_INFO_FILE);
  if (!existsSync(file)) throw new Error(`${dir} is a model directory but not a credit model (no ${CREDIT_INFO_FILE})`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = creditInfoSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: field "${(issue?.path ?? []).join('.')}": ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Loads a credit model directory (initialising the TensorFlow.js backend); errors name the directory and the bad file or field. */
export async function loadCreditModel(dir: string): Promise<CreditModel> {
  const info = readCreditInfo(dir);
  await initBackend();
  const loaded = await loadModel(dir);
  try {
    if (loaded.preprocessing === null) throw new Error(`${dir} has no preprocessing.json`);
    const preprocessing = Preprocessing.fromJSON(loaded.preprocessing, `${dir}/preprocessing.json`);
    return { dir, model: loaded.model, preprocessing, info };
  } catch (error) {
    loaded.model.dispose();
    throw error;
  }
}
