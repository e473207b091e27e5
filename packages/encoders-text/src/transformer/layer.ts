// One post-LayerNorm transformer layer (BERT, RoBERTa, DistilBERT): attention, add & norm, feed-forward, add & norm.
import * as tf from '@tensorflow/tfjs';
import { SelfAttention, type BatchShape } from './attention.js';
import type { TransformerConfig } from './config.js';
import { activate, dropout, layerNorm, linear } from './ops.js';
import type { LinearParams, NormParams, ParamStore } from './params.js';
import { layerNames } from './weight-names.js';

/** Transformer layer `index` with its attention, feed-forward and two LayerNorms. */
export class TransformerLayer {
  readonly attention: SelfAttention;
  readonly attentionNorm: NormParams;
  readonly ffnIn: LinearParams;
  readonly ffnOut: LinearParams;
  readonly outputNorm: NormParams;

  constructor(
    store: ParamStore,
    private readonly config: TransformerConfig,
    index: number,
    fuseQkv: boolean,
  ) {
    const names = layerNames(config.modelType, index);
    const d = config.hiddenSize;
    this.attention = new SelfAttention(store, names, config, fuseQkv);
    this.attentionNorm = store.norm(names.attentionNorm, d);
    this.ffnIn = store.linear(names.ffnIn, d, config.intermediateSize);
    this.ffnOut = store.linear(names.ffnOut, config.intermediateSize, d);
    this.outputNorm = store.norm(names.outputNorm, d);
  }

  /** Maps `x` `[B*T, D]` to the layer output `[B*T, D]`; `maskBias` is `[B, 1, 1, T]`. */
  forward(x: tf.Tensor2D, maskBias: tf.Tensor4D, shape: BatchShape, training: boolean): tf.Tensor2D {
    const { hiddenDropout, layerNormEps, activation } = this.config;
    const attended = dropout(this.attention.forward(x, maskBias, shape, training), hiddenDropout, training); // [B*T, D]
    const h = layerNorm(tf.add(x, attended), this.attentionNorm, layerNormEps); // [B*T, D]
    const inner = activate(linear(h, this.ffnIn), activation); // [B*T, I]
    const ffn = dropout(linear(inner, this.ffnOut), hiddenDropout, training); // [B*T, D]
    return layerNorm(tf.add(h, ffn), this.outputNorm, layerNormEps);
  }

  /** Every variable of the layer. */
  variables(): tf.Variable[] {
    const rest = [this.attentionNorm, this.ffnIn, this.ffnOut, this.outputNorm].flatMap((p) => [p.weight, p.bias]);
    return [...this.attention.variables(), ...rest];
  }
}
