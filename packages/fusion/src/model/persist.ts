// Saves and loads a FusedModel as one model directory (core's saveModelDir/loadModelDir): config.json,
// model.safetensors, and the tokenizer and fitted preprocessing the model's inputs need.
import * as tf from '@tensorflow/tfjs';
import { fromTfTensor, loadModelDir, saveModelDir, toTfTensor, type JsonValue, type Registry, type SafetensorsTensor } from '@finmm/core';
import { buildModel } from './build.js';
import { parseModelConfig } from './config.js';
import type { FusedModel } from './fused-model.js';

/** File of the fitted preprocessing (scalers, category maps...) in a model directory. */
export const PREPROCESSING_FILE = 'preprocessing.json';
/** File of the tokenizer in a model directory. */
export const TOKENIZER_FILE = 'tokenizer.json';
/** `format` metadata of the weights file. */
const FORMAT = 'finmm/fused-model';

/** What is saved next to the config and the weights. */
export interface ModelArtifacts {
  /** The tokenizer's JSON (text, or a value that is stringified). */
  tokenizer?: string | JsonValue;
  /** Fitted preprocessing, e.g. `{ tabular: preprocessor.toJSON() }`. */
  preprocessing?: JsonValue;
  /** Further files by plain name. */
  files?: Record<string, string | Uint8Array>;
}

/** A loaded model directory. */
export interface LoadedModel {
  model: FusedModel;
  /** Text of tokenizer.json, or null when the directory has none. */
  tokenizer: string | null;
  /** Parsed preprocessing.json, or null. */
  preprocessing: JsonValue | null;
  /** Every other extra file, as bytes. */
  files: Record<string, Uint8Array>;
}

const pad = (i: number): string => String(i).padStart(4, '0');

/**
 * Stable names of the model's variables in the weights file, by position: `encoders.<modality>.<i>`, `fusion.<i>`,
 * `heads.<task>.<i>` (components list their variables in a fixed order).
 */
export function modelTensorNames(model: FusedModel): Array<[string, tf.Variable]> {
  const named: Array<[string, tf.Variable]> = [];
  for (const m of model.modalities) model.encoders.get(m)?.variables().forEach((v, i) => named.push([`encoders.${m}.${pad(i)}`, v]));
  model.fusion.variables().forEach((v, i) => named.push([`fusion.${pad(i)}`, v]));
  for (const task of model.tasks()) model.heads(task.name).flatMap((h) => h.variables()).forEach((v, i) => named.push([`heads.${task.name}.${pad(i)}`, v]));
  return named;
}

/** Saves a model directory atomically: config.json, model.safetensors, tokenizer.json and preprocessing.json when given. */
export async function saveModel(model: FusedModel, dir: string, artifacts: ModelArtifacts = {}): Promise<void> {
  const named = modelTensorNames(model);
  const tensors: Record<string, SafetensorsTensor> = {};
  for (const [name, v] of named) tensors[name] = fromTfTensor(v);
  const extraFiles: Record<string, string | Uint8Array> = { ...(artifacts.files ?? {}) };
  if (artifacts.tokenizer !== undefined) {
    extraFiles[TOKENIZER_FILE] = typeof artifacts.tokenizer === 'string' ? artifacts.tokenizer : JSON.stringify(artifacts.tokenizer);
  }
  if (artifacts.preprocessing !== undefined) extraFiles[PREPROCESSING_FILE] = JSON.stringify(artifacts.preprocessing, null, 2);
  const variableNames = JSON.stringify(Object.fromEntries(named.map(([name, v]) => [name, v.name])));
  await saveModelDir(dir, { config: model.config(), tensors, metadata: { format: FORMAT, variables: variableNames }, extraFiles });
}

/** Loads a model directory: rebuilds the model from config.json and assigns its weights (a loaded model gives identical outputs). */
export async function loadModel(dir: string, context: { registry?: Registry } = {}): Promise<LoadedModel> {
  const loaded = await loadModelDir(dir, parseModelConfig);
  const model = buildModel(loaded.config, context.registry === undefined ? {} : { registry: context.registry });
  try {
    const named = modelTensorNames(model);
    const expected = new Set(named.map(([name]) => name));
    const unexpected = [...loaded.tensors.keys()].find((name) => !expected.has(name));
    if (unexpected !== undefined) throw new Error(`${dir}: model.safetensors has tensor "${unexpected}", which the model in config.json does not have`);
    for (const [name, variable] of named) {
      const stored = loaded.tensors.get(name);
      if (stored === undefined) throw new Error(`${dir}: model.safetensors has no tensor "${name}" (${variable.name})`);
      if (stored.shape.join(',') !== variable.shape.join(',')) {
        throw new Error(`${dir}: tensor "${name}" has shape [${stored.shape.join(', ')}]; the model's ${variable.name} is [${variable.shape.join(', ')}]`);
      }
      const value = toTfTensor(stored, name);
      variable.assign(value.dtype === variable.dtype ? value : tf.cast(value, variable.dtype));
      value.dispose();
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  const decoder = new TextDecoder();
  const files = { ...loaded.extraFiles };
  const take = (name: string): string | null => {
    const bytes = files[name];
    delete files[name];
    return bytes === undefined ? null : decoder.decode(bytes);
  };
  const tokenizer = take(TOKENIZER_FILE);
  const preprocessingText = take(PREPROCESSING_FILE);
  const preprocessing = preprocessingText === null ? null : (JSON.parse(preprocessingText) as JsonValue);
  return { model, tokenizer, preprocessing, files };
}
