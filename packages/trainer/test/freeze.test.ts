import { describe, expect, it } from 'vitest';
import { BceLoss } from '@finmm/losses';
import { buildTrainableParams, Trainer, trainableAt, type FreezeConfig, type TrainerConfigInput } from '../src/index.js';
import { batchSource, makeDataset } from './helpers/data.js';
import { TinyMlp, weightsOf } from './helpers/mlp.js';

const data = makeDataset(128, 4, 3, (row) => ({ up: row[0]! - row[1]! > 0 ? 1 : 0 }), { up: 'int32' });
const task = { name: 'up', kind: 'binary' as const, outDim: 1, loss: new BceLoss() };

/** Names of the variables whose values changed between two snapshots. */
function changed(a: Map<string, Float32Array>, b: Map<string, Float32Array>): string[] {
  return [...a].filter(([name, v]) => v.some((x, i) => x !== b.get(name)![i])).map(([name]) => name.replace(/^[^/]+\//, '')).sort();
}

async function trainAndDiff(prefix: string, config: TrainerConfigInput, pretrained = true): Promise<string[]> {
  const model = new TinyMlp({ inputs: 4, hidden: [4, 4, 4], tasks: [task], seed: 9, prefix, pretrained });
  const before = weightsOf(model);
  const trainer = new Trainer(model, { epochs: 1, progress: 'none', optimizer: { type: 'adamw', lr: 1e-2, weightDecay: 0.1 }, ...config });
  await trainer.fit({ train: batchSource(data, 32) });
  const diff = changed(before, weightsOf(model));
  trainer.dispose();
  model.dispose();
  return diff;
}

const layer = (i: number): string[] => [`layer${i}/bias`, `layer${i}/kernel`];
const head = ['head.up/bias', 'head.up/kernel'];

describe('freezing', () => {
  it('none: every parameter changes', async () => {
    expect(await trainAndDiff('fz-none', { freeze: { mode: 'none' } })).toEqual([...head, ...layer(0), ...layer(1), ...layer(2)].sort());
  });

  it('pretrained: frozen parameters do not change at all (not even by weight decay)', async () => {
    expect(await trainAndDiff('fz-pre', { freeze: { mode: 'pretrained' } })).toEqual(head);
  });

  it('top-k: only the top k layers of the pretrained encoder train', async () => {
    expect(await trainAndDiff('fz-top', { freeze: { mode: 'top-k', k: 1 } })).toEqual([...head, ...layer(2)].sort());
  });

  it('embeddings: only the bottom group is frozen', async () => {
    expect(await trainAndDiff('fz-emb', { freeze: { mode: 'embeddings' } })).toEqual([...head, ...layer(1), ...layer(2)].sort());
  });

  it('scope all applies to encoders trained from scratch; pretrained scope leaves them alone', async () => {
    expect(await trainAndDiff('fz-all', { freeze: { mode: 'top-k', k: 2, scope: 'all' } }, false)).toEqual([...head, ...layer(1), ...layer(2)].sort());
    expect(await trainAndDiff('fz-scratch', { freeze: { mode: 'top-k', k: 0 } }, false)).toHaveLength(8);
  });

  it('gradual unfreezing releases one more layer, from the top, each epoch', async () => {
    const model = new TinyMlp({ inputs: 4, hidden: [4, 4, 4], tasks: [task], seed: 9, prefix: 'fz-grad', pretrained: true });
    const perEpoch: string[][] = [];
    let last = weightsOf(model);
    const trainer = new Trainer(model, { epochs: 4, progress: 'none', optimizer: { type: 'adamw', lr: 1e-2 }, gradualUnfreezing: {} });
    await trainer.fit({
      train: batchSource(data, 32),
      validation: {
        evaluate: (m) => {
          const now = weightsOf(m);
          perEpoch.push(changed(last, now));
          last = now;
          return { loss: 0 };
        },
      },
    });
    expect(perEpoch).toEqual([
      head,
      [...head, ...layer(2)].sort(),
      [...head, ...layer(1), ...layer(2)].sort(),
      [...head, ...layer(0), ...layer(1), ...layer(2)].sort(),
    ]);
    trainer.dispose();
    model.dispose();
  });

  it('trainableAt combines a policy with gradual unfreezing', () => {
    const model = new TinyMlp({ inputs: 2, hidden: [2, 2, 2], tasks: [task], seed: 1, prefix: 'fz-unit', pretrained: true });
    const params = buildTrainableParams(model.parameterGroups(), { lr: 1, weightDecay: 0 });
    const groups = (freeze: FreezeConfig, epoch: number, gradual = false): string[] => [
      ...new Set(trainableAt(params, epoch, freeze, gradual ? { everyEpochs: 2 } : undefined).map((p) => p.group)),
    ];
    expect(groups({ mode: 'none' }, 0, true)).toEqual(['head.up']);
    expect(groups({ mode: 'none' }, 1, true)).toEqual(['head.up']);
    expect(groups({ mode: 'none' }, 2, true)).toEqual(['tabular.layer.2', 'head.up']);
    expect(groups({ mode: 'embeddings' }, 10, true)).toEqual(['tabular.layer.1', 'tabular.layer.2', 'head.up']);
    model.dispose();
  });
});
