// The BERT-family transformer text encoder: embeddings, a stack of layers and a pooling, as core's Encoder<'text'>.
import * as tf from '@tensorflow/tfjs';
import type { ComponentConfig, Encoder, EncoderOutput, JsonValue, TextInput } from '@finmm/core';
import { checkTransformerConfig, type TransformerConfig } from './config.js';
import { Embeddings } from './embeddings.js';
import { TransformerLayer } from './layer.js';
import { linear } from './ops.js';
import { ParamStore, type LinearParams, type NamedWeight } from './params.js';
import { POOLER_NAME } from './weight-names.js';

/** How `pooled` is made from the token vectors: first token, masked mean, or BERT's tanh pooler on the first token. */
export const POOLINGS = ['cls', 'mean', 'pooler'] as const;
export type Pooling = (typeof POOLINGS)[number];

/** The registered type name of the encoder. */
export const TRANSFORMER_TYPE = 'text/transformer';

/** How an encoder is built besides its architecture. */
export interface TransformerOptions {
  /** Pooling of `pooled`; default 'cls'. 'pooler' needs BERT or RoBERTa. */
  pooling?: Pooling;
  /** Prefix of every variable name, e.g. 'text/' (default ''), so that several encoders can coexist. */
  scope?: string;
  /** Seed of the initial weights; default null (random). */
  seed?: number | null;
  /** Standard deviation of the initial weights; default 0.02 (transformers' initializer_range). */
  initStd?: number;
  /** Computes Q, K and V with one projection; default true (faster on the native backend, see tools/bench). */
  fuseQkv?: boolean;
  /** The Hugging Face config.json the architecture came from, returned by `config()` so that rebuilding keeps it. */
  hfConfig?: Record<string, JsonValue> | null;
}

/** tf.tidy for an encoder output: frees the intermediates, keeps the output's tensors. */
function tidyOutput(fn: () => EncoderOutput): EncoderOutput {
  return tf.tidy(() => fn() as unknown as tf.TensorContainerObject) as unknown as EncoderOutput;
}

/** Float32's most negative value, added to attention scores of padding keys (as transformers does). */
const MASKED = -3.4028234663852886e38;

/**
 * A BERT / RoBERTa / DistilBERT encoder whose variables carry the Hugging Face state-dict names.
 *
 * ```ts
 * const encoder = new TransformerEncoder(parseHfConfig(json), { pooling: 'mean' });
 * const { pooled, tokens } = encoder.encode({ ids, attentionMask }, true);
 * ```
 */
export class TransformerEncoder implements Encoder<'text'> {
  readonly modality = 'text' as const;
  readonly outDim: number;
  readonly pooling: Pooling;
  readonly scope: string;
  readonly embeddings: Embeddings;
  readonly layers: TransformerLayer[];
  /** BERT's pooler; null for DistilBERT. */
  readonly pooler: LinearParams | null;
  private readonly store: ParamStore;
  /** The Hugging Face config.json the architecture came from, or null when built from named sizes. */
  readonly hfConfig: Record<string, JsonValue> | null;
  private readonly seed: number | null;

  constructor(
    /** The architecture. */
    readonly architecture: TransformerConfig,
    options: TransformerOptions = {},
  ) {
    checkTransformerConfig(architecture);
    this.pooling = options.pooling ?? 'cls';
    if (this.pooling === 'pooler' && architecture.modelType === 'distilbert') {
      throw new Error("pooling 'pooler' needs a BERT or RoBERTa encoder: DistilBERT has no pooler; use 'cls' or 'mean'");
    }
    this.scope = options.scope ?? '';
    this.seed = options.seed ?? null;
    this.hfConfig = options.hfConfig ?? null;
    this.outDim = architecture.hiddenSize;
    this.store = new ParamStore(this.scope, { std: options.initStd ?? 0.02, seed: this.seed });
    const fuseQkv = options.fuseQkv ?? true;
    try {
      this.embeddings = new Embeddings(this.store, architecture);
      this.layers = Array.from({ length: architecture.numLayers }, (_, i) => new TransformerLayer(this.store, architecture, i, fuseQkv));
      const d = architecture.hiddenSize;
      this.pooler = architecture.modelType === 'distilbert' ? null : this.store.linear(POOLER_NAME, d, d);
    } catch (error) {
      this.dispose(); // the variables made before the failure
      throw error;
    }
  }

  /**
   * Encodes token ids: `pooled` `[B, D]`, `tokens` `[B, T, D]` (the last hidden state), `tokenMask` `[B, T]`.
   * `embeddingDelta` `[B, T, D]` is added to the word vectors (see `embed`), for adversarial training.
   * DistilBERT has no segment embeddings and ignores `typeIds`.
   */
  encode(input: TextInput, training: boolean, options: { embeddingDelta?: tf.Tensor3D } = {}): EncoderOutput {
    return tidyOutput(() => {
      const words = this.embed(input); // [B, T, D]
      const delta = options.embeddingDelta;
      return this.encodeEmbeddings(input, delta === undefined ? words : tf.add(words, delta), training);
    });
  }

  /** Word vectors of the ids `[B, T, D]` (transformers' `inputs_embeds`), the input adversarial training perturbs. */
  embed(input: TextInput): tf.Tensor3D {
    return this.embeddings.lookup(input.ids);
  }

  /**
   * Encodes given word vectors `[B, T, D]`, e.g. `embed(input)` plus a perturbation; positions, segments and
   * padding still come from `input`.
   */
  encodeEmbeddings(input: TextInput, wordVectors: tf.Tensor3D, training: boolean): EncoderOutput {
    return tidyOutput(() => {
      const [batch, seqLen, d] = wordVectors.shape;
      const mask = tf.cast(input.attentionMask, 'float32'); // [B, T]
      const maskBias = tf.reshape(tf.mul(tf.sub(1, mask), MASKED), [batch, 1, 1, seqLen]) as tf.Tensor4D; // [B, 1, 1, T]
      let x = this.embeddings.forward(wordVectors, input, training); // [B*T, D]
      for (const layer of this.layers) x = layer.forward(x, maskBias, { batch, seqLen }, training);
      const tokens = tf.reshape(x, [batch, seqLen, d]) as tf.Tensor3D; // [B, T, D]
      return { pooled: this.pool(tokens, mask), tokens, tokenMask: mask };
    });
  }

  private pool(tokens: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
    const [batch, , d] = tokens.shape;
    if (this.pooling === 'mean') {
      const summed = tf.sum(tf.mul(tokens, tf.expandDims(mask, 2)), 1); // [B, D]
      return tf.div(summed, tf.maximum(tf.sum(mask, 1, true), 1)) as tf.Tensor2D; // [B, D] / [B, 1]
    }
    const first = tf.reshape(tf.slice(tokens, [0, 0, 0], [batch, 1, d]), [batch, d]) as tf.Tensor2D; // [B, 1, D] -> [B, D]
    if (this.pooling === 'cls' || this.pooler === null) return first;
    return tf.tanh(linear(first, this.pooler));
  }

  /** Variables bottom to top: embeddings, each layer, then the pooler (BERT, RoBERTa). */
  layerGroups(): tf.Variable[][] {
    const groups = [this.embeddings.variables(), ...this.layers.map((l) => l.variables())];
    if (this.pooler !== null) groups.push([this.pooler.weight, this.pooler.bias]);
    return groups;
  }

  /** Every variable, in Hugging Face state-dict order. */
  variables(): tf.Variable[] {
    return this.store.weights.map((w) => w.variable);
  }

  /** The variables with their Hugging Face state-dict names (without the scope). */
  namedWeights(): readonly NamedWeight[] {
    return this.store.weights;
  }

  /** The config that rebuilds this encoder: the Hugging Face config it came from, or its named sizes. */
  config(): ComponentConfig {
    const common: Record<string, JsonValue> = { pooling: this.pooling, scope: this.scope };
    if (this.seed !== null) common['seed'] = this.seed;
    if (this.hfConfig !== null) return { type: TRANSFORMER_TYPE, hf: this.hfConfig, ...common };
    return { type: TRANSFORMER_TYPE, ...this.architecture, ...common };
  }

  /** Frees every variable. */
  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}
