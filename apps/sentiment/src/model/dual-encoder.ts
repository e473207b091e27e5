// `text/ngram-transformer`: a fastText-style hashed n-gram embedding bag and a (pretrained) transformer over the
// same sentences, combined into one text embedding by concatenation or a gated sum.
import * as tf from '@tensorflow/tfjs';
import {
  ConfigError,
  dense,
  InstanceCounter,
  ParamStore,
  registry,
  tidyOutput,
  type BuildContext,
  type ComponentConfig,
  type DenseParams,
  type Encoder,
  type EncoderOutput,
  type JsonValue,
  type Registration,
  type TextInput,
} from '@finmm/core';
import { EMBEDDING_BAG_TYPE, TRANSFORMER_TYPE, type EmbeddingBagEncoder, type TransformerEncoder } from '@finmm/encoders-text';
import { z } from 'zod';
import type { DualTextInput } from '../collator.js';

/** The registered type name of the two-branch text encoder. */
export const DUAL_TEXT_TYPE = 'text/ngram-transformer';

/** How the branches' embeddings are combined. */
export const COMBINES = ['concat', 'gated'] as const;
/** One of COMBINES. */
export type Combine = (typeof COMBINES)[number];

/** Everything `text/ngram-transformer` is built from (its config without `type`). */
export interface DualTextOptions {
  /** The `text/embedding-bag` config of the n-gram branch (its vocabSize: build context `ngramVocabSize`). */
  ngram: ComponentConfig;
  /** The `text/transformer` config (its vocabSize: build context `vocabSize`). */
  transformer: ComponentConfig;
  /** `concat`: `[bag; transformer]`; `gated`: `a_1 tanh(W_1 bag) + a_2 tanh(W_2 transformer)`, a = softmax of learned scores. */
  combine: Combine;
  /** Width of the gated projections. */
  dim: number;
  /** Seed of the gate's weights (and of the branches without their own seed); null for random. */
  seed: number | null;
}

const instances = new InstanceCounter();

/** Whether a text input carries the n-gram branch's ids. */
export function isDualTextInput(input: TextInput): input is DualTextInput {
  const dual = input as Partial<DualTextInput>;
  return dual.ngramIds instanceof tf.Tensor && dual.ngramMask instanceof tf.Tensor;
}

/**
 * Two text branches over one sentence: the transformer reads `ids`/`attentionMask` ([CLS] pieces [SEP]), the
 * embedding bag reads `ngramIds`/`ngramMask` (pieces and hashed word n-grams). `pooled` is their concatenation
 * `[B, D_bag + D_transformer]` or their gated sum `[B, dim]` (a gated multimodal unit over the two branches, as
 * `fusion/gated` does over modalities). `embed` exposes the transformer's word vectors for adversarial training.
 *
 * ```ts
 * const encoder = registry.build('encoder', { type: 'text/ngram-transformer', ngram: { type: 'text/embedding-bag', dim: 64 },
 *   transformer: { type: 'text/transformer', hf: config }, combine: 'concat' }, { vocabSize: 8000, ngramVocabSize: 58000 });
 * ```
 */
export class DualTextEncoder implements Encoder<'text'> {
  readonly modality = 'text' as const;
  readonly outDim: number;
  private readonly params: ParamStore;
  private readonly gate: { projections: [DenseParams, DenseParams]; scores: [DenseParams, DenseParams] } | null;

  constructor(
    readonly options: DualTextOptions,
    /** The n-gram branch. */
    readonly ngram: EmbeddingBagEncoder,
    /** The transformer branch. */
    readonly transformer: TransformerEncoder,
  ) {
    this.params = new ParamStore(instances.nextPrefix(DUAL_TEXT_TYPE), options.seed);
    if (options.combine === 'concat') {
      this.gate = null;
      this.outDim = ngram.outDim + transformer.outDim;
    } else {
      this.gate = {
        projections: [this.params.dense('project.ngram', ngram.outDim, options.dim), this.params.dense('project.transformer', transformer.outDim, options.dim)],
        scores: [this.params.dense('gate.ngram', options.dim, 1), this.params.dense('gate.transformer', options.dim, 1)],
      };
      this.outDim = options.dim;
    }
  }

  /** Encodes both branches. */
  encode(input: TextInput, training: boolean): EncoderOutput {
    return tidyOutput(() => this.encodeEmbeddings(input, this.embed(input), training));
  }

  /** The transformer's word vectors `[B, T, D]` (what adversarial training perturbs). */
  embed(input: TextInput): tf.Tensor3D {
    return this.transformer.embed(input);
  }

  /** Encodes the transformer from given word vectors `[B, T, D]` and the bag from the input's n-gram ids. */
  encodeEmbeddings(input: TextInput, wordVectors: tf.Tensor3D, training: boolean): EncoderOutput {
    if (!isDualTextInput(input)) {
      throw new Error(`${DUAL_TEXT_TYPE}: the text input has no "ngramIds"/"ngramMask"; collate it with the sentiment app's collator`);
    }
    return tidyOutput(() => {
      const sentence = this.transformer.encodeEmbeddings(input, wordVectors, training).pooled; // [B, Dt]
      const bag = this.ngram.encode({ ids: input.ngramIds, attentionMask: input.ngramMask }, training).pooled; // [B, Dn]
      if (this.gate === null) return { pooled: tf.concat([bag, sentence], 1) as tf.Tensor2D }; // [B, Dn + Dt]
      const { projected, weights } = this.gated(bag, sentence);
      return { pooled: tf.sum(tf.mul(projected, tf.expandDims(weights, 2)), 1) as tf.Tensor2D }; // [B, 2, dim] -> [B, dim]
    });
  }

  /** The branches' projections `u_k = tanh(W_k h_k)` `[B, 2, dim]` and their softmax gate weights `[B, 2]`. */
  private gated(bag: tf.Tensor2D, sentence: tf.Tensor2D): { projected: tf.Tensor3D; weights: tf.Tensor2D } {
    const gate = this.gate;
    if (gate === null) throw new Error(`${DUAL_TEXT_TYPE}: combine '${this.options.combine}' has no gate`);
    const u = [tf.tanh(dense(bag, gate.projections[0])), tf.tanh(dense(sentence, gate.projections[1]))]; // 2 x [B, dim]
    const scores = tf.concat([dense(u[0] as tf.Tensor2D, gate.scores[0]), dense(u[1] as tf.Tensor2D, gate.scores[1])], 1); // [B, 2]
    return { projected: tf.stack(u, 1) as tf.Tensor3D, weights: tf.softmax(scores) as tf.Tensor2D }; // [B, 2, dim], [B, 2]
  }

  /** The gate's weight of each branch `[B, 2]` (bag, transformer); null with `concat`. */
  gateWeights(input: TextInput): tf.Tensor2D | null {
    if (this.gate === null) return null;
    if (!isDualTextInput(input)) throw new Error(`${DUAL_TEXT_TYPE}: the text input has no "ngramIds"/"ngramMask"`);
    return tf.tidy(() => {
      const sentence = this.transformer.encode(input, false).pooled; // [B, Dt]
      const bag = this.ngram.encode({ ids: input.ngramIds, attentionMask: input.ngramMask }, false).pooled; // [B, Dn]
      return this.gated(bag, sentence).weights;
    });
  }

  /** The combination's own variables (the gate's projections and scores; none with `concat`). */
  combineVariables(): tf.Variable[] {
    return this.params.variables();
  }

  /** Bottom to top: the transformer's groups, then the bag and the combination together on top. */
  layerGroups(): tf.Variable[][] {
    return [...this.transformer.layerGroups(), [...this.ngram.variables(), ...this.params.variables()]];
  }

  /** Every variable: the bag's, the transformer's, the combination's. */
  variables(): tf.Variable[] {
    return [...this.ngram.variables(), ...this.transformer.variables(), ...this.params.variables()];
  }

  /** The config that rebuilds this encoder (the branches' full configs, vocabulary sizes included). */
  config(): ComponentConfig {
    const { combine, dim, seed } = this.options;
    return {
      type: DUAL_TEXT_TYPE,
      ngram: this.ngram.config() as unknown as JsonValue,
      transformer: this.transformer.config() as unknown as JsonValue,
      combine,
      dim,
      ...(seed === null ? {} : { seed }),
    };
  }

  /** Frees every variable. */
  dispose(): void {
    this.ngram.dispose();
    this.transformer.dispose();
    this.params.dispose();
  }
}

const branch = (type: string) => z.looseObject({ type: z.literal(type) });

/** Config of `text/ngram-transformer`. */
export const dualTextSchema = z.object({
  type: z.literal(DUAL_TEXT_TYPE),
  ngram: branch(EMBEDDING_BAG_TYPE).describe("the n-gram branch's text/embedding-bag config"),
  transformer: branch(TRANSFORMER_TYPE).describe("the text/transformer config"),
  combine: z.enum(COMBINES).default('concat').describe("'concat' or 'gated'; default 'concat'"),
  dim: z.number().int().positive().default(128).describe('width of the gated projections; default 128'),
  seed: z.number().int().optional().describe('seed of the gate (branches without a seed get seed + 1, seed + 2); default random'),
});

/** Builds one branch through the registry, with a derived seed when it has none; errors name `encoders.text.<field>`. */
function buildBranch(field: 'ngram' | 'transformer', config: Record<string, unknown>, seed: number | null, context: BuildContext): Encoder {
  const withSeed = config['seed'] === undefined && seed !== null ? { ...config, seed } : config;
  return registry.build('encoder', withSeed, context, `encoders.text.${field}`);
}

/** Registration of `text/ngram-transformer` (registered by the sentiment app's register.ts). */
export const dualTextRegistration: Registration<'encoder', typeof dualTextSchema> = {
  kind: 'encoder',
  type: DUAL_TEXT_TYPE,
  description: 'hashed n-gram embedding bag and transformer over one sentence, concatenated or gated',
  schema: dualTextSchema,
  build(c, context) {
    const seed = c.seed ?? null;
    const ngramVocab = context['ngramVocabSize'];
    const ngramContext: BuildContext = typeof ngramVocab === 'number' ? { vocabSize: ngramVocab } : {};
    if (c.ngram['vocabSize'] === undefined && ngramContext['vocabSize'] === undefined) {
      throw new ConfigError(`config field "encoders.text.ngram.vocabSize" of encoder '${DUAL_TEXT_TYPE}': required when the build context has no ngramVocabSize`, 'encoders.text.ngram.vocabSize');
    }
    const ngram = buildBranch('ngram', c.ngram, seed === null ? null : seed + 1, ngramContext) as EmbeddingBagEncoder;
    let transformer: TransformerEncoder;
    try {
      transformer = buildBranch('transformer', c.transformer, seed === null ? null : seed + 2, context) as TransformerEncoder;
    } catch (error) {
      ngram.dispose();
      throw error;
    }
    try {
      return new DualTextEncoder({ ngram: c.ngram as ComponentConfig, transformer: c.transformer as ComponentConfig, combine: c.combine, dim: c.dim, seed }, ngram, transformer);
    } catch (error) {
      ngram.dispose();
      transformer.dispose();
      throw error;
    }
  },
  examples: [
    {
      type: DUAL_TEXT_TYPE,
      ngram: { type: EMBEDDING_BAG_TYPE, vocabSize: 40, dim: 8 },
      transformer: { type: TRANSFORMER_TYPE, vocabSize: 30, hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 16, maxPositions: 16 },
      combine: 'gated',
      dim: 8,
      seed: 1,
    },
  ],
};
