// Epochs of MLM batches from tokenized texts: each epoch shuffles the texts with its seed, builds (packed) sequences,
// cuts them into batches and masks each batch with a seed derived from the epoch's seed and the batch index, so the
// batches of an epoch are the same whenever it is replayed (RoBERTa's dynamic masking across epochs).
import type { Batch } from '@finmm/core';
import { batchMaskingRng, MlmCollator, type MaskedBatchArrays, mlmBatch } from './collator.js';
import type { MaskingOptions } from './masking.js';
import type { MlmVocab } from './mlm-vocab.js';
import { buildSequences, countTokens, epochOrder, type SequenceOptions } from './sequences.js';

/** How texts become MLM batches. */
export interface MlmDataOptions extends SequenceOptions {
  /** Sequences per batch. */
  batchSize: number;
  /** Masking of each batch. */
  masking?: MaskingOptions;
  /** Drop an epoch's last, smaller batch; default false. */
  dropLast?: boolean;
}

/** The epoch the trainer asks for (structurally the trainer's EpochContext). */
export interface MlmEpochContext {
  epoch: number;
  seed: number;
  skip: number;
}

/** The batches of tokenized texts, epoch by epoch. */
export class MlmData {
  readonly collator: MlmCollator;
  readonly options: Readonly<MlmDataOptions>;

  constructor(
    /** Token ids of each text, without special tokens. */
    readonly texts: ReadonlyArray<readonly number[]>,
    readonly vocab: MlmVocab,
    options: MlmDataOptions,
  ) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new Error(`MLM data: batchSize must be a positive integer, got ${options.batchSize}`);
    this.options = { ...options };
    this.collator = new MlmCollator(vocab, options.masking ?? {});
    if (texts.every((t) => t.length === 0)) throw new Error('MLM data: every text is empty after tokenization');
  }

  /** The sequences of the epoch whose seed is `seed`. */
  sequences(seed: number): number[][] {
    return buildSequences(this.texts, epochOrder(this.texts.length, seed), this.vocab, this.options);
  }

  /** The sequences of an epoch cut into batches. */
  batchSequences(seed: number): number[][][] {
    const sequences = this.sequences(seed);
    const { batchSize, dropLast } = this.options;
    const batches: number[][][] = [];
    for (let i = 0; i < sequences.length; i += batchSize) {
      const chunk = sequences.slice(i, i + batchSize);
      if (chunk.length < batchSize && dropLast === true && batches.length > 0) break;
      batches.push(chunk);
    }
    return batches;
  }

  /** Batches and non-padding tokens of the epoch whose seed is `seed`. */
  epochSize(seed: number): { batches: number; tokens: number; sequences: number } {
    const batches = this.batchSequences(seed);
    return { batches: batches.length, tokens: batches.reduce((n, b) => n + countTokens(b), 0), sequences: batches.reduce((n, b) => n + b.length, 0) };
  }

  /** The masked batches of an epoch as arrays, in order. */
  *maskedArrays(seed: number): Generator<MaskedBatchArrays> {
    const batches = this.batchSequences(seed);
    for (let i = 0; i < batches.length; i++) yield this.collator.maskArrays(batches[i] as number[][], batchMaskingRng(seed, i));
  }

  /**
   * A trainer BatchSource: the epoch's batches as core Batches (the consumer disposes them); `onBatch` hears the
   * non-padding tokens of each batch as it is handed out.
   */
  source(onBatch?: (tokens: number) => void): (ctx: MlmEpochContext) => Iterable<Batch> {
    const maskedArrays = (seed: number): Generator<MaskedBatchArrays> => this.maskedArrays(seed);
    return function* (ctx: MlmEpochContext): Generator<Batch> {
      for (const arrays of maskedArrays(ctx.seed)) {
        onBatch?.(arrays.tokens);
        yield mlmBatch(arrays);
      }
    };
  }
}
