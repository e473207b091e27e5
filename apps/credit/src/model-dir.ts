// A credit model directory: the fused model (config.json, model.safetensors), the fitted preprocessing
// (preprocessing.json) and credit.json: features, classes, class weight, thresholds, explanation baseline, and
// the data and rows the model was trained on (for `evaluate`). An ensemble keeps each member as such a fused-model
// directory in member<m>/ and lists them in credit.json's `members` (written last, so it marks a complete save).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { initBackend, MODEL_CONFIG_FILE, writeFileAtomic, type JsonValue } from '@finmm/core';
import { Preprocessing } from '@finmm/data';
import { loadModel, saveModel, type FusedModel } from '@finmm/fusion';
import { readInfoFile } from '@finmm/finance-tasks';
import './register.js';
import { z } from 'zod';
import { creditConfigSchema } from './config.js';

/** File of the credit-specific facts in a model directory. */
export const CREDIT_INFO_FILE = 'credit.json';

const rows = z.array(z.number().int().min(0));
const threshold = z.object({ value: z.number(), source: z.string() });
const baseline = z.object({ shape: z.array(z.number().int()), values: z.array(z.number()) });

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
    /** Mean tabular embedding over the model's training rows: the integrated-gradients baseline (member 0's in an ensemble). */
    baseline,
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
  /**
   * An ensemble's members (absent for a single model, which lies in the directory itself): each a fused-model
   * directory relative to this one, its kind, seed, epochs and explanation baseline. P(positive) is the sigmoid of
   * the members' mean logit (corrected by -ln(posWeight)); reason codes average the members' contributions.
   */
  members: z
    .array(z.object({ dir: z.string().regex(/^member\d+$/), kind: z.string(), seed: z.number().int(), epochs: z.number().int(), baseline }))
    .min(2)
    .optional(),
});

/** The contents of credit.json. */
export type CreditModelInfo = z.output<typeof creditInfoSchema>;

/** One member of a loaded credit model: its network and explanation baseline. */
export interface CreditMember {
  model: FusedModel;
  baseline: { shape: number[]; values: number[] };
}

/** A loaded credit model directory (one member, or an ensemble's); free it with `disposeCreditModel`. */
export interface CreditModel {
  dir: string;
  members: CreditMember[];
  preprocessing: Preprocessing;
  info: CreditModelInfo;
}

/** The networks of a loaded credit model. */
export function creditModels(loaded: CreditModel): FusedModel[] {
  return loaded.members.map((m) => m.model);
}

/** Frees every member of a loaded credit model. */
export function disposeCreditModel(loaded: CreditModel): void {
  for (const member of loaded.members) member.model.dispose();
}

/**
 * Saves a credit model directory: one model with its preprocessing and credit.json (atomically), or, for several
 * models, each in member<m>/ and then credit.json (with `members` filled in from `members`) written last.
 */
export async function saveCreditModel(
  dir: string,
  models: FusedModel | ReadonlyArray<{ model: FusedModel; kind: string; seed: number; epochs: number; baseline: { shape: number[]; values: number[] } }>,
  preprocessing: Preprocessing,
  info: CreditModelInfo,
): Promise<void> {
  const artifacts = { preprocessing: preprocessing.toJSON() as unknown as JsonValue };
  if (!Array.isArray(models) || models.length === 1) {
    const model = Array.isArray(models) ? (models[0] as { model: FusedModel }).model : (models as FusedModel);
    const { members: _members, ...single } = info;
    await saveModel(model, dir, { ...artifacts, files: { [CREDIT_INFO_FILE]: `${JSON.stringify(single, null, 1)}\n` } });
    return;
  }
  const members: NonNullable<CreditModelInfo['members']> = [];
  for (const [m, member] of models.entries()) {
    const name = `member${m}`;
    await saveModel(member.model, path.join(dir, name), artifacts);
    members.push({ dir: name, kind: member.kind, seed: member.seed, epochs: member.epochs, baseline: member.baseline });
  }
  await writeFileAtomic(path.join(dir, CREDIT_INFO_FILE), `${JSON.stringify({ ...info, members }, null, 1)}\n`);
}

/** Reads and validates a model directory's credit.json without loading the model (no TensorFlow needed). */
export function readCreditInfo(dir: string): CreditModelInfo {
  const file = path.join(dir, CREDIT_INFO_FILE);
  if (!existsSync(path.join(dir, MODEL_CONFIG_FILE)) && !existsSync(file)) {
    throw new Error(existsSync(dir) ? `${dir} is not a model directory (no ${MODEL_CONFIG_FILE})` : `model directory ${dir} does not exist`);
  }
  if (!existsSync(file)) throw new Error(`${dir} is a model directory but not a credit model (no ${CREDIT_INFO_FILE})`);
  const info = readInfoFile(file, creditInfoSchema);
  if (info.members === undefined && !existsSync(path.join(dir, MODEL_CONFIG_FILE))) {
    throw new Error(`${file} lists no ensemble members and ${dir} has no ${MODEL_CONFIG_FILE}`);
  }
  return info;
}

/** Loads a credit model directory (initialising the TensorFlow.js backend); errors name the directory and the bad file or field. */
export async function loadCreditModel(dir: string): Promise<CreditModel> {
  const info = readCreditInfo(dir);
  await initBackend();
  const parts = info.members?.map((m) => ({ dir: path.join(dir, m.dir), baseline: m.baseline })) ?? [{ dir, baseline: info.explain.baseline }];
  const members: CreditMember[] = [];
  let preprocessing: Preprocessing | null = null;
  try {
    for (const part of parts) {
      const loaded = await loadModel(part.dir);
      members.push({ model: loaded.model, baseline: part.baseline });
      if (loaded.preprocessing === null) throw new Error(`${part.dir} has no preprocessing.json`);
      preprocessing ??= Preprocessing.fromJSON(loaded.preprocessing, `${part.dir}/preprocessing.json`);
    }
    return { dir, members, preprocessing: preprocessing as Preprocessing, info };
  } catch (error) {
    for (const member of members) member.model.dispose();
    throw error;
  }
}
