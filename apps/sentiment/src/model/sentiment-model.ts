// The model the trainer sees: a FusedModel whose text parameter groups are named by branch, so that a config
// can give the pretrained transformer a lower learning rate (`groupLr: { "text.transformer.*": 0.1 }`) than the
// n-gram bag, the fusion and the head.
import type * as tf from '@tensorflow/tfjs';
import type { Batch, Encoder, ForwardOptions, JsonValue, Model, ModelOutputs, ParameterGroup, TaskSpec } from '@finmm/core';
import { EmbeddingBagEncoder, TfidfEncoder, TransformerEncoder } from '@finmm/encoders-text';
import type { FusedModel } from '@finmm/fusion';
import { DualTextEncoder } from './dual-encoder.js';
import { TfidfPlusEncoder } from './tfidf-plus.js';

/** Groups of one encoder from its layer groups bottom to top: `<prefix>.embeddings`, `<prefix>.layer.<i>`; unlisted variables join the top group. */
function layeredGroups(prefix: string, encoder: Pick<Encoder, 'layerGroups' | 'variables'>, pretrained: boolean): ParameterGroup[] {
  const layers = encoder.layerGroups();
  const listed = new Set(layers.flat());
  const rest = encoder.variables().filter((v) => !listed.has(v));
  const all = rest.length > 0 ? [...layers.slice(0, -1), [...(layers[layers.length - 1] ?? []), ...rest]] : layers;
  const maxDepth = Math.max(0, all.length - 1);
  return all.flatMap((variables, depth) =>
    variables.length === 0 ? [] : [{ name: depth === 0 ? `${prefix}.embeddings` : `${prefix}.layer.${depth - 1}`, variables, depth, maxDepth, pretrained }],
  );
}

function flatGroup(name: string, variables: tf.Variable[]): ParameterGroup[] {
  return variables.length === 0 ? [] : [{ name, variables, depth: 0, maxDepth: 0, pretrained: false }];
}

/** The parameter groups of the text encoder, named by branch: `text.tfidf`, `text.ngram`, `text.transformer.*`, `text.combine`. */
export function textParameterGroups(encoder: Encoder, pretrainedTransformer: boolean): ParameterGroup[] {
  if (encoder instanceof TfidfPlusEncoder) return [...flatGroup('text.tfidf', encoder.tfidf.variables()), ...textParameterGroups(encoder.deep, pretrainedTransformer)];
  if (encoder instanceof TfidfEncoder) return flatGroup('text.tfidf', encoder.variables());
  if (encoder instanceof DualTextEncoder) {
    return [
      ...flatGroup('text.ngram', encoder.ngram.variables()),
      ...layeredGroups('text.transformer', encoder.transformer, pretrainedTransformer),
      ...flatGroup('text.combine', encoder.combineVariables()),
    ];
  }
  if (encoder instanceof TransformerEncoder) return layeredGroups('text.transformer', encoder, pretrainedTransformer);
  if (encoder instanceof EmbeddingBagEncoder) return flatGroup('text.ngram', encoder.variables());
  return layeredGroups('text', encoder, false);
}

/** The transformer inside a model's text encoder, or null. */
export function transformerOf(model: FusedModel): TransformerEncoder | null {
  const outer = model.encoders.get('text');
  const encoder = outer instanceof TfidfPlusEncoder ? outer.deep : outer;
  if (encoder instanceof TransformerEncoder) return encoder;
  if (encoder instanceof DualTextEncoder) return encoder.transformer;
  return null;
}

/**
 * A FusedModel with branch-named text groups (see `textParameterGroups`); `pretrainedTransformer` marks the
 * transformer's groups as pretrained (for `freeze: { mode: pretrained }` and gradual unfreezing).
 */
export class SentimentModel implements Model {
  constructor(
    /** The model built from the config (what is saved and loaded). */
    readonly fused: FusedModel,
    readonly pretrainedTransformer: boolean,
  ) {}

  /** The model's tasks. */
  tasks(): TaskSpec[] {
    return this.fused.tasks();
  }

  /** Runs the fused model. */
  forward(batch: Batch, options: ForwardOptions): ModelOutputs {
    return this.fused.forward(batch, options);
  }

  /** Every variable. */
  variables(): tf.Variable[] {
    return this.fused.variables();
  }

  /** The text groups by branch, then the fused model's fusion and head groups. */
  parameterGroups(): ParameterGroup[] {
    const text = this.fused.encoders.get('text');
    const others = this.fused.parameterGroups().filter((g) => g.name !== 'text' && !g.name.startsWith('text.'));
    return [...(text === undefined ? [] : textParameterGroups(text, this.pretrainedTransformer)), ...others];
  }

  /** How task losses combine unless the trainer config says otherwise (the fused model config's lossWeighting). */
  lossWeighting(): 'fixed' | 'uncertainty' {
    return this.fused.lossWeighting();
  }

  /** The fused model's config. */
  config(): JsonValue {
    return this.fused.config();
  }

  /** Frees every variable. */
  dispose(): void {
    this.fused.dispose();
  }
}
