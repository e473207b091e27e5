// Selects the TensorFlow.js backend: native TensorFlow (tfjs-node-gpu), else wasm, else pure-JS cpu.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { installNativeMatMul } from './native-matmul.js';
import type { NodeBackend } from './node-backend.js';

/** The backends finmm can run on, best first. */
export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What the active backend is and how it was chosen. */
export interface BackendInfo {
  /** Active TensorFlow.js backend. */
  name: BackendName;
  /** Version of @tensorflow/tfjs-core. */
  tfjsVersion: string;
  /** Version of the native TensorFlow library, when the native backend is active. */
  tensorflowVersion: string | null;
  /** True when the native backend runs ops on a GPU. */
  gpu: boolean;
  /** Threads the backend computes with. */
  threads: number;
  /** Whether the backend was forced through FINMM_BACKEND. */
  forced: boolean;
  /** Why better backends were not used (empty when the native one is active). */
  fallbackReasons: string[];
}


const require = createRequire(import.meta.url);
let active: BackendInfo | null = null;

/** Parses FINMM_BACKEND; throws naming the variable when its value is not a backend name. */
export function backendFromEnv(env: NodeJS.ProcessEnv = process.env): BackendName | null {
  const value = env['FINMM_BACKEND']?.trim();
  if (value === undefined || value === '') return null;
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`FINMM_BACKEND=${value} is not a backend; expected one of ${BACKEND_NAMES.join(', ')}`);
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

async function loadNative(): Promise<void> {
  // TensorFlow's C++ info lines (CPU features, oneDNN) are noise for users; warnings and errors still show.
  process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2';
  // tfjs-node-gpu registers the 'tensorflow' backend on the same tfjs-core instance as '@tensorflow/tfjs'.
  require('@tensorflow/tfjs-node-gpu');
  if (!(await tf.setBackend('tensorflow'))) throw new Error("backend 'tensorflow' failed to initialise");
  installNativeMatMul();
}

async function loadWasm(): Promise<void> {
  require('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error("backend 'wasm' failed to initialise");
}

async function loadCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error("backend 'cpu' failed to initialise");
}

const loaders: Record<BackendName, () => Promise<void>> = { tensorflow: loadNative, wasm: loadWasm, cpu: loadCpu };

function describe(name: BackendName, forced: boolean, fallbackReasons: string[]): BackendInfo {
  let tensorflowVersion: string | null = null;
  let gpu = false;
  let threads = 1;
  if (name === 'tensorflow') {
    const native = tf.backend() as unknown as NodeBackend;
    tensorflowVersion = native.binding.TF_Version;
    gpu = native.isUsingGpuDevice;
    const intraOp = Number(process.env['TF_NUM_INTRAOP_THREADS']);
    threads = Number.isInteger(intraOp) && intraOp > 0 ? intraOp : os.availableParallelism(); // TensorFlow reads the variable
  } else if (name === 'cpu') {
    threads = 1;
  }
  return { name, tfjsVersion: tf.version_core, tensorflowVersion, gpu, threads, forced, fallbackReasons };
}

/**
 * Activates a backend once per process: the one named (or FINMM_BACKEND), else the best that loads.
 * A forced backend that cannot load is an error; otherwise failures fall through to the next backend.
 */
export async function initBackend(options: { backend?: BackendName } = {}): Promise<BackendInfo> {
  const forcedName = options.backend ?? backendFromEnv();
  if (active !== null && (forcedName === null || forcedName === active.name)) return active;
  if (forcedName !== null) {
    try {
      await loaders[forcedName]();
    } catch (error) {
      throw new Error(`FINMM_BACKEND=${forcedName} was asked for but cannot be used: ${errorText(error)}${hint(forcedName)}`, {
        cause: error,
      });
    }
    active = describe(forcedName, true, []);
    return active;
  }
  const reasons: string[] = [];
  for (const name of BACKEND_NAMES) {
    try {
      await loaders[name]();
      active = describe(name, false, reasons);
      return active;
    } catch (error) {
      reasons.push(`${name}: ${errorText(error)}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded:\n  ${reasons.join('\n  ')}`);
}

function hint(name: BackendName): string {
  return name === 'tensorflow' ? `\n${NATIVE_INSTALL_HINT}` : '';
}

/** How to install the native backend, for error messages and `finmm doctor`. */
export const NATIVE_INSTALL_HINT =
  'Install the native backend with `node tools/native-backend/install-native-backend.mjs` (run by `npm ci`): ' +
  "it uses Google's libtensorflow download where the internet is reachable, else a tensorflow-cpu wheel from " +
  'your pip index, or one you name with FINMM_TF_WHEEL=/path/to/tensorflow_cpu-*.whl.';

/** The active backend, or null before initBackend() has run. */
export function activeBackend(): BackendInfo | null {
  return active;
}

/**
 * Throws a clear error when the active backend cannot train a model with embedding lookups:
 * the gradient of gather needs the UnsortedSegmentSum kernel, which wasm lacks.
 */
export function assertCanTrainEmbeddings(what = 'this model'): void {
  const backend = tf.getBackend();
  if (tf.getKernel('UnsortedSegmentSum', backend) === undefined) {
    throw new Error(
      `cannot train ${what} on the '${backend}' backend: it has no UnsortedSegmentSum kernel, the gradient of the ` +
        `embedding lookup (gather), so training would fail or mis-train. Use FINMM_BACKEND=tensorflow (native) or cpu.`,
    );
  }
}
