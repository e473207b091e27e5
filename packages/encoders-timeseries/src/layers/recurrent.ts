// LSTM and GRU layers written with tf ops: the input projection of all steps is one matMul, and each step does
// one fused matMul for all gates. Masked steps carry the state through unchanged.
import * as tf from '@tensorflow/tfjs';
import type { ParamStore } from '@finmm/core';

/** The recurrent cells finmm has. */
export const CELLS = ['lstm', 'gru'] as const;
export type CellKind = (typeof CELLS)[number];

/** Weights of one direction of one layer; gate blocks in PyTorch order (LSTM i, f, g, o; GRU r, z, n). */
export interface CellParams {
  /** Input kernel `[in, G*H]`. */
  kernel: tf.Variable<tf.Rank.R2>;
  /** Recurrent kernel `[H, G*H]`. */
  recurrent: tf.Variable<tf.Rank.R2>;
  /** Input bias `[G*H]` (LSTM: the only bias, forget block starting at 1). */
  bias: tf.Variable<tf.Rank.R1>;
  /** GRU only: the recurrent bias `[3H]` (PyTorch's b_hh, needed because r multiplies it). */
  recurrentBias: tf.Variable<tf.Rank.R1> | null;
}

/** Number of gate blocks G of a cell. */
export function gateCount(kind: CellKind): number {
  return kind === 'lstm' ? 4 : 3;
}

/** Creates one direction's weights: U(-1/sqrt(H), 1/sqrt(H)) as PyTorch, LSTM forget bias 1. */
export function createCell(store: ParamStore, prefix: string, kind: CellKind, inputDim: number, hidden: number): CellParams {
  const g = gateCount(kind) * hidden;
  const limit = 1 / Math.sqrt(hidden);
  const kernel = store.uniform(`${prefix}.kernel`, [inputDim, g], limit) as tf.Variable<tf.Rank.R2>;
  const recurrent = store.uniform(`${prefix}.recurrent`, [hidden, g], limit) as tf.Variable<tf.Rank.R2>;
  const biasValues = new Float32Array(g);
  if (kind === 'lstm') biasValues.fill(1, hidden, 2 * hidden);
  const bias = store.fromValues(`${prefix}.bias`, biasValues, [g]) as tf.Variable<tf.Rank.R1>;
  const recurrentBias = kind === 'gru' ? store.filled(`${prefix}.recurrentBias`, g, 0) : null;
  return { kernel, recurrent, bias, recurrentBias };
}

/** Every variable of a cell. */
export function cellVariables(p: CellParams): tf.Variable[] {
  return p.recurrentBias === null ? [p.kernel, p.recurrent, p.bias] : [p.kernel, p.recurrent, p.bias, p.recurrentBias];
}

/** What one direction returns: the state after each step and the final state. */
export interface ScanResult {
  /** `[B, T, H]`, at each step's position (also when run in reverse). */
  sequence: tf.Tensor3D;
  /** `[B, H]`: the state after the last step processed (the last observed one when masked). */
  final: tf.Tensor2D;
}

/** Per-step mask columns `[B, 1]`, or nulls. */
function stepMasks(mask: tf.Tensor2D | null, steps: number): Array<tf.Tensor2D | null> {
  if (mask === null) return new Array<null>(steps).fill(null);
  return tf.unstack(tf.expandDims(mask, 2), 1) as tf.Tensor2D[]; // T x [B, 1]
}

/** `prev + m * (next - prev)`: keeps the previous state where the step is masked. */
function carry(next: tf.Tensor2D, prev: tf.Tensor2D, m: tf.Tensor2D | null): tf.Tensor2D {
  return m === null ? next : (tf.add(prev, tf.mul(m, tf.sub(next, prev))) as tf.Tensor2D);
}

/** Runs one direction of a cell over `x` `[B, T, in]` with an optional mask `[B, T]`. */
export function scan(kind: CellKind, p: CellParams, x: tf.Tensor3D, mask: tf.Tensor2D | null, reverse: boolean): ScanResult {
  const [b, t, inDim] = x.shape;
  const hidden = p.recurrent.shape[0];
  const g = p.kernel.shape[1];
  const projected = tf.add(tf.matMul(tf.reshape(x, [b * t, inDim]) as tf.Tensor2D, p.kernel), p.bias); // [B*T, G*H]
  const inputs = tf.unstack(tf.reshape(projected, [b, t, g]), 1) as tf.Tensor2D[]; // T x [B, G*H]
  const masks = stepMasks(mask, t);
  const outputs = new Array<tf.Tensor2D>(t);
  let h = tf.zeros([b, hidden]) as tf.Tensor2D;
  let c = h;
  for (let i = 0; i < t; i++) {
    const step = reverse ? t - 1 - i : i;
    const xt = inputs[step] as tf.Tensor2D;
    const m = masks[step] ?? null;
    if (kind === 'lstm') {
      const z = tf.add(xt, tf.matMul(h, p.recurrent)); // [B, 4H]
      const [zi, zf, zg, zo] = tf.split(z, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const cNext = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zg))) as tf.Tensor2D; // [B, H]
      const hNext = tf.mul(tf.sigmoid(zo), tf.tanh(cNext)) as tf.Tensor2D; // [B, H]
      c = carry(cNext, c, m);
      h = carry(hNext, h, m);
    } else {
      const hp = tf.add(tf.matMul(h, p.recurrent), p.recurrentBias as tf.Tensor1D); // [B, 3H]
      const [xrz, xn] = tf.split(xt, [2 * hidden, hidden], 1) as [tf.Tensor2D, tf.Tensor2D];
      const [hrz, hn] = tf.split(hp, [2 * hidden, hidden], 1) as [tf.Tensor2D, tf.Tensor2D];
      const [r, z] = tf.split(tf.sigmoid(tf.add(xrz, hrz)), 2, 1) as [tf.Tensor2D, tf.Tensor2D]; // 2 x [B, H]
      const n = tf.tanh(tf.add(xn, tf.mul(r, hn))); // [B, H]
      const hNext = tf.add(n, tf.mul(z, tf.sub(h, n))) as tf.Tensor2D; // (1 - z) * n + z * h
      h = carry(hNext, h, m);
    }
    outputs[step] = h;
  }
  return { sequence: tf.stack(outputs, 1) as tf.Tensor3D, final: h }; // [B, T, H]
}
