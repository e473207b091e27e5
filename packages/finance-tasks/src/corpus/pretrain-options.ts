// Options of `pretrainMlm`, their defaults, and the records it returns and writes to pretraining.json.
import type { JsonValue } from '@finmm/core';
import type { CorpusDescription } from './pretraining-corpus.js';

/** The BERT that is pretrained (named sizes; the vocabulary comes from the tokenizer). */
export interface MlmArchitectureOptions {
  /** Token vector width; default 256. */
  hiddenSize?: number;
  /** Layers; default 4. */
  numLayers?: number;
  /** Attention heads; default 4. */
  numHeads?: number;
  /** Feed-forward width; default 4 x hiddenSize. */
  intermediateSize?: number;
  /** Longest training sequence in tokens, [CLS] and [SEP]s included; default 128. */
  maxLength?: number;
  /** Rows of the position table (longest sequence the saved model accepts); default max(512, maxLength). */
  maxPositions?: number;
  /** Dropout on hidden states and attention probabilities; default 0.1. */
  dropout?: number;
}

/** Everything `pretrainMlm` needs; at least one of maxSteps, tokenBudget, maxMinutes or epochs bounds the run. */
export interface PretrainMlmOptions {
  /** The texts to pretrain on. */
  corpus: readonly string[];
  /** Where the corpus came from (e.g. `buildPretrainingCorpus(...).description`), copied into pretraining.json. */
  corpusDescription?: CorpusDescription | JsonValue;
  /** Directory written atomically: config.json, model.safetensors, tokenizer.json, pretraining.json. */
  outputDir: string;
  /**
   * Continue pretraining this BERT directory (config.json, model.safetensors, tokenizer.json: an earlier pretrainMlm
   * output or a Hugging Face BERT such as bert-base-uncased): its weights are the start, and its architecture,
   * vocabulary and tokenizer are used (so `tokenizer`, `vocabSize` and `architecture` other than `maxLength` must not
   * be given). A checkpoint without the MLM head gets a fresh one. With the same corpus and seed as the earlier run,
   * the held-out texts are the same ones.
   */
  init?: string;
  /** A tokenizer.json (path or parsed object); default: a WordPiece vocabulary trained on the training texts. */
  tokenizer?: string | Record<string, unknown>;
  /** Size of the trained WordPiece vocabulary (special tokens included); default 12000. */
  vocabSize?: number;
  architecture?: MlmArchitectureOptions;
  /** Sequences per step; default 32. */
  batchSize?: number;
  /** Stop after this many optimizer steps. */
  maxSteps?: number;
  /** Stop once this many non-padding tokens have been trained on. */
  tokenBudget?: number;
  /** Stop after this many minutes of training (tokenization and saving not counted). */
  maxMinutes?: number;
  /** Passes over the corpus at most; default 1000 (the other limits normally end the run first). */
  epochs?: number;
  /** Peak learning rate of AdamW; default 5e-4. */
  lr?: number;
  /** Linear warmup steps; default 10% of the planned steps (at most 1000), or 100 when only maxMinutes bounds the run. */
  warmupSteps?: number;
  /** Decoupled weight decay (not on biases and LayerNorms); default 0.01. */
  weightDecay?: number;
  /** Clip gradients to this global norm; default 1. */
  clipNorm?: number;
  /** Mask whole words (all ## pieces of a chosen word); default false. */
  wholeWord?: boolean;
  /** Fraction of tokens to predict; default 0.15. */
  maskProb?: number;
  /** Pack several texts into each sequence; default true. */
  pack?: boolean;
  /** Fraction of the texts held out (never trained on, not used for the tokenizer) to measure the MLM loss; default 0.02. */
  heldOutFraction?: number;
  /** Seed of the split, initial weights, data order and masking; default 0. */
  seed?: number;
  /** Record a loss-curve point every this many steps; default 10. */
  logEvery?: number;
  /** The trainer's progress display; default 'none'. */
  progress?: 'auto' | 'bar' | 'lines' | 'none';
  /** Hears each loss-curve point as it is recorded. */
  onLog?: (point: LossPoint) => void;
  /** The trainer's run directory (metrics.jsonl, checkpoints); default none. */
  runDir?: string;
}

/** One point of the loss curve: the mean training loss of the steps since the previous point. */
export interface LossPoint {
  step: number;
  /** Non-padding tokens trained on so far. */
  tokens: number;
  /** Seconds of training so far. */
  seconds: number;
  loss: number;
}

/** Where a continued pretraining started (the `init` option). */
export interface PretrainInit {
  dir: string;
  /** MLM head weights the checkpoint lacked, freshly initialised. */
  initialisedHead: string[];
  /** Steps and tokens of the run that wrote the directory (its pretraining.json), or null when it has none. */
  previous: { steps: number; tokens: number } | null;
}

/** Why pretraining stopped. */
export type PretrainStopReason = 'max-steps' | 'token-budget' | 'time-limit' | 'epochs';

/** MLM loss and accuracy on the held-out texts. */
export interface HeldOutScore {
  loss: number;
  accuracy: number;
  predictions: number;
}

/** What `pretrainMlm` returns; the same object is written to `<outputDir>/pretraining.json`. */
export interface PretrainMlmResult {
  outputDir: string;
  /** Optimizer steps taken. */
  steps: number;
  /** Non-padding tokens trained on (special tokens included, padding never). */
  tokens: number;
  /** Seconds of training (tokenization, evaluation and saving not counted). */
  durationSeconds: number;
  tokensPerSecond: number;
  stopReason: PretrainStopReason;
  lossCurve: LossPoint[];
  /** Mean training loss of the last curve window. */
  finalLoss: number;
  /** Held-out MLM loss before and after training, or null when nothing was held out. */
  heldOut: { texts: number; before: HeldOutScore; after: HeldOutScore } | null;
  corpus: { texts: number; trainTexts: number; heldOutTexts: number; tokensPerEpoch: number; sequencesPerEpoch: number; description: JsonValue };
  tokenizer: { trained: boolean; vocabSize: number };
  /** The checkpoint training continued from, or null for a fresh model. */
  init: PretrainInit | null;
  /** The saved config.json. */
  model: JsonValue;
  /** The options that shaped the run, with defaults filled in. */
  settings: { [key: string]: JsonValue };
  seed: number;
  finishedAt: string;
}

/** Options with defaults filled in. */
export interface ResolvedPretrainOptions {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  maxLength: number;
  maxPositions: number;
  dropout: number;
  batchSize: number;
  maxSteps: number | null;
  tokenBudget: number | null;
  maxMinutes: number | null;
  epochs: number;
  lr: number;
  warmupSteps: number | null;
  weightDecay: number;
  clipNorm: number;
  wholeWord: boolean;
  maskProb: number;
  pack: boolean;
  heldOutFraction: number;
  seed: number;
  logEvery: number;
}

function positive(name: string, value: number | undefined, integer: boolean): number | null {
  if (value === undefined) return null;
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new Error(`pretrainMlm option ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  }
  return value;
}

/** Fills in and checks the options; errors name the option. */
export function resolvePretrainOptions(options: PretrainMlmOptions): ResolvedPretrainOptions {
  const a = options.architecture ?? {};
  const hiddenSize = positive('architecture.hiddenSize', a.hiddenSize, true) ?? 256;
  const maxLength = positive('architecture.maxLength', a.maxLength, true) ?? 128;
  const resolved: ResolvedPretrainOptions = {
    vocabSize: positive('vocabSize', options.vocabSize, true) ?? 12000,
    hiddenSize,
    numLayers: positive('architecture.numLayers', a.numLayers, true) ?? 4,
    numHeads: positive('architecture.numHeads', a.numHeads, true) ?? 4,
    intermediateSize: positive('architecture.intermediateSize', a.intermediateSize, true) ?? 4 * hiddenSize,
    maxLength,
    maxPositions: positive('architecture.maxPositions', a.maxPositions, true) ?? Math.max(512, maxLength),
    dropout: a.dropout ?? 0.1,
    batchSize: positive('batchSize', options.batchSize, true) ?? 32,
    maxSteps: positive('maxSteps', options.maxSteps, true),
    tokenBudget: positive('tokenBudget', options.tokenBudget, false),
    maxMinutes: positive('maxMinutes', options.maxMinutes, false),
    epochs: positive('epochs', options.epochs, true) ?? 1000,
    lr: positive('lr', options.lr, false) ?? 5e-4,
    warmupSteps: options.warmupSteps ?? null,
    weightDecay: options.weightDecay ?? 0.01,
    clipNorm: positive('clipNorm', options.clipNorm, false) ?? 1,
    wholeWord: options.wholeWord ?? false,
    maskProb: options.maskProb ?? 0.15,
    pack: options.pack ?? true,
    heldOutFraction: options.heldOutFraction ?? 0.02,
    seed: options.seed ?? 0,
    logEvery: positive('logEvery', options.logEvery, true) ?? 10,
  };
  if (resolved.maxSteps === null && resolved.tokenBudget === null && resolved.maxMinutes === null && options.epochs === undefined) {
    throw new Error('pretrainMlm: give at least one of maxSteps, tokenBudget, maxMinutes or epochs');
  }
  if (!(resolved.dropout >= 0 && resolved.dropout < 1)) throw new Error(`pretrainMlm option architecture.dropout must be in [0, 1), got ${resolved.dropout}`);
  if (!(resolved.heldOutFraction >= 0 && resolved.heldOutFraction < 1)) throw new Error(`pretrainMlm option heldOutFraction must be in [0, 1), got ${resolved.heldOutFraction}`);
  if (resolved.warmupSteps !== null && !(Number.isInteger(resolved.warmupSteps) && resolved.warmupSteps >= 0)) {
    throw new Error(`pretrainMlm option warmupSteps must be a non-negative integer, got ${resolved.warmupSteps}`);
  }
  if (!(resolved.weightDecay >= 0)) throw new Error(`pretrainMlm option weightDecay must be >= 0, got ${resolved.weightDecay}`);
  if (resolved.maxPositions < resolved.maxLength) throw new Error(`pretrainMlm option architecture.maxPositions (${resolved.maxPositions}) is below maxLength (${resolved.maxLength})`);
  if (!Number.isInteger(resolved.seed)) throw new Error(`pretrainMlm option seed must be an integer, got ${resolved.seed}`);
  if (options.corpus.length === 0) throw new Error('pretrainMlm: the corpus is empty');
  if (options.init !== undefined) {
    const fromCheckpoint = [
      ...(options.tokenizer === undefined ? [] : ['tokenizer']),
      ...(options.vocabSize === undefined ? [] : ['vocabSize']),
      ...Object.keys(a).filter((k) => k !== 'maxLength' && a[k as keyof MlmArchitectureOptions] !== undefined).map((k) => `architecture.${k}`),
    ];
    if (fromCheckpoint.length > 0) {
      throw new Error(`pretrainMlm option init: the tokenizer, vocabulary and architecture come from ${options.init}; do not also give ${fromCheckpoint.join(', ')}`);
    }
  }
  return resolved;
}
