// The typed contracts every finmm package composes through: modalities, batches, encoders, fusions, heads, losses.
import type * as tf from '@tensorflow/tfjs';

/** The input modalities finmm models take. */
export const MODALITIES = ['text', 'timeseries', 'image', 'tabular'] as const;
export type Modality = (typeof MODALITIES)[number];

/** Token ids of a text batch. */
export interface TextInput {
  /** Token ids, int32 `[B, T]`. */
  ids: tf.Tensor2D;
  /** 1 for real tokens, 0 for padding, `[B, T]`. */
  attentionMask: tf.Tensor2D;
  /** Segment ids `[B, T]`, when the model uses them. */
  typeIds?: tf.Tensor2D;
}

/** A batch of sequences, e.g. price features per trading day. */
export interface TimeseriesInput {
  /** Feature values `[B, T, F]`. */
  values: tf.Tensor3D;
  /** 1 for observed steps, 0 for padded or missing ones, `[B, T]`. */
  stepMask?: tf.Tensor2D;
}

/** A batch of images, channels last. */
export interface ImageInput {
  /** Pixels `[B, H, W, C]`, normalised. */
  pixels: tf.Tensor4D;
}

/** A batch of tabular features. */
export interface TabularInput {
  /** Preprocessed numeric features `[B, Fn]`. */
  numeric?: tf.Tensor2D;
  /** Category indices `[B, Fc]` (int32; 0 is the unknown slot). */
  categorical?: tf.Tensor2D;
}

/** The input type each modality carries. */
export interface ModalityInputs {
  text: TextInput;
  timeseries: TimeseriesInput;
  image: ImageInput;
  tabular: TabularInput;
}

/** Labels of one task for a batch. */
export interface TaskLabels {
  /** Class indices `[B]` (int32) for classification, targets `[B]` or `[B, K]` (float32) for regression. */
  y: tf.Tensor;
  /** 1 where the sample has a label for this task, 0 where it has none, `[B]`. */
  mask: tf.Tensor1D;
}

/** One batch: per-modality inputs, presence masks (a sample may lack a modality) and labels per task. */
export interface Batch {
  /** Number of samples B. */
  size: number;
  /** Inputs of the modalities this batch carries. */
  inputs: Partial<ModalityInputs>;
  /** Per modality, `[B]` float32: 1 = present for that sample, 0 = absent. */
  present: Partial<Record<Modality, tf.Tensor1D>>;
  /** Per task name, the labels and their mask. */
  labels: Record<string, TaskLabels>;
}

/** What an encoder produces for a batch. */
export interface EncoderOutput {
  /** One embedding per sample `[B, D]`. */
  pooled: tf.Tensor2D;
  /** A token sequence `[B, N, D]` for attention fusion, when the encoder has one. */
  tokens?: tf.Tensor3D;
  /** 1 for real tokens, 0 for padding, `[B, N]`. */
  tokenMask?: tf.Tensor2D;
}

/** A JSON-serialisable config, e.g. `{ "type": "timeseries/lstm", "hidden": 64 }`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export interface ComponentConfig {
  type: string;
  [key: string]: JsonValue;
}

/** Anything that holds trainable weights and can describe itself as a config. */
export interface Component {
  /** Trainable and non-trainable variables, each with a unique name. */
  variables(): tf.Variable[];
  /** The config this component was built from, with defaults filled in; `build(config())` rebuilds it. */
  config(): ComponentConfig;
  /** Frees the variables. */
  dispose(): void;
}

/** Maps one modality's input to embeddings. */
export interface Encoder<M extends Modality = Modality> extends Component {
  readonly modality: M;
  /** Width D of `pooled` (and of `tokens`). */
  readonly outDim: number;
  /** Encodes a batch; `training` enables dropout and other train-only behaviour. */
  encode(input: ModalityInputs[M], training: boolean): EncoderOutput;
  /** Variables grouped by depth, bottom (embeddings) to top, for freezing and layer-wise learning rates. */
  layerGroups(): tf.Variable[][];
}

/** Combines the outputs of several encoders into one representation, respecting presence masks. */
export interface Fusion extends Component {
  /** Width of the fused representation. */
  readonly outDim: number;
  /** Fuses `[B, D_m]` parts into `[B, D]`; absent modalities (present = 0) must not contribute. */
  fuse(
    parts: Partial<Record<Modality, EncoderOutput>>,
    present: Partial<Record<Modality, tf.Tensor1D>>,
    training: boolean,
  ): tf.Tensor2D;
}

/** The kinds of prediction task finmm trains. */
export type TaskKind = 'multiclass' | 'binary' | 'regression';

/** Maps the fused representation to a task's outputs. */
export interface TaskHead extends Component {
  readonly task: string;
  readonly kind: TaskKind;
  /** Number of outputs: classes for multiclass, 1 for binary, targets for regression. */
  readonly outDim: number;
  /** Logits or predictions `[B, outDim]`. */
  forward(z: tf.Tensor2D, training: boolean): tf.Tensor2D;
}

/** A per-sample loss, reduced over the samples whose mask is 1. */
export interface Loss {
  readonly name: string;
  /** Mean loss over masked-in samples (a scalar; 0 when the mask is all zero). */
  compute(output: tf.Tensor2D, labels: TaskLabels): tf.Scalar;
}

/** Turns text into token ids; implemented by the tokenizers of @finmm/encoders-text, used by batching. */
export interface TextTokenizer {
  /** Id of the padding token. */
  readonly padId: number;
  /** Number of ids the tokenizer can produce. */
  readonly vocabSize: number;
  /** Token ids of one text (with special tokens such as [CLS]/[SEP] when the model expects them). */
  encode(text: string): number[];
}

/** A task a model predicts, with its head's loss and weight in the total loss. */
export interface TaskSpec {
  name: string;
  kind: TaskKind;
  /** Classes for multiclass/binary (index order), or target names for regression. */
  classes?: string[];
  /** Outputs of the head: classes for multiclass, 1 for binary, targets for regression. */
  outDim: number;
  loss: Loss;
  /** Fixed weight of this task's loss (multi-task combiners may learn their own). */
  weight: number;
}

/** Perturbations a trainer adds inside the forward pass for adversarial training (FGM/PGD). */
export interface ForwardOptions {
  training: boolean;
  /** Added to the fused latent `[B, D]` before the heads. */
  latentDelta?: tf.Tensor2D;
  /** Added to each modality encoder's embedding output (e.g. text token embeddings `[B, T, D]`). */
  embeddingDeltas?: Partial<Record<Modality, tf.Tensor>>;
}

/** What a forward pass returns: per-task outputs and the points adversarial training perturbs. */
export interface ModelOutputs {
  /** Per task, logits or predictions `[B, outDim]`. */
  outputs: Record<string, tf.Tensor2D>;
  /** The fused latent `[B, D]` the heads read. */
  latent: tf.Tensor2D;
  /** Per modality, the embedding output that `embeddingDeltas` perturbs (shape as the encoder defines). */
  embeddings: Partial<Record<Modality, tf.Tensor>>;
  /** Extra terms to add to the loss (e.g. auxiliary per-modality losses of late fusion), already weighted. */
  auxiliaryLoss?: tf.Scalar;
}

/** A group of variables trained together, for freezing and per-group learning rates. */
export interface ParameterGroup {
  /** e.g. `text.embeddings`, `text.layer.3`, `fusion`, `head.sentiment`. */
  name: string;
  variables: tf.Variable[];
  /** Depth from the bottom of its encoder (0 = embeddings); larger is closer to the heads. */
  depth: number;
  /** Depth of the deepest group in the same encoder, for layer-wise learning-rate decay. */
  maxDepth: number;
  /** True for weights loaded from a pretrained checkpoint. */
  pretrained: boolean;
}

/** Any trainable model built from the contracts: what the trainer, evaluation and apps work with. */
export interface Model {
  /** The tasks the model's heads predict. */
  tasks(): TaskSpec[];
  /** Runs the model on a batch. */
  forward(batch: Batch, options: ForwardOptions): ModelOutputs;
  /** Every variable, each once, with unique names. */
  variables(): tf.Variable[];
  /** Variables partitioned into groups (every trainable variable in exactly one group). */
  parameterGroups(): ParameterGroup[];
  /** The model's config (enough to rebuild it with fresh weights). */
  config(): JsonValue;
  /** Frees every variable. */
  dispose(): void;
  /** How task losses combine when the trainer config does not say: fixed weights or learned uncertainty weighting. */
  lossWeighting?(): 'fixed' | 'uncertainty';
}
