// Loads and saves Hugging Face model directories (config.json + model.safetensors) of BERT, DistilBERT and RoBERTa:
// the encoder's variables carry the state-dict names, so the mapping is a prefix strip and a shape check.
import * as tf from '@tensorflow/tfjs';
import {
  fromTfTensor,
  loadModelDir,
  saveModelDir,
  toTfTensor,
  type JsonValue,
  type SafetensorsTensor,
} from '@finmm/core';
import { parseHfConfig, toHfConfig } from './config.js';
import { TransformerEncoder, type TransformerOptions } from './encoder.js';
import { BASE_MODEL_PREFIX, IGNORED_BUFFERS, POOLER_NAME } from './weight-names.js';

/** A checkpoint whose weights do not match the encoder: names the missing, unexpected or misshapen weights. */
export class HfCheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HfCheckpointError';
  }
}

/** What loading a checkpoint did besides copying the encoder's weights. */
export interface HfLoadReport {
  /** The prefix stripped from the base model's weights (`bert.` in task checkpoints), or ''. */
  prefix: string;
  /** Checkpoint tensors that are not part of the encoder: task heads (`cls.*`, `classifier.*`) and old buffers. */
  ignored: string[];
  /** Encoder weights the checkpoint lacks and that keep their fresh initialisation (only an unused pooler). */
  initialised: string[];
}

const LIST_LIMIT = 12;

function listNames(names: string[]): string {
  const shown = names.slice(0, LIST_LIMIT).join(', ');
  return names.length > LIST_LIMIT ? `${shown} and ${names.length - LIST_LIMIT} more` : shown;
}

// TF1-era checkpoints name LayerNorm parameters gamma/beta; transformers renames them on load too.
function modernName(name: string): string {
  return name.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias');
}

/**
 * Copies a Hugging Face state dict into `encoder`; `source` names the checkpoint in errors.
 * Weights of the base model may carry the task prefix (`bert.`, `roberta.`, `distilbert.`); tensors outside it are
 * task heads and are ignored. Missing or unexpected base weights and shape mismatches are errors.
 */
export function loadHfWeights(encoder: TransformerEncoder, tensors: ReadonlyMap<string, SafetensorsTensor>, source: string): HfLoadReport {
  const prefix = BASE_MODEL_PREFIX[encoder.architecture.modelType];
  const names = [...tensors.keys()];
  const prefixed = names.some((n) => n.startsWith(prefix));
  const ignored: string[] = [];
  const base = new Map<string, SafetensorsTensor>();
  for (const [name, tensor] of tensors) {
    const inBase = !prefixed || name.startsWith(prefix);
    const key = modernName(inBase && prefixed ? name.slice(prefix.length) : name);
    if (!inBase || IGNORED_BUFFERS.includes(key)) ignored.push(name);
    else base.set(key, tensor);
  }
  const wanted = encoder.namedWeights();
  const poolerOptional = encoder.pooling !== 'pooler';
  const missing = wanted.map((w) => w.name).filter((n) => !base.has(n));
  const initialised = poolerOptional ? missing.filter((n) => n.startsWith(`${POOLER_NAME}.`)) : [];
  const fatalMissing = missing.filter((n) => !initialised.includes(n));
  const known = new Set(wanted.map((w) => w.name));
  const unexpected = [...base.keys()].filter((n) => !known.has(n)).map((n) => (prefixed ? `${prefix}${n}` : n));
  if (fatalMissing.length > 0 || unexpected.length > 0) {
    const parts = [];
    if (fatalMissing.length > 0) parts.push(`missing weights: ${listNames(fatalMissing)}`);
    if (unexpected.length > 0) parts.push(`unexpected weights: ${listNames(unexpected)}`);
    throw new HfCheckpointError(`${source} does not match a ${encoder.architecture.modelType} encoder of this config; ${parts.join('; ')}`);
  }
  for (const weight of wanted) {
    const tensor = base.get(weight.name);
    if (tensor === undefined) continue;
    const shape = weight.variable.shape;
    if (tensor.shape.length !== shape.length || tensor.shape.some((n, i) => n !== shape[i])) {
      throw new HfCheckpointError(`${source}: weight ${weight.name} has shape [${tensor.shape.join(', ')}], the encoder needs [${shape.join(', ')}]`);
    }
  }
  for (const weight of wanted) {
    const tensor = base.get(weight.name);
    if (tensor === undefined) continue;
    tf.tidy(() => weight.variable.assign(toTfTensor(tensor, weight.name)));
  }
  return { prefix: prefixed ? prefix : '', ignored, initialised };
}

/** The encoder's weights as a Hugging Face state dict (float32, names without prefix). */
export function hfStateDict(encoder: TransformerEncoder): Map<string, SafetensorsTensor> {
  const dict = new Map<string, SafetensorsTensor>();
  for (const weight of encoder.namedWeights()) dict.set(weight.name, fromTfTensor(weight.variable, 'F32'));
  return dict;
}

/** A Hugging Face model directory loaded into a new encoder, with what the loading skipped. */
export interface LoadedHfModel {
  encoder: TransformerEncoder;
  report: HfLoadReport;
}

/**
 * Loads a Hugging Face model directory (`config.json` + `model.safetensors`) of model_type bert, distilbert or
 * roberta into a new encoder; `options` choose pooling, scope and the like.
 */
export async function loadHfModel(dir: string, options: Omit<TransformerOptions, 'hfConfig'> = {}): Promise<LoadedHfModel> {
  const { config, tensors } = await loadModelDir(dir, (raw) => {
    parseHfConfig(raw);
    return raw as Record<string, JsonValue>;
  });
  const encoder = new TransformerEncoder(parseHfConfig(config), { ...options, hfConfig: config });
  try {
    return { encoder, report: loadHfWeights(encoder, tensors, `${dir}/model.safetensors`) };
  } catch (error) {
    encoder.dispose();
    throw error;
  }
}

/**
 * Saves the encoder as a Hugging Face model directory that `AutoModel.from_pretrained(dir)` loads; the directory is
 * replaced atomically. Fields of the config.json it was loaded from are kept.
 */
export async function saveHfModel(encoder: TransformerEncoder, dir: string): Promise<void> {
  await saveModelDir(dir, {
    config: toHfConfig(encoder.architecture, encoder.hfConfig ?? {}),
    tensors: hfStateDict(encoder),
    metadata: { format: 'pt' }, // transformers refuses safetensors files without a known format
  });
}
