// Adversarial perturbations of the fused latent or the encoders' embeddings: FGM (one step) and PGD (k steps).
import * as tf from '@tensorflow/tfjs';
import type { Batch, ForwardOptions, Modality, Model, ModelOutputs } from '@finmm/core';

/** Adversarial training settings (Miyato et al. 2017 FGM; Madry et al. 2018 PGD; Adv-ALSTM perturbs the latent). */
export interface AdversarialConfig {
  method: 'fgm' | 'pgd';
  /** `latent` adds `latentDelta` to the fused representation; `embeddings` adds `embeddingDeltas` per modality. */
  target: 'latent' | 'embeddings';
  /** L2 radius of each sample's perturbation (norm over all non-batch axes). */
  eps: number;
  /** Weight of the adversarial loss added to the clean loss. Default 1. */
  beta?: number;
  /** PGD steps. Default 3. */
  steps?: number;
  /** PGD step length; default `2.5 * eps / steps` (Madry et al.). */
  stepSize?: number;
  /** With `embeddings`, the modalities to perturb; default every modality the model exposes. */
  modalities?: Modality[];
}

/** Perturbations passed to the forward pass. */
export interface Deltas {
  latent?: tf.Tensor2D;
  embeddings?: Partial<Record<Modality, tf.Tensor>>;
}

/** Computes a scalar loss from a forward pass's outputs. */
export type LossOf = (outputs: ModelOutputs, batch: Batch) => tf.Scalar;

/** The forward options carrying `deltas`. */
export function forwardOptions(training: boolean, deltas: Deltas): ForwardOptions {
  const options: ForwardOptions = { training };
  if (deltas.latent !== undefined) options.latentDelta = deltas.latent;
  if (deltas.embeddings !== undefined) options.embeddingDeltas = deltas.embeddings;
  return options;
}

/** Flat list of the delta tensors, latent first, then embeddings by modality name. */
export function deltaList(deltas: Deltas): tf.Tensor[] {
  const list: tf.Tensor[] = [];
  if (deltas.latent !== undefined) list.push(deltas.latent);
  for (const m of Object.keys(deltas.embeddings ?? {}).sort() as Modality[]) list.push((deltas.embeddings as Record<Modality, tf.Tensor>)[m]);
  return list;
}

/** Deltas of the same structure as `like` holding `tensors` (in `deltaList` order). */
export function withTensors(like: Deltas, tensors: readonly tf.Tensor[]): Deltas {
  let i = 0;
  const out: Deltas = {};
  if (like.latent !== undefined) out.latent = tensors[i++] as tf.Tensor2D;
  if (like.embeddings !== undefined) {
    out.embeddings = {};
    for (const m of Object.keys(like.embeddings).sort() as Modality[]) out.embeddings[m] = tensors[i++] as tf.Tensor;
  }
  return out;
}

/**
 * Zero perturbations shaped like the latent or embeddings of `batch`. Shapes are learned from a probe forward
 * (training off, freed at once); the latent width is cached in `cache` so that later batches need no probe.
 */
export function zeroDeltas(model: Model, batch: Batch, config: AdversarialConfig, cache: { latentDim?: number }): Deltas {
  if (config.target === 'latent' && cache.latentDim !== undefined) return { latent: tf.zeros([batch.size, cache.latentDim]) as tf.Tensor2D };
  let latentShape: number[] = [];
  const embeddingShapes: Partial<Record<Modality, number[]>> = {};
  tf.tidy(() => {
    const out = model.forward(batch, { training: false });
    latentShape = [...out.latent.shape];
    for (const [m, t] of Object.entries(out.embeddings) as Array<[Modality, tf.Tensor]>) embeddingShapes[m] = [...t.shape];
  });
  if (config.target === 'latent') {
    cache.latentDim = latentShape[1] as number;
    return { latent: tf.zeros(latentShape as [number, number]) as tf.Tensor2D };
  }
  const modalities = config.modalities ?? (Object.keys(embeddingShapes) as Modality[]);
  const embeddings: Partial<Record<Modality, tf.Tensor>> = {};
  for (const m of modalities) {
    const shape = embeddingShapes[m];
    if (shape === undefined) throw new Error(`adversarial training: the model exposes no '${m}' embedding to perturb`);
    embeddings[m] = tf.zeros(shape);
  }
  if (Object.keys(embeddings).length === 0) throw new Error('adversarial training: the model exposes no embeddings to perturb');
  return { embeddings };
}

/** `eps * g / ||g||` per sample, the norm taken over all non-batch axes. */
export function normalizedStep(g: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const axes = Array.from({ length: g.rank - 1 }, (_, i) => i + 1);
    const norm = tf.sqrt(tf.sum(tf.square(g), axes, true)); // [B, 1, ...]
    return tf.mul(tf.div(g, tf.add(norm, 1e-12)), eps);
  });
}

/** Projects each sample's perturbation onto the L2 ball of radius eps. */
export function projectToBall(delta: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const axes = Array.from({ length: delta.rank - 1 }, (_, i) => i + 1);
    const norm = tf.sqrt(tf.sum(tf.square(delta), axes, true)); // [B, 1, ...]
    return tf.mul(delta, tf.minimum(1, tf.div(eps, tf.add(norm, 1e-12))));
  });
}

/** Gradients of `f` with respect to `xs`; an x that does not reach the loss gets null. */
export function gradientsOf(f: () => tf.Scalar, xs: readonly tf.Tensor[]): { value: tf.Scalar; grads: Array<tf.Tensor | null> } {
  const { value, grads } = tf.engine().gradients(f, [...xs], undefined, true);
  return { value, grads: grads.map((g) => g ?? null) };
}

/**
 * The adversarial perturbation of `batch` (detached): FGM takes one normalised gradient step of length eps from
 * zero; PGD takes `steps` steps of `stepSize`, projecting onto the eps ball after each. `firstGrads`, when given, are
 * the loss gradients at zero perturbation (the clean pass already computed them).
 */
export function adversarialDeltas(
  model: Model,
  batch: Batch,
  lossOf: LossOf,
  config: AdversarialConfig,
  zero: Deltas,
  training: boolean,
  firstGrads?: ReadonlyArray<tf.Tensor | null>,
): Deltas {
  const steps = config.method === 'fgm' ? 1 : (config.steps ?? 3);
  const stepSize = config.method === 'fgm' ? config.eps : (config.stepSize ?? (2.5 * config.eps) / steps);
  let current = deltaList(zero).map((d) => d.clone());
  for (let k = 0; k < steps; k++) {
    let grads: ReadonlyArray<tf.Tensor | null>;
    let owned = false;
    if (k === 0 && firstGrads !== undefined) grads = firstGrads;
    else {
      const deltas = withTensors(zero, current);
      const r = gradientsOf(() => lossOf(model.forward(batch, forwardOptions(training, deltas)), batch), current);
      r.value.dispose();
      grads = r.grads;
      owned = true;
    }
    const next = current.map((d, i) =>
      tf.tidy(() => {
        const g = grads[i] ?? tf.zerosLike(d);
        const moved = tf.add(d, normalizedStep(g, stepSize));
        return config.method === 'pgd' ? projectToBall(moved, config.eps) : moved;
      }),
    );
    tf.dispose(current);
    if (owned) tf.dispose(grads.filter((g): g is tf.Tensor => g !== null));
    current = next;
  }
  return withTensors(zero, current);
}
