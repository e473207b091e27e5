// A core Model assembled from registered components: encoders per modality, a fusion and task heads.
import * as tf from '@tensorflow/tfjs';
import {
  Rng,
  type Batch,
  type Encoder,
  type EncoderOutput,
  type ForwardOptions,
  type Fusion,
  type JsonValue,
  type Modality,
  type Model,
  type ModelOutputs,
  type ParameterGroup,
  type TaskHead,
  type TaskSpec,
} from '@finmm/core';
import { isViewFusion } from '../fusions/late.js';
import type { ModelConfig } from './config.js';
import { hasEmbeddings } from './embeddings.js';
import { dropModalityMasks } from './modality-dropout.js';

/** One task of a model: its spec and head(s) (one per modality under late fusion). */
export interface ModelTask {
  spec: TaskSpec;
  heads: TaskHead[];
}

/** The parts a FusedModel is made of. */
export interface FusedModelParts {
  /** Encoders in modality order. */
  encoders: Array<[Modality, Encoder]>;
  fusion: Fusion;
  tasks: ModelTask[];
  /** The normalised config, returned by `config()`. */
  config: ModelConfig;
}

/**
 * Encoders -> fusion -> heads, with presence masks, modality dropout (training only), the adversarial perturbation
 * points of ForwardOptions, and late fusion's per-modality heads and auxiliary losses.
 *
 * ```ts
 * const model = buildModel(config, { encoders: { tabular: preprocessor.layout() } });
 * const { outputs, latent } = model.forward(batch, { training: false });
 * ```
 */
export class FusedModel implements Model {
  readonly encoders: ReadonlyMap<Modality, Encoder>;
  readonly modalities: readonly Modality[];
  readonly fusion: Fusion;
  private readonly taskList: ModelTask[];
  private readonly modelConfig: ModelConfig;
  private readonly pretrained: Set<Modality>;
  private readonly dropoutRng: Rng;

  constructor(parts: FusedModelParts) {
    this.encoders = new Map(parts.encoders);
    this.modalities = parts.encoders.map(([m]) => m);
    this.fusion = parts.fusion;
    this.taskList = parts.tasks;
    this.modelConfig = structuredClone(parts.config);
    this.pretrained = new Set(parts.config.pretrained);
    this.dropoutRng = Rng.fromSeed(parts.config.seed ?? Math.floor(Math.random() * 0x7fffffff));
  }

  /** The tasks the heads predict. */
  tasks(): TaskSpec[] {
    return this.taskList.map((t) => t.spec);
  }

  /** The head(s) of a task: one, or one per modality (in modality order) under late fusion. */
  heads(task: string): TaskHead[] {
    const found = this.taskList.find((t) => t.spec.name === task);
    if (found === undefined) throw new Error(`model has no task "${task}"; tasks: ${this.taskList.map((t) => t.spec.name).join(', ')}`);
    return [...found.heads];
  }

  /**
   * Runs the model. `latent` is what the heads read (the fused representation plus `latentDelta`); `embeddings`
   * holds, per modality whose encoder exposes them, the unperturbed embeddings that `embeddingDeltas` are added to.
   */
  forward(batch: Batch, options: ForwardOptions): ModelOutputs {
    const presentMasks = this.presence(batch, options.training);
    try {
      return tf.tidy(() => {
        const parts: Partial<Record<Modality, EncoderOutput>> = {};
        const embeddings: Partial<Record<Modality, tf.Tensor>> = {};
        for (const m of this.modalities) {
          const input = batch.inputs[m];
          if (input === undefined) continue;
          const encoded = this.encode(m, input, options);
          parts[m] = encoded.output;
          if (encoded.embeddings !== undefined) embeddings[m] = encoded.embeddings;
        }
        let latent = this.fusion.fuse(parts, presentMasks, options.training);
        if (options.latentDelta !== undefined) {
          if (!sameShape(options.latentDelta.shape, latent.shape)) {
            throw new Error(`forward: latentDelta has shape [${options.latentDelta.shape.join(', ')}]; the latent is [${latent.shape.join(', ')}]`);
          }
          latent = tf.add(latent, options.latentDelta);
        }
        const heads = isViewFusion(this.fusion) ? this.lateHeads(latent, parts, presentMasks, batch, options.training) : this.sharedHeads(latent, options.training);
        const result: ModelOutputs = { outputs: heads.outputs, latent, embeddings };
        if (heads.auxiliaryLoss !== undefined) result.auxiliaryLoss = heads.auxiliaryLoss;
        return result as unknown as tf.TensorContainerObject;
      }) as unknown as ModelOutputs;
    } finally {
      tf.dispose(Object.values(presentMasks));
    }
  }

  /** Every variable, each once: encoders in modality order, fusion, heads. */
  variables(): tf.Variable[] {
    const all = [
      ...this.modalities.flatMap((m) => (this.encoders.get(m) as Encoder).variables()),
      ...this.fusion.variables(),
      ...this.taskList.flatMap((t) => t.heads.flatMap((h) => h.variables())),
    ];
    return [...new Set(all)];
  }

  /**
   * Groups for freezing and per-group learning rates: `<modality>.embeddings` (depth 0) and `<modality>.layer.<i>`
   * (depth i + 1) per encoder from its layerGroups, then `fusion`, then `head.<task>` (all of a task's heads).
   */
  parameterGroups(): ParameterGroup[] {
    const groups: ParameterGroup[] = [];
    for (const m of this.modalities) {
      const encoder = this.encoders.get(m) as Encoder;
      const layers = encoder.layerGroups();
      const listed = new Set(layers.flat());
      const rest = encoder.variables().filter((v) => !listed.has(v));
      const all = rest.length > 0 ? [...layers.slice(0, -1), [...(layers[layers.length - 1] ?? []), ...rest]] : layers;
      const maxDepth = Math.max(0, all.length - 1);
      all.forEach((variables, depth) => {
        if (variables.length === 0) return;
        const name = depth === 0 ? `${m}.embeddings` : `${m}.layer.${depth - 1}`;
        groups.push({ name, variables, depth, maxDepth, pretrained: this.pretrained.has(m) });
      });
    }
    groups.push({ name: 'fusion', variables: this.fusion.variables(), depth: 0, maxDepth: 0, pretrained: false });
    for (const t of this.taskList) {
      groups.push({ name: `head.${t.spec.name}`, variables: t.heads.flatMap((h) => h.variables()), depth: 0, maxDepth: 0, pretrained: false });
    }
    return groups.filter((g) => g.variables.length > 0);
  }

  /** Marks a modality's encoder weights as loaded from a pretrained checkpoint (kept in config()). */
  markPretrained(modality: Modality): void {
    if (!this.encoders.has(modality)) throw new Error(`model has no ${modality} encoder`);
    this.pretrained.add(modality);
    this.modelConfig.pretrained = this.modalities.filter((m) => this.pretrained.has(m));
  }

  /** The config's `lossWeighting`: the trainer uses uncertainty weighting for this model unless its config says otherwise. */
  lossWeighting(): 'fixed' | 'uncertainty' {
    return this.modelConfig.lossWeighting;
  }

  /** The normalised config: `buildModel(model.config())` rebuilds the same architecture (same weights with seeds). */
  config(): JsonValue {
    return structuredClone(this.modelConfig) as unknown as JsonValue;
  }

  /** Frees every variable. */
  dispose(): void {
    for (const e of this.encoders.values()) e.dispose();
    this.fusion.dispose();
    for (const t of this.taskList) for (const h of t.heads) h.dispose();
  }

  /** Per-modality presence `[B]` masks the fusion sees: batch masks (default 1 where the input exists), after modality dropout. */
  private presence(batch: Batch, training: boolean): Partial<Record<Modality, tf.Tensor1D>> {
    const masks: Array<[Modality, tf.Tensor1D]> = this.modalities.map((m) => {
      const given = batch.present[m];
      if (batch.inputs[m] === undefined) {
        if (given !== undefined && given.dataSync().some((v) => v > 0)) {
          throw new Error(`forward: batch.present.${m} marks samples as present but batch.inputs.${m} is missing`);
        }
        return [m, tf.zeros([batch.size]) as tf.Tensor1D];
      }
      if (given === undefined) return [m, tf.ones([batch.size]) as tf.Tensor1D];
      if (given.rank !== 1 || given.shape[0] !== batch.size) {
        throw new Error(`forward: batch.present.${m} has shape [${given.shape.join(', ')}]; expected [${batch.size}]`);
      }
      return [m, tf.tidy(() => tf.cast(tf.greater(given, 0), 'float32')) as tf.Tensor1D];
    });
    const rate = this.modelConfig.modalityDropout;
    if (!training || rate === 0 || masks.length < 2) return Object.fromEntries(masks);
    const dropped = dropModalityMasks(masks, rate, this.dropoutRng);
    tf.dispose(masks.map(([, t]) => t));
    return Object.fromEntries(dropped);
  }

  private encode(m: Modality, input: NonNullable<Batch['inputs'][Modality]>, options: ForwardOptions): { output: EncoderOutput; embeddings?: tf.Tensor } {
    const encoder = this.encoders.get(m) as Encoder;
    const delta = options.embeddingDeltas?.[m];
    if (!hasEmbeddings(encoder)) {
      if (delta !== undefined) throw new Error(`forward: embeddingDeltas.${m} given, but the ${m} encoder does not expose embed()/encodeEmbeddings()`);
      return { output: encoder.encode(input as never, options.training) };
    }
    const embeddings = encoder.embed(input as never);
    if (delta !== undefined && !sameShape(delta.shape, embeddings.shape)) {
      throw new Error(`forward: embeddingDeltas.${m} has shape [${delta.shape.join(', ')}]; the ${m} embeddings are [${embeddings.shape.join(', ')}]`);
    }
    const perturbed = delta === undefined ? embeddings : tf.add(embeddings, delta);
    return { output: encoder.encodeEmbeddings(input as never, perturbed, options.training), embeddings };
  }

  private sharedHeads(latent: tf.Tensor2D, training: boolean): { outputs: Record<string, tf.Tensor2D>; auxiliaryLoss?: tf.Scalar } {
    const outputs: Record<string, tf.Tensor2D> = {};
    for (const t of this.taskList) outputs[t.spec.name] = (t.heads[0] as TaskHead).forward(latent, training);
    return { outputs };
  }

  /** Late fusion: each view's head, logits averaged over present modalities, auxiliary per-modality losses. */
  private lateHeads(
    latent: tf.Tensor2D,
    parts: Partial<Record<Modality, EncoderOutput>>,
    present: Partial<Record<Modality, tf.Tensor1D>>,
    batch: Batch,
    training: boolean,
  ): { outputs: Record<string, tf.Tensor2D>; auxiliaryLoss?: tf.Scalar } {
    if (!isViewFusion(this.fusion)) throw new Error('lateHeads needs a view fusion');
    const views = this.fusion.views(latent);
    const presence = this.fusion.presence(parts, present); // [B, M]
    const count = tf.maximum(tf.sum(presence, 1, true), 1); // [B, 1]
    const outputs: Record<string, tf.Tensor2D> = {};
    const auxTerms: tf.Scalar[] = [];
    for (const t of this.taskList) {
      const perView = t.heads.map((h, k) => h.forward(views[k] as tf.Tensor2D, training)); // M x [B, outDim]
      const weighted = perView.map((o, k) => tf.mul(o, tf.slice(presence, [0, k], [-1, 1])));
      outputs[t.spec.name] = tf.div(tf.addN(weighted), count) as tf.Tensor2D;
      const labels = batch.labels[t.spec.name];
      if (labels === undefined || this.fusion.auxiliaryWeight === 0) continue;
      const losses = perView.map((o, k) => {
        const mask = tf.mul(labels.mask, tf.reshape(tf.slice(presence, [0, k], [-1, 1]), [-1])) as tf.Tensor1D; // [B]
        return t.spec.loss.compute(o, { y: labels.y, mask });
      });
      auxTerms.push(tf.mul(tf.div(tf.addN(losses), perView.length), t.spec.weight) as tf.Scalar);
    }
    if (auxTerms.length === 0) return { outputs };
    return { outputs, auxiliaryLoss: tf.mul(tf.addN(auxTerms), this.fusion.auxiliaryWeight) as tf.Scalar };
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
