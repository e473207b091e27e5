import type { Batch, TextTokenizer } from '@finmm/core';
import * as tf from '@tensorflow/tfjs';
import * as arrow from 'apache-arrow';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BatchSource,
  Preprocessing,
  disposeBatch,
  epochOrder,
  lengthGroupedOrder,
  padSequences,
  parseDatasetSchema,
  pixelCollator,
  prefetch,
  randomSplit,
  streamBatches,
  streamCsv,
  tabularCollator,
  textCollator,
  timeseriesCollator,
  type Collator,
} from '../src/index.js';

/** A toy tokenizer: [CLS]=1, then one id per character (a=3, b=4, ...). */
const tokenizer: TextTokenizer = {
  padId: 0,
  vocabSize: 40,
  encode: (text) => [1, ...[...text].map((c) => Math.max(2, c.charCodeAt(0) - 94))],
};

const f = (t: arrow.DataType): arrow.Field => new arrow.Field('item', t, true);
const N = 50;
const table = new arrow.Table({
  text: arrow.vectorFromArray(
    Array.from({ length: N }, (_, i) => (i % 7 === 3 ? null : 'abcdefghij'.slice(0, 1 + (i % 10)))),
    new arrow.Utf8(),
  ),
  price: arrow.vectorFromArray(Array.from({ length: N }, (_, i) => (i % 11 === 5 ? null : i)), new arrow.Float64()),
  sector: arrow.vectorFromArray(Array.from({ length: N }, (_, i) => (i % 13 === 0 ? null : `s${i % 4}`)), new arrow.Utf8()),
  series: arrow.vectorFromArray(
    Array.from({ length: N }, (_, i) => (i % 9 === 4 ? null : Array.from({ length: 1 + (i % 6) }, (_, t) => [i, t]))),
    new arrow.List(f(new arrow.List(f(new arrow.Float64())))),
  ),
  label: arrow.vectorFromArray(Array.from({ length: N }, (_, i) => (i % 5 === 2 ? null : i % 2 === 0 ? 'up' : 'down')), new arrow.Utf8()),
  target: arrow.vectorFromArray(Array.from({ length: N }, (_, i) => (i % 4 === 1 ? null : i / 10)), new arrow.Float64()),
  id: arrow.vectorFromArray(Array.from({ length: N }, (_, i) => i), new arrow.Int32()),
});
const schema = parseDatasetSchema({
  name: 'toy',
  columns: {
    text: { role: 'text' },
    price: { role: 'numeric' },
    sector: { role: 'categorical' },
    series: { role: 'timeseries' },
    label: { role: 'label', task: 'movement', kind: 'binary', classes: ['down', 'up'] },
    target: { role: 'label', task: 'return', kind: 'regression' },
    id: { role: 'id' },
  },
});
const split = randomSplit(N, { fractions: { train: 0.8, valid: 0.2, test: 0 }, seed: 5 });
const preprocessing = Preprocessing.fit(table, schema, split.train);

function makeSource(extra: Partial<Record<'text', Collator<'text'>>> = {}): BatchSource {
  return new BatchSource({
    table,
    schema,
    preprocessing,
    collators: {
      text: textCollator({ column: 'text', tokenizer, maxLen: 8 }),
      tabular: tabularCollator({ numeric: ['price'], categorical: ['sector'], preprocessing }),
      timeseries: timeseriesCollator({ column: 'series', maxLen: 4, features: 2 }),
      ...extra,
    },
  });
}

async function ids(iterator: AsyncIterable<Batch>): Promise<number[][]> {
  const out: number[][] = [];
  // The row id of each sample with a series: its values are [id, t] per step.
  for await (const batch of iterator) {
    const values = (await batch.inputs.timeseries!.values.array()) as number[][][];
    const present = await batch.present.timeseries!.data();
    out.push(values.flatMap((steps, b) => (present[b] === 1 ? [steps[0]?.[0] ?? -1] : [])));
    disposeBatch(batch);
  }
  return out;
}

describe('padSequences', () => {
  it('pads right and truncates right or left', () => {
    const right = padSequences([[1, 2, 3, 4], [5]], 3, 0, 'right');
    expect([...right.ids]).toEqual([1, 2, 3, 5, 0, 0]);
    expect([...right.mask]).toEqual([1, 1, 1, 1, 0, 0]);
    const left = padSequences([[1, 2, 3, 4], []], 3, 9, 'left');
    expect([...left.ids]).toEqual([2, 3, 4, 9, 9, 9]);
    expect([...left.mask]).toEqual([1, 1, 1, 0, 0, 0]);
    expect(() => padSequences([[1.5]], 2, 0)).toThrow(/non-integer/);
  });
});

describe('BatchSource', () => {
  it('builds batches with the right shapes, dtypes, padding and presence masks', async () => {
    const source = makeSource();
    const batch = await source.collate([0, 3, 5, 4, 13]);
    expect(batch.size).toBe(5);
    const text = batch.inputs.text;
    expect(text?.ids.shape).toEqual([5, 8]);
    expect(text?.ids.dtype).toBe('int32');
    expect(text?.attentionMask.shape).toEqual([5, 8]);
    expect((await text?.ids.array())?.[0]).toEqual([1, 3, 0, 0, 0, 0, 0, 0]); // 'a' -> [CLS] a, padded
    expect((await text?.attentionMask.array())?.[0]).toEqual([1, 1, 0, 0, 0, 0, 0, 0]);
    expect([...(await batch.present.text!.data())]).toEqual([1, 0, 1, 1, 1]); // row 3 has no text

    const tab = batch.inputs.tabular;
    expect(tab?.numeric?.shape).toEqual([5, 1]);
    expect(tab?.categorical?.shape).toEqual([5, 1]);
    expect(tab?.categorical?.dtype).toBe('int32');
    expect([...(await batch.present.tabular!.data())]).toEqual([1, 1, 0, 1, 1]); // row 5 has no price
    expect((await tab!.categorical!.array()).map((r) => r[0])[4]).toBe(0); // row 13: null sector -> unknown slot
    const scaler = preprocessing.numeric('price');
    expect((await tab!.numeric!.array())[0]?.[0]).toBeCloseTo(scaler.transform(0));

    const ts = batch.inputs.timeseries;
    expect(ts?.values.shape).toEqual([5, 4, 2]);
    expect(ts?.stepMask?.shape).toEqual([5, 4]);
    expect((await ts!.stepMask!.array())[0]).toEqual([1, 0, 0, 0]); // row 0: 1 step
    expect([...(await batch.present.timeseries!.data())]).toEqual([1, 1, 1, 0, 0]); // rows 4 and 13: no series
    expect((await ts!.values.array())[2]?.[0]).toEqual([5, 2]); // row 5: 6 steps, the last 4 kept: t = 2..5
    expect((await ts!.values.array())[2]?.[3]).toEqual([5, 5]);

    const movement = batch.labels['movement'];
    expect(movement?.y.dtype).toBe('int32');
    expect([...(await movement!.y.data())]).toEqual([1, 0, 0, 1, 0]); // up=1, down=0 (masked rows are 0)
    expect([...(await movement!.mask.data())]).toEqual([1, 1, 1, 1, 1]);
    const reg = batch.labels['return'];
    expect([...(await reg!.mask.data())]).toEqual([1, 1, 0, 1, 0]); // rows 5 and 13 (i % 4 === 1): no target
    disposeBatch(batch);
  });

  it('label nulls get mask 0; an unknown class is an error naming the row', async () => {
    const source = makeSource();
    const batch = await source.collate([2, 7]);
    expect([...(await batch.labels['movement']!.mask.data())]).toEqual([0, 0]);
    disposeBatch(batch);
    const bad = table.assign(new arrow.Table({ label: arrow.vectorFromArray(Array.from({ length: N }, () => 'sideways'), new arrow.Utf8()) }));
    const badSource = new BatchSource({ table: bad, schema, preprocessing, collators: {} });
    const before = tf.memory().numTensors;
    await expect(badSource.collate([0, 1])).rejects.toThrow(/task "movement", row 0, column "label": label "sideways" is not one of the classes/);
    expect(tf.memory().numTensors).toBe(before); // a failed batch frees what it built
  });

  it('the epoch order is reproducible from (seed, epoch), differs between epochs, and resumes mid-epoch', async () => {
    const source = makeSource();
    const opts = { batchSize: 8, seed: 42, rows: split.train };
    const first = await ids(source.batches({ ...opts, epoch: 0 }));
    expect(await ids(source.batches({ ...opts, epoch: 0 }))).toEqual(first);
    expect(await ids(source.batches({ ...opts, epoch: 1 }))).not.toEqual(first);
    expect(await ids(source.batches({ ...opts, epoch: 0, startBatch: 2 }))).toEqual(first.slice(2));
    expect(first.flat().sort((a, b) => a - b)).toEqual([...split.train].sort((a, b) => a - b).filter((i) => i % 9 !== 4));
    expect(epochOrder([1, 2, 3], { shuffle: false })).toEqual([1, 2, 3]);
    expect(source.numBatches({ batchSize: 8, rows: split.train, dropLast: true })).toBe(5);
    const sizes: number[] = [];
    for await (const batch of source.batches({ batchSize: 8, rows: split.train, dropLast: true })) {
      sizes.push(batch.size);
      disposeBatch(batch);
    }
    expect(sizes).toEqual([8, 8, 8, 8, 8]);
  });

  it('groups rows by length: each megabatch longest first, ties in shuffled order, bad lengths named', () => {
    const lengths = [10, 3, 7, 3, 1, 8];
    expect(lengthGroupedOrder([0, 1, 2, 3, 4, 5], 2, { lengths, megabatches: 2 })).toEqual([0, 2, 1, 3, 5, 4]);
    expect(lengthGroupedOrder([3, 1, 4, 5], 2, { lengths, megabatches: 1 })).toEqual([3, 1, 5, 4]);
    expect(lengthGroupedOrder([4, 5, 0], 1, { lengths })).toEqual([0, 5, 4]); // default: 50 batches a megabatch
    expect(() => lengthGroupedOrder([0, 6], 2, { lengths })).toThrow(/row 6 has length undefined; expected a number >= 0 for every row \(6 given\)/);
    expect(() => lengthGroupedOrder([0, 1], 2, { lengths: [1, Number.NaN] })).toThrow(/row 1 has length NaN/);
    expect(() => lengthGroupedOrder([0, 1], 2, { lengths, megabatches: 0 })).toThrow(/megabatches must be a positive integer, got 0/);
  });

  it('length-grouped epochs hold the same rows, sorted within each megabatch, reproducibly and resumably', async () => {
    const source = makeSource();
    const lengths = Array.from({ length: N }, (_, i) => 1 + (i % 10)); // the text column's lengths
    const opts = { batchSize: 4, seed: 7, epoch: 3, rows: split.train, groupByLength: { lengths, megabatches: 3 } };
    const grouped = await ids(source.batches(opts));
    const plain = await ids(source.batches({ ...opts, groupByLength: undefined }));
    expect(grouped.flat().sort((a, b) => a - b)).toEqual(plain.flat().sort((a, b) => a - b));
    expect(grouped).not.toEqual(plain);
    const order = lengthGroupedOrder(epochOrder(split.train, opts), 4, opts.groupByLength);
    for (let start = 0; start < order.length; start += 12) {
      const run = order.slice(start, start + 12).map((row) => lengths[row] as number);
      expect(run).toEqual([...run].sort((a, b) => b - a));
    }
    expect(grouped.flat()).toEqual(order.filter((row) => row % 9 !== 4)); // rows without a series are not in ids()
    expect(await ids(source.batches(opts))).toEqual(grouped);
    expect(await ids(source.batches({ ...opts, startBatch: 4 }))).toEqual(grouped.slice(4));
  });

  it('prepares the next batch while the consumer awaits its training step', async () => {
    const log: string[] = [];
    let batchNo = 0;
    const slowText: Collator<'text'> = {
      modality: 'text',
      columns: ['text'],
      collate(context) {
        const k = batchNo++;
        log.push(`prepare ${k}`);
        return textCollator({ column: 'text', tokenizer, maxLen: 4 }).collate(context);
      },
    };
    const source = makeSource({ text: slowText });
    let step = 0;
    for await (const batch of source.batches({ batchSize: 10, seed: 1 })) {
      log.push(`train ${step} start`);
      await new Promise((resolve) => setTimeout(resolve, 20)); // an async training step (e.g. await loss.data())
      log.push(`train ${step} end`);
      step += 1;
      disposeBatch(batch);
    }
    expect(step).toBe(5);
    for (let k = 0; k + 1 < step; k++) {
      // batch k+1 was prepared after step k started and before it ended: overlap
      expect(log.indexOf(`prepare ${k + 1}`)).toBeGreaterThan(log.indexOf(`train ${k} start`));
      expect(log.indexOf(`prepare ${k + 1}`)).toBeLessThan(log.indexOf(`train ${k} end`));
    }
  });

  it('the tensor count does not grow over many batches, and a break frees prefetched batches', async () => {
    const source = makeSource();
    const before = tf.memory().numTensors;
    for (let epoch = 0; epoch < 5; epoch++) {
      for await (const batch of source.batches({ batchSize: 4, seed: 3, epoch, prefetch: 2 })) {
        tf.tidy(() => {
          batch.inputs.tabular!.numeric!.sum(); // a consumer's computation
        });
        disposeBatch(batch);
      }
      expect(tf.memory().numTensors).toBe(before);
    }
    let seen = 0;
    for await (const batch of source.batches({ batchSize: 4, seed: 3, prefetch: 3 })) {
      disposeBatch(batch);
      if (++seen === 2) break; // batches 3..5 were being prepared
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('validates the table against the schema and the collators against the table', () => {
    expect(() => new BatchSource({ table, schema: parseDatasetSchema({ name: 'x', columns: { nope: { role: 'numeric' } } }), collators: {} })).toThrow(
      /^x field "nope": missing column/,
    );
    expect(
      () => new BatchSource({ table, schema, collators: { timeseries: timeseriesCollator({ column: 'missing', maxLen: 2, features: 1 }) } }),
    ).toThrow(/toy: the table has no column "missing"/);
  });

  it('collates in-memory pixels', async () => {
    const pix = new arrow.Table({ px: arrow.vectorFromArray([[0, 255, 255, 0], null], new arrow.List(f(new arrow.Float64()))) });
    const s = new BatchSource({
      table: pix,
      schema: parseDatasetSchema({ name: 'p', columns: { px: { role: 'image', source: 'pixels' } } }),
      collators: { image: pixelCollator({ column: 'px', height: 2, width: 2, channels: 1, scale: 1 / 255 }) },
    });
    const batch = await s.collate([0, 1]);
    expect(batch.inputs.image?.pixels.shape).toEqual([2, 2, 2, 1]);
    expect([...(await batch.present.image!.data())]).toEqual([1, 0]);
    disposeBatch(batch);
  });
});

describe('streaming', () => {
  it('batches a CSV stream without loading it whole, in stored or window-shuffled order', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finmm-stream-'));
    const file = path.join(dir, 'big.csv');
    fs.writeFileSync(file, ['x,sector,y', ...Array.from({ length: 103 }, (_, i) => `${i},s${i % 3},${i % 2}`)].join('\n'));
    const s = parseDatasetSchema({ name: 'big', columns: { x: { role: 'numeric' }, sector: { role: 'categorical' }, y: { role: 'label', task: 't', kind: 'binary' } } });
    const whole = await (await import('../src/index.js')).readCsv(file);
    const pre = Preprocessing.fit(whole.table, s, [0, 1, 2, 3, 4, 5]);
    const run = async (shuffleWindowBatches: number): Promise<number[]> => {
      const seen: number[] = [];
      const collators = { tabular: tabularCollator({ numeric: ['x'], categorical: ['sector'], preprocessing: pre }) };
      const before = tf.memory().numTensors;
      for await (const batch of streamBatches(streamCsv(file, { batchRows: 17 }), { schema: s, collators, preprocessing: pre, batchSize: 10, shuffleWindowBatches, seed: 9 })) {
        const x = (await batch.inputs.tabular!.numeric!.data()) as Float32Array;
        seen.push(...[...x].map((v) => Math.round(pre.numeric('x').inverse(v)) + 0)); // + 0 turns -0 into 0
        disposeBatch(batch);
      }
      expect(tf.memory().numTensors).toBe(before);
      return seen;
    };
    expect(await run(0)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    const shuffled = await run(3);
    expect(shuffled).not.toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect([...shuffled].sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(await run(3)).toEqual(shuffled);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prefetch passes errors to the consumer and disposes what it never handed out', async () => {
    const disposed: number[] = [];
    async function* numbers(): AsyncGenerator<number> {
      yield 1;
      yield 2;
      throw new Error('source failed');
    }
    const it = prefetch(numbers(), { depth: 2, dispose: (v) => disposed.push(v) });
    expect((await it.next()).value).toBe(1);
    expect((await it.next()).value).toBe(2);
    await expect(it.next()).rejects.toThrow('source failed');
    expect((await it.next()).done).toBe(true);
    const it2 = prefetch(numbers(), { depth: 2, dispose: (v) => disposed.push(v) });
    expect((await it2.next()).value).toBe(1);
    await it2.return?.();
    expect(disposed).toEqual([2]);
  });
});
