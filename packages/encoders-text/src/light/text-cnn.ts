// `text/cnn`: Kim's (2014) TextCNN: embeddings, parallel 1-D convolutions, ReLU, max over time, dropout.
import * as tf from '@tensorflow/tfjs';
import { dropout, ParamStore, tidyOutput, type ComponentConfig, type Encoder, type EncoderOutput, type TextInput } from '@finmm/core';
import type { LightEncodeOptions } from './embedding-bag.js';
import { lightInstances } from './instances.js';
import { checkEmbeddings, checkTextInput, floatMask, lookup } from './ops.js';

/** The registered type name of the TextCNN. */
export const TEXT_CNN_TYPE = 'text/cnn';

/** Everything `text/cnn` is built from (its config without `type`). */
export interface TextCnnOptions {
  /** Rows of the embedding table: every id the input may hold. */
  vocabSize: number;
  /** Width E of the embeddings. */
  embeddingDim: number;
  /** Window widths of the parallel convolutions, e.g. [3, 4, 5]. */
  widths: number[];
  /** Filters of each convolution; `outDim` is `filters * widths.length`. */
  filters: number;
  /** Dropout on `pooled` in training. */
  dropout: number;
  /** Seed of the initial weights; null for random. */
  seed: number | null;
}

interface ConvParams {
  kernel: tf.Variable; // [w, E, F]
  bias: tf.Variable; // [F]
}

/**
 * TextCNN: the embeddings of padding positions are zeroed, each convolution of width w runs with 'same' padding (so
 * feature t sees tokens around t, and zeros past either end), ReLU; `tokens` `[B, T, F * widths]` are those feature
 * maps side by side, and `pooled` is their maximum over the real (mask 1) positions, then dropout. Padding therefore
 * never changes `pooled`. Variable-width windows and max pooling follow Kim (2014).
 */
export class TextCnnEncoder implements Encoder<'text'> {
  readonly modality = 'text' as const;
  readonly outDim: number;
  private readonly params: ParamStore;
  private readonly table: tf.Variable;
  private readonly convs: ConvParams[];

  constructor(readonly options: TextCnnOptions) {
    const { vocabSize, embeddingDim, widths, filters } = options;
    if (widths.length === 0) throw new Error(`${TEXT_CNN_TYPE}: needs at least one window width`);
    this.outDim = filters * widths.length;
    this.params = new ParamStore(lightInstances.nextPrefix(TEXT_CNN_TYPE), options.seed);
    this.table = this.params.normal('embeddings', [vocabSize, embeddingDim], 0.1);
    this.convs = widths.map((w, i) => ({
      kernel: this.params.glorot(`conv${i}.kernel`, w * embeddingDim, w * filters, [w, embeddingDim, filters]),
      bias: this.params.zeros(`conv${i}.bias`, [filters]),
    }));
  }

  /** Encodes ids; `embeddingDelta` `[B, T, E]` is added to the embeddings before the convolutions. */
  encode(input: TextInput, training: boolean, options: LightEncodeOptions = {}): EncoderOutput {
    return tidyOutput(() => {
      const vectors = this.embed(input); // [B, T, E]
      const delta = options.embeddingDelta;
      if (delta === undefined) return this.encodeEmbeddings(input, vectors, training);
      const [batch, seqLen] = vectors.shape;
      checkEmbeddings(delta, batch, seqLen, this.options.embeddingDim, TEXT_CNN_TYPE, 'embeddingDelta');
      return this.encodeEmbeddings(input, tf.add(vectors, delta), training);
    });
  }

  /** The embeddings of the ids `[B, T, E]`, what adversarial training perturbs. */
  embed(input: TextInput): tf.Tensor3D {
    checkTextInput(input, TEXT_CNN_TYPE);
    return lookup(this.table, input.ids);
  }

  /** Encodes given embeddings `[B, T, E]` (e.g. `embed(input)` plus a perturbation) with the input's mask. */
  encodeEmbeddings(input: TextInput, vectors: tf.Tensor3D, training: boolean): EncoderOutput {
    const [batch, seqLen] = checkTextInput(input, TEXT_CNN_TYPE);
    checkEmbeddings(vectors, batch, seqLen, this.options.embeddingDim, TEXT_CNN_TYPE, 'the embeddings');
    return tidyOutput(() => {
      const mask = floatMask(input); // [B, T]
      const keep = tf.expandDims(mask, 2); // [B, T, 1]
      const x = tf.mul(vectors, keep) as tf.Tensor3D; // [B, T, E], padding zeroed
      const maps = this.convs.map(({ kernel, bias }) => tf.relu(tf.add(tf.conv1d(x, kernel as tf.Tensor3D, 1, 'same'), bias))); // [B, T, F] each
      const tokens = (maps.length === 1 ? maps[0] : tf.concat(maps, 2)) as tf.Tensor3D; // [B, T, F * widths]
      // ReLU outputs are >= 0, so zeroing padded positions before the max leaves the max over real positions.
      const pooled = tf.max(tf.mul(tokens, keep), 1) as tf.Tensor2D; // [B, F * widths]
      return { pooled: dropout(pooled, this.options.dropout, training), tokens, tokenMask: mask };
    });
  }

  /** Bottom to top: the embeddings, then the parallel convolutions. */
  layerGroups(): tf.Variable[][] {
    return [[this.table], this.convs.flatMap((c) => [c.kernel, c.bias])];
  }

  /** Every variable, in creation order. */
  variables(): tf.Variable[] {
    return this.params.variables();
  }

  /** The config that rebuilds this encoder. */
  config(): ComponentConfig {
    const { seed, ...rest } = this.options;
    return { type: TEXT_CNN_TYPE, ...rest, widths: [...rest.widths], ...(seed === null ? {} : { seed }) };
  }

  /** Frees every variable. */
  dispose(): void {
    this.params.dispose();
  }
}
