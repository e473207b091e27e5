// The credit app's config file: data source, cross-validation, seeds, class weighting, model and trainer.
// Read with `loadCreditConfig(file, sets)`; every error names the file and the field.
import { appTrainerSection, configIssueMessage, readConfigFile, applyOverrides, type ConfigObject } from '@finmm/finance-tasks';
import { z } from 'zod';

const columnRole = z.enum(['numeric', 'categorical', 'ignore']);

const germanData = z.strictObject({
  source: z.literal('german'),
  /** Folder holding german-credit/ (default FINMM_DATA_DIR or ../shared/data). */
  dataDir: z.string().optional(),
  /** Use only the first N rows (tests and demos). */
  limit: z.number().int().min(20).optional(),
});

const fileData = z.strictObject({
  source: z.literal('file'),
  /** A .csv, .tsv, .jsonl/.ndjson or .arrow/.ipc/.feather table (a relative path is taken from the working directory). */
  path: z.string().min(1),
  /** The binary label column. */
  label: z.string().min(1),
  /** The label value of the positive (risky) class; the other value is the negative class. */
  positive: z.union([z.string(), z.number(), z.boolean()]),
  /** Role per column, overriding the one inferred from its type (numbers numeric, strings and booleans categorical). */
  columns: z.record(z.string(), columnRole).default({}),
  /** A row id column, echoed by predict and never a feature. */
  id: z.string().optional(),
  /** Folds of the cross-validation (stratified, seeded by foldSeed), or a column holding each row's fold 0..k-1. */
  folds: z.union([z.number().int().min(2), z.strictObject({ column: z.string() })]).default(5),
  /** Seed of the fold assignment (fixed across training seeds, so every seed sees the same folds). */
  foldSeed: z.number().int().default(0),
  /** Skip malformed records (counted in the run's data.json) instead of failing on the first. */
  lenient: z.boolean().default(false),
  limit: z.number().int().min(20).optional(),
});

const component = z.looseObject({ type: z.string() });

const modelSection = z.strictObject({
  encoder: component.default({ type: 'tabular/mlp' }),
  fusion: component.default({ type: 'fusion/gated' }),
  head: component.default({ type: 'head/linear' }),
});

/** One kind of ensemble member: a model (default the config's `model`), trainer fields merged over `trainer`, a batch size. */
const memberKind = z.strictObject({
  /** A short name for logs and the model directory. */
  name: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
  model: modelSection.optional(),
  /** Trainer fields replacing the config's own (shallow merge; a null field is left out). */
  trainer: z.record(z.string(), z.unknown()).optional(),
  batchSize: z.number().int().positive().optional(),
});

/** Schema of the credit config. */
export const creditConfigSchema = z.strictObject({
  /** Run name (the run directory is runs/credit/<timestamp>-<name>). */
  name: z.string().min(1).default('credit'),
  data: z.discriminatedUnion('source', [germanData, fileData]),
  /** true: k-fold cross-validation (German Credit: folds_5.json); false: one model per seed on all rows. */
  cv: z.boolean().default(true),
  /** Every seed trains every fold; a seed fixes the inner split, the initial weights and the batch order. */
  seeds: z.array(z.number().int()).min(1).default([0]),
  /** Fraction of each fit's training rows held out (stratified) for early stopping and the cost threshold. */
  validation: z.number().gt(0).lt(1).default(0.2),
  /** After early stopping, retrain on all the fit's training rows for the best number of epochs. */
  refit: z.boolean().default(true),
  /** BCE weight of the positive class: none (1), balanced (negatives / positives), cost (c(pos->neg) / c(neg->pos)). */
  weighting: z.enum(['none', 'balanced', 'cost']).default('cost'),
  /** Misclassification costs [actual][predicted] over [negative, positive]; German Credit uses german.doc's. */
  costMatrix: z.array(z.array(z.number().min(0)).length(2)).length(2).optional(),
  preprocessing: z.strictObject({
    numeric: z.enum(['standard', 'quantile']).default('standard'),
    /** Categories seen fewer times in a fit's training rows share the unknown slot. */
    minCount: z.number().int().min(1).default(1),
  }).prefault({}),
  batchSize: z.number().int().positive().default(64),
  model: modelSection.prefault({}),
  /**
   * An ensemble inside every fit (default: one model). Each member kind (default: one, the config's own model)
   * trains `size` members with seeds fitSeed + 1000 * memberIndex (member 0 keeps the fit's seed), each with its own
   * early stopping on the same validation rows; P(positive) is the sigmoid of the members' mean logit, which chooses
   * the threshold too. `bootstrap` trains each member on a bootstrap resample of the training rows (bagging).
   */
  ensemble: z.strictObject({
    size: z.number().int().min(1).default(1),
    bootstrap: z.boolean().default(false),
    members: z.array(memberKind).default([]),
  }).prefault({}),
  /** The trainer's config (epochs, optimizer, schedule, earlyStopping...; a null field is left out); seed, runDir and progress are set per fit. */
  trainer: z.record(z.string(), z.unknown()).default({}),
  explain: z.strictObject({
    /** Integrated-gradient steps. */
    steps: z.number().int().positive().default(32),
    /** Reason codes per applicant. */
    top: z.number().int().positive().default(4),
  }).prefault({}),
  progress: z.enum(['auto', 'bar', 'lines', 'none']).default('auto'),
});

/** A validated credit config. */
export type CreditConfig = z.output<typeof creditConfigSchema>;
/** The data block of a credit config. */
export type CreditDataConfig = CreditConfig['data'];

/** Validates a credit config object; `source` names it in errors. */
export function parseCreditConfig(raw: unknown, source: string): CreditConfig {
  const parsed = creditConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(configIssueMessage(parsed.error, source));
  }
  const config = parsed.data;
  config.trainer = appTrainerSection(config.trainer, source);
  config.ensemble.members.forEach((member, i) => {
    if (member.trainer !== undefined) member.trainer = appTrainerSection({ ...config.trainer, ...member.trainer }, `${source}: ensemble.members[${i}]`);
  });
  if (config.data.source === 'file' && config.costMatrix === undefined) {
    throw new Error(`${source}: config field "costMatrix": give the misclassification costs [[0, c(neg->pos)], [c(pos->neg), 0]] for your data`);
  }
  return config;
}

/** A config file read, overridden with `--set key=value` texts, and validated; `resolved` is what a run records. */
export function loadCreditConfig(file: string, sets: readonly string[] = []): { config: CreditConfig; resolved: ConfigObject } {
  const { config } = readConfigFile(file);
  const resolved = applyOverrides(config, sets);
  return { config: parseCreditConfig(resolved, sets.length === 0 ? file : `${file} (with --set ${sets.join(' ')})`), resolved };
}
