// finmm's fused TensorFlow CPU kernels (packages/core/native/finmm_kernels.c, built by
// tools/native-backend/build-kernels.mjs): an addon that registers ops such as FinmmGelu with the native backend's
// libtensorflow, so one op does what several TensorFlow elementwise ops would. Optional: without the addon, on a
// GPU, on other backends or with FINMM_FUSED_KERNELS=0, callers use TensorFlow's own ops.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { NodeBackend } from './node-backend.js';

/** Where the built addon lives (the same relative place from src/ and dist/). */
export const FUSED_KERNELS_PATH = fileURLToPath(new URL('../native/build/finmm_kernels.node', import.meta.url));

/** Whether the fused kernels are in use, which ops they provide, and why not when they are not. */
export interface FusedKernelsStatus {
  /** True when the addon is loaded and enabled on the active backend. */
  active: boolean;
  /** Ops the addon registered (empty when it is not loaded). */
  ops: readonly string[];
  /** Why the kernels are not in use; null when active. */
  reason: string | null;
}

interface Addon {
  ops: string[];
  version: number;
}

const require = createRequire(import.meta.url);
let loaded: { addon: Addon | null; reason: string | null } | null = null;
let enabled = process.env['FINMM_FUSED_KERNELS'] !== '0';

function onCpuNativeBackend(): string | null {
  if (tf.getBackend() !== 'tensorflow') return `the active backend is '${tf.getBackend()}', not the native 'tensorflow'`;
  if ((tf.backend() as unknown as NodeBackend).isUsingGpuDevice === true) return 'the kernels are CPU-only and the backend uses a GPU';
  return null;
}

function load(): { addon: Addon | null; reason: string | null } {
  if (loaded !== null) return loaded;
  const notNative = onCpuNativeBackend();
  if (notNative !== null) return { addon: null, reason: notNative }; // not cached: the backend may change
  try {
    loaded = { addon: require(FUSED_KERNELS_PATH) as Addon, reason: null };
  } catch (error) {
    const text = error instanceof Error ? error.message.split('\n')[0] : String(error);
    loaded = { addon: null, reason: `${FUSED_KERNELS_PATH} did not load (${text}); build it with \`node tools/native-backend/build-kernels.mjs\`` };
  }
  return loaded;
}

/** Loads the fused kernels into the native backend (once) and reports whether they are in use. */
export function fusedKernelsStatus(): FusedKernelsStatus {
  const { addon, reason } = load();
  const ops = addon?.ops ?? [];
  const why = reason ?? onCpuNativeBackend() ?? (enabled ? null : 'disabled (FINMM_FUSED_KERNELS=0 or setFusedKernelsEnabled(false))');
  return { active: why === null, ops, reason: why };
}

/** True when fused op `name` can be run now: the addon registered it, the backend is native on CPU, and it is enabled. */
export function hasFusedKernel(name: string): boolean {
  if (!enabled || tf.getBackend() !== 'tensorflow') return false;
  const { addon } = load();
  return addon !== null && addon.ops.includes(name) && onCpuNativeBackend() === null;
}

/**
 * Runs fused op `name` (which must exist: check `hasFusedKernel` first) on `inputs` and returns its `numOutputs`
 * outputs. The op is recorded on no gradient tape: wrap it in tf.customGrad for a differentiable use.
 */
export function runFusedKernel(name: string, inputs: tf.Tensor[], numOutputs: number): tf.Tensor[] {
  if (!hasFusedKernel(name)) throw new Error(`fused kernel ${name} is not available: ${fusedKernelsStatus().reason ?? 'the addon does not provide it'}`);
  return (tf.backend() as unknown as NodeBackend).executeMultipleOutputs(name, [], inputs, numOutputs);
}

/** Turns the fused kernels on or off for this process (for side-by-side benchmarks and tests); returns the old value. */
export function setFusedKernelsEnabled(on: boolean): boolean {
  const before = enabled;
  enabled = on;
  return before;
}
