// Adversarial training of a fused model on its latent (Adv-ALSTM style FGM, written here; the trainer package owns
// the production FGM/PGD): it raises accuracy under FGM perturbations of the latent.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '@finmm/core';
import { describe, expect, it } from 'vitest';
import { buildModel, weightedTaskLoss, type FusedModel } from '../src/index.js';
import { accuracy, drawTwoViews, freeBatch, makeBatch, testRegistry, twoViewConfig } from './helpers.js';

const registry = testRegistry();
const trainData = drawTwoViews(512, 41);
const testData = drawTwoViews(400, 42);
// A label both modalities inform, with 10% of labels flipped (noise keeps the latent margins finite).
const label = (d: typeof trainData): number[] =>
  d.a.map((a, i) => ((a + (d.b[i] as number) > 0) !== ((d.noiseA[i]?.[1] as number) > 0.8) ? 1 : 0));

/** FGM on the latent: `eps * g / ||g||` per sample, g the gradient of the task loss w.r.t. the latent (detached). */
function fgmLatentDelta(model: FusedModel, batch: Batch, eps: number): tf.Tensor2D {
  return tf.tidy(() => {
    const shape = model.forward(batch, { training: false }).latent.shape;
    const g = tf.grad((delta: tf.Tensor) => weightedTaskLoss(model, batch, model.forward(batch, { training: false, latentDelta: delta as tf.Tensor2D })))(
      tf.zeros(shape),
    ) as tf.Tensor2D;
    const norm = tf.maximum(tf.norm(g, 'euclidean', 1, true), 1e-12); // [B, 1]
    return tf.mul(tf.div(g, norm), eps) as tf.Tensor2D;
  });
}

/** Adam on `loss(clean) + beta * loss(latent + FGM delta)` (beta 0: plain training). */
function trainModel(beta: number, eps: number): FusedModel {
  const model = buildModel(twoViewConfig({ type: 'fusion/concat', hidden: [16], outDim: 16 }), { registry });
  const batches = [0, 128, 256, 384].map((from) => makeBatch(trainData, from, from + 128, { labels: { y: { y: label(trainData) } } }));
  const optimizer = tf.train.adam(0.01);
  for (let step = 0; step < 80; step++) {
    const batch = batches[step % batches.length] as Batch;
    const delta = beta > 0 ? fgmLatentDelta(model, batch, eps) : null;
    optimizer.minimize(() =>
      tf.tidy(() => {
        const clean = weightedTaskLoss(model, batch, model.forward(batch, { training: true }));
        if (delta === null) return clean;
        const adversarial = weightedTaskLoss(model, batch, model.forward(batch, { training: true, latentDelta: delta }));
        return tf.add(clean, tf.mul(adversarial, beta)) as tf.Scalar;
      }),
    );
    delta?.dispose();
  }
  optimizer.dispose();
  batches.forEach(freeBatch);
  return model;
}

function attackedAccuracy(model: FusedModel, batch: Batch, eps: number): number {
  const delta = fgmLatentDelta(model, batch, eps);
  const acc = accuracy(model, batch, 'y', delta);
  delta.dispose();
  return acc;
}

describe('adversarial training on the fused latent', () => {
  it('raises accuracy under FGM perturbations of the latent', () => {
    const before = tf.memory().numTensors;
    const eps = 1;
    const plain = trainModel(0, eps);
    const robust = trainModel(1, eps);
    const test = makeBatch(testData, 0, 400, { labels: { y: { y: label(testData) } } });
    const r = {
      plainClean: accuracy(plain, test, 'y'),
      plainAttacked: attackedAccuracy(plain, test, eps),
      robustClean: accuracy(robust, test, 'y'),
      robustAttacked: attackedAccuracy(robust, test, eps),
    };
    console.log(Object.entries(r).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', '));
    expect(r.plainClean).toBeGreaterThan(0.8);
    expect(r.robustClean).toBeGreaterThan(0.8);
    expect(r.robustAttacked).toBeGreaterThan(r.plainAttacked + 0.08);

    // The same FGM step on the tabular encoder's embeddings (ForwardOptions.embeddingDeltas) raises the loss too.
    tf.tidy(() => {
      const e = plain.forward(test, { training: false }).embeddings.tabular as tf.Tensor;
      const lossAt = (delta: tf.Tensor): tf.Scalar => weightedTaskLoss(plain, test, plain.forward(test, { training: false, embeddingDeltas: { tabular: delta } }));
      const g = tf.grad(lossAt)(tf.zerosLike(e));
      const delta = tf.mul(tf.div(g, tf.maximum(tf.norm(g, 'euclidean', 1, true), 1e-12)), 0.5);
      expect(lossAt(delta).dataSync()[0]).toBeGreaterThan((lossAt(tf.zerosLike(e)).dataSync()[0] as number) + 0.05);
    });
    freeBatch(test);
    plain.dispose();
    robust.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
