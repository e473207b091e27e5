// Pads or truncates token sequences to a fixed length, with an attention mask.

/** Padded ids and their mask, both row-major `[B, maxLen]`. */
export interface PaddedSequences {
  /** Token ids `[B, maxLen]` (row-major). */
  ids: Int32Array;
  /** 1 for real tokens, 0 for padding, `[B, maxLen]` (row-major). */
  mask: Float32Array;
}

/**
 * Pads each sequence with `padId` to `maxLen` (padding on the right); longer ones lose their end (`right`) or
 * their start (`left`, keeping the most recent items).
 */
export function padSequences(
  seqs: ReadonlyArray<ArrayLike<number>>,
  maxLen: number,
  padId: number,
  truncate: 'right' | 'left' = 'right',
): PaddedSequences {
  if (!Number.isInteger(maxLen) || maxLen < 1) throw new Error(`padSequences: maxLen must be a positive integer, got ${maxLen}`);
  if (!Number.isInteger(padId)) throw new Error(`padSequences: padId must be an integer, got ${padId}`);
  const ids = new Int32Array(seqs.length * maxLen).fill(padId); // [B, maxLen]
  const mask = new Float32Array(seqs.length * maxLen); // [B, maxLen]
  seqs.forEach((seq, b) => {
    const keep = Math.min(seq.length, maxLen);
    const from = truncate === 'left' ? seq.length - keep : 0;
    for (let t = 0; t < keep; t++) {
      const id = seq[from + t];
      if (id === undefined || !Number.isInteger(id)) throw new Error(`padSequences: sequence ${b} has a non-integer id ${String(id)} at ${from + t}`);
      ids[b * maxLen + t] = id;
      mask[b * maxLen + t] = 1;
    }
  });
  return { ids, mask };
}
