// `text/tfidf-plus`: the TF-IDF linear ("wide") branch next to the token branches ("deep": the n-gram bag, the
// transformer, or both), concatenated, as in wide & deep models (Cheng et al. 2016).
import * as tf from '@tensorflow/tfjs';
import { ConfigError, registry, tidyOutput, type BuildContext, type ComponentConfig, type Encoder, type EncoderOutput, type JsonValue, type Registration, type TextInput } from '@finmm/core';
import { TFIDF_ENCODER_TYPE, type TfidfEncoder } from '@finmm/encoders-text';
import { z } from 'zod';
import type { TfidfTextInput } from '../collator.js';

/** The registered type name of the TF-IDF + token branches encoder. */
export const TFIDF_PLUS_TYPE = 'text/tfidf-plus';

/** Whether a text input carries the TF-IDF branch's sparse rows. */
export function isTfidfTextInput(input: TextInput): input is TfidfTextInput {
  const wide = input as Partial<TfidfTextInput>;
  return wide.tfidfIds instanceof tf.Tensor && wide.tfidfValues instanceof tf.Tensor;
}

/**
 * The TF-IDF branch (`text/tfidf` over `tfidfIds`/`tfidfValues`) and another text encoder over the rest of the
 * input (`text/embedding-bag`, `text/transformer` or `text/ngram-transformer`): `pooled` is `[wide; deep]`
 * `[B, D_tfidf + D_deep]`. `embed`/`encodeEmbeddings` are the deep encoder's (adversarial training perturbs its
 * word vectors; the TF-IDF branch is left as it is).
 *
 * ```ts
 * const encoder = registry.build('encoder', { type: 'text/tfidf-plus', tfidf: { type: 'text/tfidf', dim: 32 },
 *   deep: { type: 'text/embedding-bag', dim: 64 } }, { vocabSize: 58000, tfidfVocabSize: 76427 });
 * ```
 */
export class TfidfPlusEncoder implements Encoder<'text'> {
  readonly modality = 'text' as const;
  readonly outDim: number;

  constructor(
    /** The TF-IDF linear branch. */
    readonly tfidf: TfidfEncoder,
    /** The token branches. */
    readonly deep: Encoder<'text'>,
    /** The seed the parts' seeds were derived from (seed + 1, seed + 2), or null. */
    readonly seed: number | null = null,
  ) {
    this.outDim = tfidf.outDim + deep.outDim;
  }

  /** Encodes both parts. */
  encode(input: TextInput, training: boolean): EncoderOutput {
    const wide = this.sparse(input);
    return tidyOutput(() => {
      const deep = this.deep.encode(input, training).pooled; // [B, Dd]
      return { pooled: tf.concat([this.tfidf.encode(wide, training).pooled, deep], 1) as tf.Tensor2D }; // [B, Dw + Dd]
    });
  }

  /** The deep encoder's word vectors (what adversarial training perturbs). */
  embed(input: TextInput): tf.Tensor {
    return this.embedding().embed(input);
  }

  /** Encodes the deep part from given word vectors and the TF-IDF part from the input's rows. */
  encodeEmbeddings(input: TextInput, vectors: tf.Tensor, training: boolean): EncoderOutput {
    const wide = this.sparse(input);
    return tidyOutput(() => {
      const deep = this.embedding().encodeEmbeddings(input, vectors, training).pooled; // [B, Dd]
      return { pooled: tf.concat([this.tfidf.encode(wide, training).pooled, deep], 1) as tf.Tensor2D }; // [B, Dw + Dd]
    });
  }

  private embedding(): Encoder<'text'> & { embed(input: TextInput): tf.Tensor; encodeEmbeddings(input: TextInput, vectors: tf.Tensor, training: boolean): EncoderOutput } {
    const deep = this.deep as Partial<{ embed: unknown; encodeEmbeddings: unknown }>;
    if (typeof deep.embed !== 'function' || typeof deep.encodeEmbeddings !== 'function') {
      throw new Error(`${TFIDF_PLUS_TYPE}: its deep encoder '${this.deep.config().type}' has no embedding layer to perturb`);
    }
    return this.deep as ReturnType<TfidfPlusEncoder['embedding']>;
  }

  /** The TF-IDF rows as the `text/tfidf` input (ids = columns, attentionMask = values). */
  private sparse(input: TextInput): TextInput {
    if (!isTfidfTextInput(input)) throw new Error(`${TFIDF_PLUS_TYPE}: the text input has no "tfidfIds"/"tfidfValues"; collate it with the sentiment app's collator`);
    return { ids: input.tfidfIds, attentionMask: input.tfidfValues };
  }

  /** The deep encoder's groups bottom to top, with the TF-IDF branch joining the top group. */
  layerGroups(): tf.Variable[][] {
    const groups = this.deep.layerGroups().map((g) => [...g]);
    if (groups.length === 0) return [this.tfidf.variables()];
    (groups[groups.length - 1] as tf.Variable[]).push(...this.tfidf.variables());
    return groups;
  }

  /** Every variable: the TF-IDF branch's, then the deep encoder's. */
  variables(): tf.Variable[] {
    return [...this.tfidf.variables(), ...this.deep.variables()];
  }

  /** The config that rebuilds this encoder (both parts' full configs, sizes included). */
  config(): ComponentConfig {
    const parts = { tfidf: this.tfidf.config() as unknown as JsonValue, deep: this.deep.config() as unknown as JsonValue };
    return { type: TFIDF_PLUS_TYPE, ...parts, ...(this.seed === null ? {} : { seed: this.seed }) };
  }

  /** Frees every variable. */
  dispose(): void {
    this.tfidf.dispose();
    this.deep.dispose();
  }
}

/** Config of `text/tfidf-plus`. */
export const tfidfPlusSchema = z.object({
  type: z.literal(TFIDF_PLUS_TYPE),
  tfidf: z.looseObject({ type: z.literal(TFIDF_ENCODER_TYPE) }).describe('the text/tfidf config (its vocabSize: build context tfidfVocabSize)'),
  deep: z.looseObject({ type: z.string() }).describe('the token branches: text/embedding-bag, text/transformer or text/ngram-transformer'),
  seed: z.number().int().optional().describe('seed of the parts without their own (tfidf: seed + 1, deep: seed + 2); default random'),
});

/** A part's config with a derived seed when it has none. */
function seeded(config: Record<string, unknown>, seed: number | null): Record<string, unknown> {
  return config['seed'] === undefined && seed !== null ? { ...config, seed } : config;
}

/** Registration of `text/tfidf-plus` (registered by the sentiment app's register.ts). */
export const tfidfPlusRegistration: Registration<'encoder', typeof tfidfPlusSchema> = {
  kind: 'encoder',
  type: TFIDF_PLUS_TYPE,
  description: 'TF-IDF linear branch concatenated with token branches (n-gram bag and/or transformer) over one sentence',
  schema: tfidfPlusSchema,
  build(c, context) {
    const { tfidfVocabSize, ...deepContext } = context;
    if (c.tfidf['vocabSize'] === undefined && typeof tfidfVocabSize !== 'number') {
      throw new ConfigError(`config field "encoders.text.tfidf.vocabSize" of encoder '${TFIDF_PLUS_TYPE}': required when the build context has no tfidfVocabSize`, 'encoders.text.tfidf.vocabSize');
    }
    const wideContext: BuildContext = typeof tfidfVocabSize === 'number' ? { vocabSize: tfidfVocabSize } : {};
    const seed = c.seed ?? null;
    const wide = registry.build('encoder', seeded(c.tfidf, seed === null ? null : seed + 1), wideContext, 'encoders.text.tfidf') as TfidfEncoder;
    try {
      const deep = registry.build('encoder', seeded(c.deep, seed === null ? null : seed + 2), deepContext, 'encoders.text.deep');
      if (deep.modality !== 'text') {
        deep.dispose();
        throw new ConfigError(`config field "encoders.text.deep": '${c.deep.type}' is not a text encoder`, 'encoders.text.deep');
      }
      return new TfidfPlusEncoder(wide, deep as Encoder<'text'>, seed);
    } catch (error) {
      wide.dispose();
      throw error;
    }
  },
  examples: [
    {
      type: TFIDF_PLUS_TYPE,
      tfidf: { type: TFIDF_ENCODER_TYPE, vocabSize: 30, dim: 4, seed: 1 },
      deep: { type: 'text/embedding-bag', vocabSize: 20, dim: 6, seed: 2 },
    },
  ],
};
