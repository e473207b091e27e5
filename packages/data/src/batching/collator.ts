// The collator contract: one modality's tensors for a batch, built from the rows' column values.
import type { Modality, ModalityInputs } from '@finmm/core';
import type * as tf from '@tensorflow/tfjs';
import type { CellValue } from '../table-access.js';

/** A modality's inputs for a batch and which samples have it. */
export interface CollatedModality<M extends Modality> {
  input: ModalityInputs[M];
  /** `[B]` float32: 1 = the sample has this modality, 0 = absent. */
  present: tf.Tensor1D;
}

/** The batch's values of the columns a collator reads, and the table rows they came from (for errors). */
export interface CollateContext {
  /** `values[column][b]` is the value of sample b. */
  values: Readonly<Record<string, readonly CellValue[]>>;
  /** Table row of each sample. */
  rows: readonly number[];
}

/** Builds one modality's tensors for a batch; the tensors it returns belong to the batch (freed by `disposeBatch`). */
export interface Collator<M extends Modality = Modality> {
  readonly modality: M;
  /** Columns it reads. */
  readonly columns: readonly string[];
  /** The modality's input tensors and `[B]` presence mask for the batch (may be async, e.g. to read image files). */
  collate(context: CollateContext): CollatedModality<M> | Promise<CollatedModality<M>>;
}

/** One collator per modality a batch carries. */
export type Collators = { [M in Modality]?: Collator<M> };
