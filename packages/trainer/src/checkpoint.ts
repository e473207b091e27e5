// Checkpoints: a model directory (config.json + model.safetensors) plus the optimizer state and trainer position,
// so that a run can resume exactly where it stopped.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  decodeSafetensors,
  encodeSafetensors,
  fromTfTensor,
  loadModelDir,
  saveModelDir,
  toTfTensor,
  type Model,
  type SafetensorsTensor,
} from '@finmm/core';
import type { EarlyStoppingState } from './early-stopping.js';
import type { Optimizer } from './optim/types.js';

/** File holding optimizer slots (`optimizer/<key>/<slot>`) and loss-combiner parameters (`combiner/<name>`). */
export const TRAINER_TENSORS_FILE = 'trainer.safetensors';
/** File holding the trainer's position. */
export const TRAINER_STATE_FILE = 'trainer-state.json';

/** Where a run stands: enough to continue it exactly. */
export interface TrainerState {
  version: 1;
  /** Optimizer steps taken. */
  step: number;
  /** Epoch in progress (0-based). */
  epoch: number;
  /** Batches of `epoch` already consumed (the resumed run skips them). */
  batchInEpoch: number;
  /** Seed of the data order of `epoch`, or null when the epoch has not started. */
  epochSeed: number | null;
  /** State of the trainer's Rng. */
  rngState: number[];
  /** Optimizer counters (per-parameter steps). */
  optimizerCounters: Record<string, number>;
  optimizerName: string;
  earlyStopping: EarlyStoppingState | null;
  /** Training time so far, excluding time between an interruption and the resume. */
  elapsedMs: number;
}

/** What a checkpoint saves and restores besides the model. */
export interface CheckpointParts {
  model: Model;
  optimizer: Optimizer;
  /** Trainable parameters outside the model (a loss combiner's), by stable name. */
  extra: Readonly<Record<string, tf.Variable>>;
}

/** Directory name of the checkpoint after `step` optimizer steps. */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

function toSafetensors(tensors: Record<string, tf.Tensor>): Record<string, SafetensorsTensor> {
  const out: Record<string, SafetensorsTensor> = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = fromTfTensor(t);
  return out;
}

/** The model's variables as safetensors tensors, by variable name. */
export function modelTensors(model: Model): Record<string, SafetensorsTensor> {
  const out: Record<string, SafetensorsTensor> = {};
  for (const v of model.variables()) {
    if (out[v.name] !== undefined) throw new Error(`two model variables are named '${v.name}'`);
    out[v.name] = fromTfTensor(v);
  }
  return out;
}

/** Assigns every model variable from `tensors` by name; throws naming a missing or mis-shaped one. */
export function assignModelTensors(model: Model, tensors: ReadonlyMap<string, SafetensorsTensor>, source: string): void {
  for (const v of model.variables()) {
    const t = tensors.get(v.name);
    if (t === undefined) throw new Error(`${source} has no tensor for variable '${v.name}'`);
    if (t.shape.join(',') !== v.shape.join(',')) throw new Error(`${source}: '${v.name}' has shape [${t.shape}] but the variable has [${v.shape}]`);
    tf.tidy(() => v.assign(toTfTensor(t, v.name)));
  }
}

/** Writes a checkpoint directory atomically (the previous one at `dir`, if any, stays whole until replaced). */
export async function saveCheckpoint(dir: string, parts: CheckpointParts, state: TrainerState): Promise<void> {
  const snapshot = parts.optimizer.saveState();
  try {
    const trainerTensors: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(snapshot.tensors)) trainerTensors[`optimizer/${name}`] = t;
    for (const [name, v] of Object.entries(parts.extra)) trainerTensors[`combiner/${name}`] = v;
    await saveModelDir(dir, {
      config: parts.model.config(),
      tensors: modelTensors(parts.model),
      metadata: { format: 'finmm-checkpoint', step: String(state.step) },
      extraFiles: {
        [TRAINER_TENSORS_FILE]: encodeSafetensors(toSafetensors(trainerTensors), undefined, join(dir, TRAINER_TENSORS_FILE)),
        [TRAINER_STATE_FILE]: `${JSON.stringify({ ...state, optimizerCounters: snapshot.counters }, null, 1)}\n`,
      },
    });
  } finally {
    tf.dispose(Object.values(snapshot.tensors));
  }
}

/** Restores model weights, optimizer state and extra parameters from a checkpoint; returns the trainer state. */
export async function loadCheckpoint(dir: string, parts: CheckpointParts): Promise<TrainerState> {
  const loaded = await loadModelDir(dir);
  assignModelTensors(parts.model, loaded.tensors, dir);
  const stateBytes = loaded.extraFiles[TRAINER_STATE_FILE];
  const tensorBytes = loaded.extraFiles[TRAINER_TENSORS_FILE];
  if (stateBytes === undefined || tensorBytes === undefined) throw new Error(`${dir} is a model directory but not a training checkpoint (no ${TRAINER_STATE_FILE})`);
  const state = JSON.parse(new TextDecoder().decode(stateBytes)) as TrainerState;
  if (state.version !== 1) throw new Error(`${dir}: unsupported checkpoint version ${String(state.version)}`);
  if (state.optimizerName !== parts.optimizer.name) throw new Error(`${dir} was written with optimizer '${state.optimizerName}', not '${parts.optimizer.name}'`);
  const decoded = decodeSafetensors(tensorBytes, join(dir, TRAINER_TENSORS_FILE));
  const slots = new Map<string, tf.Tensor>();
  try {
    for (const [name, t] of decoded.tensors) {
      if (name.startsWith('optimizer/')) slots.set(name.slice('optimizer/'.length), toTfTensor(t, name));
    }
    parts.optimizer.loadState({ tensors: slots, counters: state.optimizerCounters });
  } finally {
    tf.dispose([...slots.values()]);
  }
  for (const [name, v] of Object.entries(parts.extra)) {
    const t = decoded.tensors.get(`combiner/${name}`);
    if (t === undefined) throw new Error(`${dir} has no saved value for '${name}'`);
    tf.tidy(() => v.assign(toTfTensor(t, name)));
  }
  return state;
}

/** Saves the model alone as a model directory (config.json + model.safetensors). */
export async function saveModelWeights(dir: string, model: Model): Promise<void> {
  await saveModelDir(dir, { config: model.config(), tensors: modelTensors(model), metadata: { format: 'finmm-model' } });
}

/** Restores only the model weights of a checkpoint or model directory. */
export async function loadModelWeights(dir: string, model: Model): Promise<void> {
  const loaded = await loadModelDir(dir);
  assignModelTensors(model, loaded.tensors, dir);
}

/** Step checkpoints under `checkpointsDir`, oldest first. */
export async function listCheckpoints(checkpointsDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(checkpointsDir);
  } catch {
    return [];
  }
  return names.filter((n) => /^step-\d{8}$/.test(n)).sort().map((n) => join(checkpointsDir, n));
}

/** The newest step checkpoint, or null. */
export async function latestCheckpoint(checkpointsDir: string): Promise<string | null> {
  const all = await listCheckpoints(checkpointsDir);
  return all[all.length - 1] ?? null;
}

/** Deletes all but the newest `keep` step checkpoints. */
export async function pruneCheckpoints(checkpointsDir: string, keep: number): Promise<void> {
  const all = await listCheckpoints(checkpointsDir);
  for (const dir of all.slice(0, Math.max(0, all.length - keep))) await rm(dir, { recursive: true, force: true });
}
