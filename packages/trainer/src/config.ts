// The trainer's JSON config: a zod schema that validates it and fills in the defaults.
import { z } from 'zod';

const positive = z.number().positive();

const adamw = z.object({
  type: z.literal('adamw'),
  lr: positive.default(1e-3),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  epsilon: positive.default(1e-8),
  /** Decoupled decay, applied only to weights of rank >= 2 not named like a bias or norm. */
  weightDecay: z.number().min(0).default(0.01),
});

/** Adam with the weight decay as an L2 penalty added to the gradient (PyTorch's Adam), same exclusions as AdamW. */
const adam = adamw.extend({
  type: z.literal('adam'),
  /** L2 coefficient `wd` (the loss gains `wd/2 |p|^2`); 0 by default, as PyTorch's Adam. */
  weightDecay: z.number().min(0).default(0),
});

const sgd = z.object({
  type: z.literal('sgd'),
  lr: positive.default(1e-2),
  momentum: z.number().min(0).lt(1).default(0.9),
  dampening: z.number().min(0).max(1).default(0),
  nesterov: z.boolean().default(false),
  /** L2 added to the gradient (PyTorch's SGD), same exclusions as AdamW. */
  weightDecay: z.number().min(0).default(0),
});

const warmup = { warmupSteps: z.number().int().min(0).optional(), warmupRatio: z.number().min(0).max(1).optional() };
const schedule = z.discriminatedUnion('type', [
  z.object({ type: z.literal('constant'), warmupSteps: z.number().int().min(0).optional() }),
  z.object({ type: z.literal('linear'), ...warmup, minFactor: z.number().min(0).max(1).optional() }),
  z.object({ type: z.literal('cosine'), ...warmup, minFactor: z.number().min(0).max(1).optional() }),
  z.object({ type: z.literal('slanted-triangular'), cutFrac: z.number().gt(0).lt(1).optional(), ratio: z.number().min(1).optional() }),
]);

const scope = z.enum(['pretrained', 'all']).optional();
const freeze = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('none') }),
  z.object({ mode: z.literal('pretrained') }),
  z.object({ mode: z.literal('top-k'), k: z.number().int().min(0), scope }),
  z.object({ mode: z.literal('embeddings'), scope }),
]);

const adversarial = z.object({
  method: z.enum(['fgm', 'pgd']),
  target: z.enum(['latent', 'embeddings']).default('latent'),
  eps: positive,
  beta: z.number().min(0).default(1),
  steps: z.number().int().positive().optional(),
  stepSize: positive.optional(),
  modalities: z.array(z.enum(['text', 'timeseries', 'image', 'tabular'])).optional(),
});

/** Validates a trainer config and fills defaults; every field is optional in the input. */
export const trainerConfigSchema = z
  .object({
    /** Passes over the training data. */
    epochs: z.number().int().positive().default(1),
    /** Stop after this many optimizer steps (also the schedule's length when given). */
    maxSteps: z.number().int().positive().optional(),
    /** Seed of the trainer's Rng (epoch data-order seeds). */
    seed: z.number().int().default(0),
    optimizer: z.discriminatedUnion('type', [adamw, adam, sgd]).prefault({ type: 'adamw' }),
    schedule: schedule.prefault({ type: 'constant' }),
    /** Layer-wise learning-rate decay per depth below the top of each encoder (1 = off). */
    layerDecay: z.number().gt(0).max(1).default(1),
    /** Learning-rate multipliers by parameter-group name (`name` or `prefix*`). */
    groupLr: z.record(z.string(), positive).optional(),
    /** Clip gradients to this global L2 norm. */
    clipNorm: positive.optional(),
    /** Micro-batches per optimizer step. */
    accumulate: z.number().int().positive().default(1),
    freeze: freeze.prefault({ mode: 'none' }),
    gradualUnfreezing: z
      .object({ everyEpochs: z.number().int().positive().optional(), layersPerStep: z.number().int().positive().optional(), scope })
      .optional(),
    /**
     * How task losses combine: the TaskSpecs' fixed weights, or learned uncertainty weighting. When left out, the
     * Trainer follows the model's `lossWeighting()` (e.g. a fusion model config's `lossWeighting: 'uncertainty'`).
     */
    combiner: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('fixed') }),
        z.object({ type: z.literal('uncertainty'), convention: z.enum(['uniform', 'kendall']).default('uniform') }),
      ])
      .prefault({ type: 'fixed' }),
    adversarial: adversarial.optional(),
    /** Evaluate every N optimizer steps, or at the end of each epoch. */
    evalEvery: z.union([z.literal('epoch'), z.number().int().positive()]).default('epoch'),
    earlyStopping: z
      .object({
        metric: z.string().default('loss'),
        mode: z.enum(['min', 'max']).optional(),
        patience: z.number().int().positive().default(3),
        minDelta: z.number().min(0).default(0),
        /** Load the best evaluation's weights when training ends. */
        restoreBest: z.boolean().default(true),
      })
      .optional(),
    /** Save a checkpoint every N optimizer steps, at each epoch's end, or never (a final one is always written). */
    checkpointEvery: z.union([z.literal('epoch'), z.literal('never'), z.number().int().positive()]).default('epoch'),
    /** Step checkpoints kept (older ones are deleted; `best` is kept apart). */
    keepCheckpoints: z.number().int().positive().default(2),
    /** Run directory: config, metrics log, checkpoints, report. No files when absent. */
    runDir: z.string().optional(),
    /** Log the mean training loss every N optimizer steps. */
    logEvery: z.number().int().positive().default(10),
    progress: z.enum(['auto', 'bar', 'lines', 'none']).default('auto'),
  })
  .strict();

/** A trainer config as written by users (defaults optional). */
export type TrainerConfigInput = z.input<typeof trainerConfigSchema>;
/** A trainer config with defaults filled in. */
export type TrainerConfig = z.output<typeof trainerConfigSchema>;

/** Validates and completes a trainer config; the error names the bad field. */
export function parseTrainerConfig(input: TrainerConfigInput | unknown): TrainerConfig {
  const parsed = trainerConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = (issue?.path ?? []).map(String).join('.');
    throw new Error(`trainer config field "${field}": ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
