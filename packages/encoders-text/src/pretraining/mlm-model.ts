// The masked-language model as a core Model: a BERT encoder, the MLM head tied to its word embeddings, and one task
// "mlm" (multiclass over the vocabulary) scored at the masked positions only.
import * as tf from '@tensorflow/tfjs';
import type { Batch, ForwardOptions, JsonValue, Model, ModelOutputs, ParameterGroup, TaskSpec, TextInput } from '@finmm/core';
import type { TransformerConfig } from '../transformer/config.js';
import { TransformerEncoder } from '../transformer/encoder.js';
import { MLM_TASK, type MlmTextInput } from './collator.js';
import { MlmHead } from './mlm-head.js';
import { MlmLoss } from './mlm-loss.js';

/** How an MlmModel is built. */
export interface MlmModelOptions {
  /** Prefix of every variable name; default 'mlm/'. */
  scope?: string;
  /** Seed of the initial weights; default null (random). */
  seed?: number | null;
  /** The Hugging Face config.json the architecture came from (kept in the saved config). */
  hfConfig?: Record<string, JsonValue> | null;
}

function hasMaskedPositions(input: TextInput): input is MlmTextInput {
  return (input as Partial<MlmTextInput>).maskedPositions instanceof tf.Tensor;
}

/**
 * BERT with its masked-language-model head, in the layout of transformers' `BertForMaskedLM`.
 * `forward` returns `outputs.mlm` `[M, V]`: logits at the batch's `maskedPositions` (see MlmCollator), or at every
 * position `[B*T, V]` when the input has none.
 *
 * ```ts
 * const model = new MlmModel(architecture, { seed: 1 });
 * const batch = new MlmCollator(vocab).collate(sequences, rng);
 * const logits = model.forward(batch, { training: true }).outputs.mlm; // [M, V]
 * ```
 */
export class MlmModel implements Model {
  readonly encoder: TransformerEncoder;
  readonly head: MlmHead;
  private readonly taskSpec: TaskSpec;

  constructor(
    readonly architecture: TransformerConfig,
    options: MlmModelOptions = {},
  ) {
    if (architecture.modelType !== 'bert') {
      throw new Error(`MlmModel: only BERT's MLM head is implemented; this architecture is ${architecture.modelType}`);
    }
    const scope = options.scope ?? 'mlm/';
    const seed = options.seed ?? null;
    this.encoder = new TransformerEncoder(architecture, { pooling: 'cls', scope, seed, hfConfig: options.hfConfig ?? null });
    try {
      this.head = new MlmHead(architecture, { scope, seed: seed === null ? null : seed + 7919 });
    } catch (error) {
      this.encoder.dispose();
      throw error;
    }
    this.taskSpec = { name: MLM_TASK, kind: 'multiclass', outDim: architecture.vocabSize, loss: new MlmLoss(), weight: 1 };
  }

  /** The one task, "mlm": multiclass over the vocabulary. */
  tasks(): TaskSpec[] {
    return [this.taskSpec];
  }

  /** Encodes `batch.inputs.text` and scores the vocabulary at its masked positions (or everywhere). */
  forward(batch: Batch, options: ForwardOptions): ModelOutputs {
    const input = batch.inputs.text;
    if (input === undefined) throw new Error('MlmModel.forward: the batch has no text input');
    const delta = options.embeddingDeltas?.text as tf.Tensor3D | undefined;
    return tf.tidy(() => {
      const words = this.encoder.embed(input); // [B, T, D]
      const encoded = this.encoder.encodeEmbeddings(input, delta === undefined ? words : tf.add(words, delta), options.training);
      const tokens = encoded.tokens as tf.Tensor3D;
      const [b, t, d] = tokens.shape;
      const flat = tf.reshape(tokens, [b * t, d]) as tf.Tensor2D; // [B*T, D]
      const hidden = hasMaskedPositions(input) ? (tf.gather(flat, input.maskedPositions) as tf.Tensor2D) : flat; // [M, D]
      const logits = this.head.forward(hidden, this.encoder.embeddings.words);
      return { outputs: { [MLM_TASK]: logits }, latent: encoded.pooled, embeddings: { text: words } } as unknown as tf.TensorContainerObject;
    }) as unknown as ModelOutputs;
  }

  /** Logits `[B, T, V]` at every position, in evaluation mode (transformers' `BertForMaskedLM(...).logits`). */
  logits(input: TextInput): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, t] = input.ids.shape;
      const batch: Batch = { size: b, inputs: { text: { ids: input.ids, attentionMask: input.attentionMask, ...(input.typeIds ? { typeIds: input.typeIds } : {}) } }, present: {}, labels: {} };
      const flat = this.forward(batch, { training: false }).outputs[MLM_TASK] as tf.Tensor2D; // [B*T, V]
      return tf.reshape(flat, [b, t, this.architecture.vocabSize]) as tf.Tensor3D; // [B, T, V]
    });
  }

  /** Encoder variables then the head's. */
  variables(): tf.Variable[] {
    return [...this.encoder.variables(), ...this.head.variables()];
  }

  /** `text.embeddings`, `text.layer.<i>` (the pooler, unused by MLM, rides with the top layer), then `head.mlm`. */
  parameterGroups(): ParameterGroup[] {
    const layers = this.encoder.layerGroups();
    const pooler = this.encoder.pooler === null ? [] : [this.encoder.pooler.weight, this.encoder.pooler.bias];
    const stack = pooler.length > 0 ? layers.slice(0, -1) : layers;
    const top = stack.length - 1;
    const groups: ParameterGroup[] = stack.map((variables, depth) => ({
      name: depth === 0 ? 'text.embeddings' : `text.layer.${depth - 1}`,
      variables: depth === top ? [...variables, ...pooler] : variables,
      depth,
      maxDepth: top,
      pretrained: false,
    }));
    groups.push({ name: `head.${MLM_TASK}`, variables: this.head.variables(), depth: 0, maxDepth: 0, pretrained: false });
    return groups;
  }

  /** `{type: 'mlm/bert', encoder: <the encoder's registry config>}`. */
  config(): JsonValue {
    return { type: 'mlm/bert', encoder: this.encoder.config() };
  }

  /** Frees every variable. */
  dispose(): void {
    this.encoder.dispose();
    this.head.dispose();
  }
}
