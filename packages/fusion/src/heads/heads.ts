// Task heads `head/linear` and `head/mlp`: map the fused representation to a task's logits or predictions.
import * as tf from '@tensorflow/tfjs';
import { dropout, ParamStore, type Activation, type ComponentConfig, type TaskHead, type TaskKind } from '@finmm/core';
import { fusionInstances } from '../nn/instances.js';
import { Mlp } from '../nn/mlp.js';

/** The registered type name of the linear head. */
export const LINEAR_HEAD_TYPE = 'head/linear';
/** The registered type name of the MLP head. */
export const MLP_HEAD_TYPE = 'head/mlp';

/** What every head is built for: its task, the task kind, and its input and output widths. */
export interface HeadTarget {
  task: string;
  kind: TaskKind;
  inDim: number;
  outDim: number;
}

/** Everything `head/mlp` is built from (its config without `type`); `head/linear` is the case `hidden: []`. */
export interface MlpHeadOptions extends HeadTarget {
  hidden: number[];
  activation: Activation;
  dropout: number;
  /** Dropout on the head's input. */
  inputDropout: number;
  seed: number | null;
}

/** An MLP head: `[inDim] -> hidden... -> [outDim]`, the last layer linear (logits for classification). */
export class MlpHead implements TaskHead {
  readonly task: string;
  readonly kind: TaskKind;
  readonly outDim: number;
  private readonly params: ParamStore;
  private readonly mlp: Mlp;

  constructor(
    readonly options: MlpHeadOptions,
    private readonly type: string = MLP_HEAD_TYPE,
  ) {
    this.task = options.task;
    this.kind = options.kind;
    this.outDim = options.outDim;
    this.params = new ParamStore(fusionInstances.nextPrefix(type), options.seed);
    const widths = [options.inDim, ...options.hidden, options.outDim];
    this.mlp = new Mlp(this.params, `head.${options.task}`, { widths, activation: options.activation, dropout: options.dropout, activateLast: false });
  }

  /** Logits or predictions `[B, outDim]`. */
  forward(z: tf.Tensor2D, training: boolean): tf.Tensor2D {
    if (z.rank !== 2 || z.shape[1] !== this.options.inDim) {
      throw new Error(`${this.type} of task "${this.task}": input has shape [${z.shape.join(', ')}]; expected [B, ${this.options.inDim}]`);
    }
    return tf.tidy(() => this.mlp.forward(dropout(z, this.options.inputDropout, training), training));
  }

  /** The layers' variables, bottom to top. */
  variables(): tf.Variable[] {
    return this.params.variables();
  }

  /** The config that rebuilds this head. */
  config(): ComponentConfig {
    const { task, kind, inDim, outDim, hidden, activation, dropout, inputDropout, seed } = this.options;
    const shared = { task, kind, inDim, outDim, inputDropout, ...(seed === null ? {} : { seed }) };
    if (this.type === LINEAR_HEAD_TYPE) return { type: LINEAR_HEAD_TYPE, ...shared };
    return { type: MLP_HEAD_TYPE, ...shared, hidden: [...hidden], activation, dropout };
  }

  /** Frees every variable. */
  dispose(): void {
    this.params.dispose();
  }
}
