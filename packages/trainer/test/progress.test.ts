// The trainer's progress display: a cli-progress bar on a terminal, plain lines elsewhere, nothing with `none`.
import { describe, expect, it } from 'vitest';
import { createProgress, type ProgressStream } from '../src/index.js';

/** A fake stream capturing what is written; `isTTY` decides whether it looks like a terminal. */
function fakeStream(isTTY: boolean): ProgressStream & { chunks: string[]; text(): string } {
  const chunks: string[] = [];
  return {
    isTTY,
    columns: 160,
    chunks,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
    text: () => chunks.join(''),
  };
}

const ESC = '\x1B';

describe('progress', () => {
  it('prints plain lines when the stream is not a terminal', () => {
    const lines: string[] = [];
    const stream = fakeStream(false);
    const p = createProgress('auto', (l) => lines.push(l), { stream });
    p.step({ epoch: 0, epochs: 3, step: 9, totalSteps: 30, lr: 0.001 });
    p.update({ epoch: 0, epochs: 3, step: 10, totalSteps: 30, loss: 0.123456, lr: 0.001 });
    p.update({ epoch: 1, epochs: 3, step: 11, totalSteps: null, lr: 0.0005 });
    p.note('eval step 10: loss 0.1');
    p.stop();
    expect(lines).toEqual(['epoch 1/3 step 10/30 loss 0.1235 lr 1.00e-3', 'epoch 2/3 step 11 lr 5.00e-4', 'eval step 10: loss 0.1']);
    expect(stream.chunks).toEqual([]);
  });

  it('writes the lines to the stream when no line writer is given, also when a bar was asked for off a terminal', () => {
    for (const mode of ['auto', 'lines', 'bar'] as const) {
      const stream = fakeStream(false);
      const p = createProgress(mode, undefined, { stream });
      p.update({ epoch: 0, epochs: 1, step: 4, totalSteps: 8, loss: 2, lr: 0.1 });
      p.note('saved');
      p.stop();
      expect(stream.text()).toBe('epoch 1/1 step 4/8 loss 2.0000 lr 1.00e-1\nsaved\n');
    }
  });

  it('draws a cli-progress bar on a terminal, redrawn in place, with notes on their own lines', () => {
    const lines: string[] = [];
    const stream = fakeStream(true);
    const p = createProgress('auto', (l) => lines.push(l), { stream });
    p.step({ epoch: 0, epochs: 3, step: 1, totalSteps: 30, lr: 0.001 });
    const afterStart = stream.text();
    // The bar hides the cursor, returns to column 1 and draws the bar with the step's description.
    expect(afterStart).toContain(`${ESC}[?25l`);
    expect(afterStart).toContain(`${ESC}[1G`);
    expect(afterStart).toMatch(/[\u2591\u2588]{10,} 3% \| epoch 1\/3 step 1\/30 lr 1\.00e-3 \| eta /);
    p.update({ epoch: 0, epochs: 3, step: 10, totalSteps: 30, loss: 0.123456, lr: 0.001 });
    p.note('eval step 10: loss 0.1');
    expect(stream.text().slice(afterStart.length)).toContain('\neval step 10: loss 0.1\n');
    // A later step without a loss keeps showing the last known loss.
    p.step({ epoch: 2, epochs: 3, step: 30, totalSteps: 30, lr: 0.0005 });
    p.stop();
    const text = stream.text();
    // stop() draws the final state, shows the cursor again and ends the line.
    expect(text).toMatch(/100% \| epoch 3\/3 step 30\/30 loss 0\.1235 lr 5\.00e-4 \| eta 0s/);
    expect(text.lastIndexOf(`${ESC}[?25h`)).toBeGreaterThan(text.lastIndexOf('100%'));
    expect(text.endsWith('\n')).toBe(true);
    // Nothing went to the line writer: the terminal gets the bar instead.
    expect(lines).toEqual([]);
  });

  it('grows the bar’s total when the number of steps is unknown', () => {
    const stream = fakeStream(true);
    const p = createProgress('bar', undefined, { stream });
    p.step({ epoch: 0, epochs: 1, step: 1, totalSteps: null, lr: 0.01 });
    p.step({ epoch: 0, epochs: 1, step: 7, totalSteps: null, lr: 0.01 });
    p.stop();
    expect(stream.text()).toMatch(/ 87% \| epoch 1\/1 step 7 lr 1\.00e-2/); // 7 of 8 (step + 1), rounded down
    expect(stream.text()).not.toMatch(/step 7\//);
  });

  it('is silent with none, also on a terminal', () => {
    const lines: string[] = [];
    const stream = fakeStream(true);
    const p = createProgress('none', (l) => lines.push(l), { stream });
    p.step({ epoch: 0, epochs: 1, step: 1, totalSteps: 1, lr: 1 });
    p.update({ epoch: 0, epochs: 1, step: 1, totalSteps: 1, lr: 1 });
    p.note('x');
    p.stop();
    expect(lines).toEqual([]);
    expect(stream.chunks).toEqual([]);
  });
});
