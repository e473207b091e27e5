// Saves and loads an MlmModel as a Hugging Face `BertForMaskedLM` directory: `bert.`-prefixed encoder weights
// (no pooler: BertForMaskedLM has none), the `cls.predictions.*` head, the decoder tied to the word embeddings.
import * as tf from '@tensorflow/tfjs';
import { fromTfTensor, loadModelDir, saveModelDir, toTfTensor, type JsonValue, type SafetensorsTensor } from '@finmm/core';
import { parseHfConfig, toHfConfig } from '../transformer/config.js';
import { HfCheckpointError, loadHfWeights } from '../transformer/hf-checkpoint.js';
import { BASE_MODEL_PREFIX, POOLER_NAME } from '../transformer/weight-names.js';
import { MlmModel, type MlmModelOptions } from './mlm-model.js';

/** The transformers class whose layout the saved directory has. */
export const MLM_ARCHITECTURE = 'BertForMaskedLM';

/** The model's config.json: the encoder's fields plus `architectures: ["BertForMaskedLM"]` and tied embeddings. */
export function mlmHfConfig(model: MlmModel): Record<string, JsonValue> {
  return { ...toHfConfig(model.architecture, model.encoder.hfConfig ?? {}), architectures: [MLM_ARCHITECTURE], tie_word_embeddings: true };
}

/** The model's weights as a BertForMaskedLM state dict (float32). */
export function mlmStateDict(model: MlmModel): Map<string, SafetensorsTensor> {
  const prefix = BASE_MODEL_PREFIX.bert;
  const dict = new Map<string, SafetensorsTensor>();
  for (const w of model.encoder.namedWeights()) {
    if (w.name.startsWith(`${POOLER_NAME}.`)) continue;
    dict.set(`${prefix}${w.name}`, fromTfTensor(w.variable, 'F32'));
  }
  for (const w of model.head.namedWeights()) dict.set(w.name, fromTfTensor(w.variable, 'F32'));
  return dict;
}

/**
 * Saves the model as a Hugging Face BertForMaskedLM directory (config.json, model.safetensors and `extraFiles` such
 * as tokenizer.json), replacing `dir` atomically; `BertForMaskedLM.from_pretrained(dir)` loads it and `pretrained:`
 * of the `text/transformer` registry entry reads its encoder.
 */
export async function saveMlmModel(model: MlmModel, dir: string, extraFiles: Record<string, string | Uint8Array> = {}): Promise<void> {
  await saveModelDir(dir, { config: mlmHfConfig(model), tensors: mlmStateDict(model), metadata: { format: 'pt' }, extraFiles });
}

/** What loading an MLM directory did. */
export interface LoadedMlmModel {
  model: MlmModel;
  /** Head weights the checkpoint lacked (e.g. a plain BertModel checkpoint), left at their fresh initialisation. */
  initialisedHead: string[];
  /** Extra files of the directory (tokenizer.json, pretraining.json, ...) as bytes. */
  extraFiles: Record<string, Uint8Array>;
}

/**
 * Loads a BERT directory (BertForMaskedLM, BertModel or a task checkpoint) into a new MlmModel, e.g. to continue
 * pretraining. A checkpoint without the MLM head gets a fresh one (listed in `initialisedHead`); a head of the wrong
 * shape is an error naming the weight.
 */
export async function loadMlmModel(dir: string, options: Omit<MlmModelOptions, 'hfConfig'> = {}): Promise<LoadedMlmModel> {
  const { config, tensors, extraFiles } = await loadModelDir(dir, (raw) => {
    parseHfConfig(raw);
    return raw as Record<string, JsonValue>;
  });
  const model = new MlmModel(parseHfConfig(config), { ...options, hfConfig: config });
  try {
    const source = `${dir}/model.safetensors`;
    loadHfWeights(model.encoder, tensors, source);
    const initialisedHead: string[] = [];
    for (const w of model.head.namedWeights()) {
      const tensor = tensors.get(w.name);
      if (tensor === undefined) {
        initialisedHead.push(w.name);
        continue;
      }
      const shape = w.variable.shape;
      if (tensor.shape.length !== shape.length || tensor.shape.some((n, i) => n !== shape[i])) {
        throw new HfCheckpointError(`${source}: weight ${w.name} has shape [${tensor.shape.join(', ')}], the MLM head needs [${shape.join(', ')}]`);
      }
      tf.tidy(() => w.variable.assign(toTfTensor(tensor, w.name)));
    }
    return { model, initialisedHead, extraFiles };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
