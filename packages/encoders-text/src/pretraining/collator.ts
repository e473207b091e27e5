// Masks a batch of sequences and packs it into a core Batch for the MLM model: padded ids and attention mask, the
// flat positions to predict, and the "mlm" task labels at those positions.
import * as tf from '@tensorflow/tfjs';
import { Rng, type Batch, type TextInput } from '@finmm/core';
import { maskSequence, resolveMasking, type MaskingOptions, type ResolvedMasking } from './masking.js';
import type { MlmVocab } from './mlm-vocab.js';

/** Name of the MLM task in batches and model outputs. */
export const MLM_TASK = 'mlm';

/** Text input of an MLM batch: the corrupted ids, and which of the B*T positions the model predicts. */
export interface MlmTextInput extends TextInput {
  /** Flat indices `b * T + t` of the predicted positions, int32 `[M]`, ascending. */
  maskedPositions: tf.Tensor1D;
}

/** A masked batch as plain arrays (row-major), before it becomes tensors; also what tools/bench hands to PyTorch. */
export interface MaskedBatchArrays {
  batch: number;
  seqLen: number;
  /** Corrupted ids `[B*T]`, padding id after each sequence. */
  ids: Int32Array;
  /** Original ids `[B*T]` (the uncorrupted sequences, padded). */
  originalIds: Int32Array;
  /** 1 for real tokens, 0 for padding, `[B*T]`. */
  attentionMask: Float32Array;
  /** Flat indices of the predicted positions `[M]`. */
  positions: Int32Array;
  /** Original ids at those positions `[M]`. */
  labels: Int32Array;
  /** Non-padding tokens (special tokens included). */
  tokens: number;
}

/** Applies BERT's masking to batches of token sequences. */
export class MlmCollator {
  readonly masking: ResolvedMasking;

  constructor(
    readonly vocab: MlmVocab,
    masking: MaskingOptions = {},
  ) {
    this.masking = resolveMasking(masking);
  }

  /** Masks `sequences` (each with its special tokens) with `rng` and pads them to the longest (or `padTo`). */
  maskArrays(sequences: ReadonlyArray<readonly number[]>, rng: Rng, padTo?: number): MaskedBatchArrays {
    if (sequences.length === 0) throw new Error('MlmCollator: a batch needs at least one sequence');
    let longest = 0;
    for (const s of sequences) longest = Math.max(longest, s.length);
    const seqLen = padTo ?? longest;
    if (seqLen < longest) throw new Error(`MlmCollator: padTo ${seqLen} is shorter than the longest sequence (${longest} tokens)`);
    const size = sequences.length * seqLen;
    const ids = new Int32Array(size).fill(this.vocab.padId);
    const originalIds = new Int32Array(size).fill(this.vocab.padId);
    const attentionMask = new Float32Array(size);
    const positions: number[] = [];
    const labels: number[] = [];
    let tokens = 0;
    sequences.forEach((sequence, b) => {
      const masked = maskSequence(sequence, this.vocab, this.masking, rng);
      const offset = b * seqLen;
      ids.set(masked.ids, offset);
      originalIds.set(sequence, offset);
      attentionMask.fill(1, offset, offset + sequence.length);
      tokens += sequence.length;
      for (let i = 0; i < masked.positions.length; i++) {
        positions.push(offset + (masked.positions[i] as number));
        labels.push(masked.labels[i] as number);
      }
    });
    return {
      batch: sequences.length, seqLen, ids, originalIds, attentionMask,
      positions: Int32Array.from(positions), labels: Int32Array.from(labels), tokens,
    };
  }

  /** Masks `sequences` and returns the core Batch the MLM model trains on (the caller disposes it). */
  collate(sequences: ReadonlyArray<readonly number[]>, rng: Rng, padTo?: number): Batch {
    return mlmBatch(this.maskArrays(sequences, rng, padTo));
  }
}

/** The core Batch of masked arrays: `inputs.text` is an MlmTextInput, `labels.mlm` holds y `[M]` and mask `[M]`. */
export function mlmBatch(arrays: MaskedBatchArrays): Batch {
  const { batch, seqLen } = arrays;
  const m = arrays.positions.length;
  const text: MlmTextInput = {
    ids: tf.tensor2d(arrays.ids, [batch, seqLen], 'int32'),
    attentionMask: tf.tensor2d(arrays.attentionMask, [batch, seqLen], 'float32'),
    maskedPositions: tf.tensor1d(arrays.positions, 'int32'),
  };
  return {
    size: batch,
    inputs: { text },
    present: { text: tf.ones([batch]) as tf.Tensor1D },
    labels: { [MLM_TASK]: { y: tf.tensor1d(arrays.labels, 'int32'), mask: tf.ones([m]) as tf.Tensor1D } },
  };
}

/** Seed of the masking of batch `index` of an epoch, so that a resumed run masks exactly as an uninterrupted one. */
export function batchMaskingSeed(epochSeed: number, index: number): number {
  return (Math.imul(epochSeed | 0, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) | 0;
}

/** The `Rng` of the masking of batch `index` of an epoch. */
export function batchMaskingRng(epochSeed: number, index: number): Rng {
  return Rng.fromSeed(batchMaskingSeed(epochSeed, index));
}

/** Frees every tensor of a batch made by `mlmBatch` (inputs, presence and labels). */
export function disposeMlmBatch(batch: Batch): void {
  const tensors: tf.Tensor[] = [];
  for (const input of Object.values(batch.inputs)) for (const v of Object.values(input ?? {})) if (v instanceof tf.Tensor) tensors.push(v);
  for (const p of Object.values(batch.present)) if (p !== undefined) tensors.push(p);
  for (const l of Object.values(batch.labels)) tensors.push(l.y, l.mask);
  tf.dispose(tensors);
}
