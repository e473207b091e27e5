import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BceLoss, MseLoss } from '@finmm/losses';
import { listCheckpoints, Trainer, type EpochContext, type TrainerConfigInput } from '../src/index.js';
import { batchSource, gaussian, makeDataset } from './helpers/data.js';
import { TinyMlp, maxWeightDiff, weightsOf } from './helpers/mlp.js';

const tmp = mkdtempSync(join(tmpdir(), 'finmm-resume-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const data = makeDataset(
  256,
  6,
  13,
  (row, rng) => ({ up: row[0]! + row[1]! - row[2]! > 0 ? 1 : 0, ret: 0.5 * row[3]! - row[4]! + 0.3 * gaussian(rng) }),
  { up: 'int32', ret: 'float32' },
);

function makeModel(seed: number): TinyMlp {
  return new TinyMlp({
    inputs: 6,
    hidden: [8, 8],
    tasks: [
      { name: 'up', kind: 'binary', outDim: 1, loss: new BceLoss() },
      { name: 'ret', kind: 'regression', outDim: 1, loss: new MseLoss() },
    ],
    seed,
    prefix: 'resume', // the same variable names in every run: checkpoints match variables by name
    dropout: 0.3, // masks come from the trainer's per-step seed stream, so the resumed run draws the same ones
  });
}

// 256 rows / 32 = 8 batches per epoch, 2 per step: 4 steps per epoch, 12 in all; checkpoints every 3 steps.
const config = (runDir: string): TrainerConfigInput => ({
  epochs: 3,
  seed: 77,
  accumulate: 2,
  clipNorm: 1,
  optimizer: { type: 'adamw', lr: 2e-2, weightDecay: 0.05 },
  schedule: { type: 'cosine', warmupSteps: 2 },
  combiner: { type: 'uncertainty' },
  adversarial: { method: 'fgm', target: 'latent', eps: 0.1, beta: 0.5 },
  checkpointEvery: 3,
  keepCheckpoints: 5,
  runDir,
  progress: 'none',
});

describe('checkpoint and exact resume', () => {
  it('a run interrupted mid-epoch and resumed ends with the same weights as an uninterrupted one', async () => {
    // Uninterrupted run.
    const modelA = makeModel(1);
    const seenA: EpochContext[] = [];
    const trainerA = new Trainer(modelA, config(join(tmp, 'a')));
    const resultA = await trainerA.fit({ train: batchSource(data, 32, true, seenA), batchesPerEpoch: 8 });
    const weightsA = weightsOf(modelA);
    const taskWeightsA = resultA.taskWeights;
    trainerA.dispose();
    modelA.dispose();
    expect(resultA.steps).toBe(12);

    // The same run, killed by an exception after step 7 (the newest checkpoint is step 6, in epoch 1).
    const modelB = makeModel(1);
    const trainerB = new Trainer(modelB, config(join(tmp, 'b')), {
      onStep: (info) => {
        if (info.step === 7) throw new Error('simulated crash');
      },
    });
    await expect(trainerB.fit({ train: batchSource(data, 32), batchesPerEpoch: 8 })).rejects.toThrow(/simulated crash/);
    trainerB.dispose();
    modelB.dispose();
    expect((await listCheckpoints(join(tmp, 'b', 'checkpoints'))).map((d) => d.slice(-13))).toEqual(['step-00000003', 'step-00000006']);

    // Resume in a fresh process-like setting: new model (other initial weights), new trainer, same config.
    const modelC = makeModel(999);
    const seenC: EpochContext[] = [];
    const trainerC = new Trainer(modelC, config(join(tmp, 'b')));
    const resultC = await trainerC.fit({ train: batchSource(data, 32, true, seenC), batchesPerEpoch: 8, resume: 'latest' });
    expect(resultC.steps).toBe(12);
    // Epoch 1 resumes with its own data order, skipping the 4 batches (2 steps) already consumed.
    expect(seenC[0]).toEqual({ epoch: 1, seed: seenA[1]!.seed, skip: 4 });
    expect(seenC.slice(1)).toEqual([{ ...seenA[2]!, skip: 0 }]);
    expect(maxWeightDiff(weightsOf(modelC), weightsA)).toBeLessThanOrEqual(1e-6);
    for (const [task, w] of Object.entries(taskWeightsA)) expect(Math.abs(resultC.taskWeights[task]! - w)).toBeLessThanOrEqual(1e-6);
    trainerC.dispose();

    // Resuming a finished run trains no further.
    const trainerD = new Trainer(modelC, config(join(tmp, 'b')));
    const resultD = await trainerD.fit({ train: batchSource(data, 32), batchesPerEpoch: 8, resume: 'latest' });
    expect(resultD.steps).toBe(12);
    expect(maxWeightDiff(weightsOf(modelC), weightsA)).toBeLessThanOrEqual(1e-6);
    trainerD.dispose();
    modelC.dispose();
  });

  it('refuses a checkpoint written by another optimizer', async () => {
    const model = makeModel(2);
    const runDir = join(tmp, 'c');
    const trainer = new Trainer(model, { epochs: 1, runDir, progress: 'none' });
    await trainer.fit({ train: batchSource(data, 64) });
    trainer.dispose();
    const other = new Trainer(model, { epochs: 2, runDir, progress: 'none', optimizer: { type: 'sgd' } });
    await expect(other.fit({ train: batchSource(data, 64), resume: 'latest' })).rejects.toThrow(/optimizer 'adamw', not 'sgd'/);
    other.dispose();
    // Adam with L2 has the same moments as AdamW but another update: not interchangeable either.
    const adam = new Trainer(model, { epochs: 2, runDir, progress: 'none', optimizer: { type: 'adam', weightDecay: 0.01 } });
    await expect(adam.fit({ train: batchSource(data, 64), resume: 'latest' })).rejects.toThrow(/optimizer 'adamw', not 'adam'/);
    adam.dispose();
    model.dispose();
  });
});
