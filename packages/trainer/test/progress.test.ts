import { describe, expect, it } from 'vitest';
import { createProgress } from '../src/index.js';

describe('progress', () => {
  it('prints plain lines when not on a terminal', () => {
    const lines: string[] = [];
    const p = createProgress('auto', (l) => lines.push(l));
    p.step({ epoch: 0, epochs: 3, step: 9, totalSteps: 30, lr: 0.001 });
    p.update({ epoch: 0, epochs: 3, step: 10, totalSteps: 30, loss: 0.123456, lr: 0.001 });
    p.update({ epoch: 1, epochs: 3, step: 11, totalSteps: null, lr: 0.0005 });
    p.note('eval step 10: loss 0.1');
    p.stop();
    expect(lines).toEqual(['epoch 1/3 step 10/30 loss 0.1235 lr 1.00e-3', 'epoch 2/3 step 11 lr 5.00e-4', 'eval step 10: loss 0.1']);
  });

  it('is silent with none', () => {
    const lines: string[] = [];
    const p = createProgress('none', (l) => lines.push(l));
    p.update({ epoch: 0, epochs: 1, step: 1, totalSteps: 1, lr: 1 });
    p.note('x');
    expect(lines).toEqual([]);
  });
});
