// Hugging Face PyTorch state-dict names of every transformer weight, per architecture, so that checkpoint
// loading and saving is a name map.
import type { ModelType } from './config.js';

/** Names (without `.weight` / `.bias`) of the embedding weights. */
export interface EmbeddingNames {
  words: string;
  positions: string;
  /** Segment embeddings; null for DistilBERT. */
  types: string | null;
  norm: string;
}

/** Names (without `.weight` / `.bias`) of one layer's sub-modules. */
export interface LayerNames {
  query: string;
  key: string;
  value: string;
  attentionOut: string;
  attentionNorm: string;
  ffnIn: string;
  ffnOut: string;
  outputNorm: string;
}

/** Embedding weight names of an architecture. */
export function embeddingNames(modelType: ModelType): EmbeddingNames {
  return {
    words: 'embeddings.word_embeddings',
    positions: 'embeddings.position_embeddings',
    types: modelType === 'distilbert' ? null : 'embeddings.token_type_embeddings',
    norm: 'embeddings.LayerNorm',
  };
}

/** Weight names of layer `i` of an architecture. */
export function layerNames(modelType: ModelType, i: number): LayerNames {
  if (modelType === 'distilbert') {
    const p = `transformer.layer.${i}`;
    return {
      query: `${p}.attention.q_lin`,
      key: `${p}.attention.k_lin`,
      value: `${p}.attention.v_lin`,
      attentionOut: `${p}.attention.out_lin`,
      attentionNorm: `${p}.sa_layer_norm`,
      ffnIn: `${p}.ffn.lin1`,
      ffnOut: `${p}.ffn.lin2`,
      outputNorm: `${p}.output_layer_norm`,
    };
  }
  const p = `encoder.layer.${i}`;
  return {
    query: `${p}.attention.self.query`,
    key: `${p}.attention.self.key`,
    value: `${p}.attention.self.value`,
    attentionOut: `${p}.attention.output.dense`,
    attentionNorm: `${p}.attention.output.LayerNorm`,
    ffnIn: `${p}.intermediate.dense`,
    ffnOut: `${p}.output.dense`,
    outputNorm: `${p}.output.LayerNorm`,
  };
}

/** Name of BERT's and RoBERTa's pooler layer; DistilBERT has none. */
export const POOLER_NAME = 'pooler.dense';

/** Prefix of the base model's weights inside task checkpoints, e.g. `bert.` in BertForSequenceClassification. */
export const BASE_MODEL_PREFIX: Readonly<Record<ModelType, string>> = {
  bert: 'bert.',
  distilbert: 'distilbert.',
  roberta: 'roberta.',
};

/**
 * Non-trainable buffers some checkpoints carry (older transformers saved `position_ids`); loading skips them.
 */
export const IGNORED_BUFFERS: readonly string[] = ['embeddings.position_ids', 'embeddings.token_type_ids'];
