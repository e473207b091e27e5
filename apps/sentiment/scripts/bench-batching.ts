// Training speed of the sentiment app's batching, two arms side by side in one process: one-epoch fits alternate
// A, B, A, B, ... from the same initial weights (model seed); it prints each arm's median epoch seconds over the
// repeats, their ratio, and each branch's padded positions per real one (exact).
//   --compare grouping (default): shuffled batches (A) against length-grouped ones (B, `groupByLength`), every
//     training sentence encoded beforehand;
//   --compare cache: sentences encoded anew every epoch (A, as before the encoding cache) against encoded once (B).
//   node tools/run-ts.mjs apps/sentiment/scripts/bench-batching.ts --config apps/sentiment/configs/phrasebank.yaml [--compare grouping|cache] [--megabatches 50] [--repeats 3] [--set key=value ...]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '@finmm/core';
import { batchRows, epochOrder, lengthGroupedOrder, type BatchSource, type LengthGrouping } from '@finmm/data';
import { Trainer, type TrainerConfigInput } from '@finmm/trainer';
import { median } from '../../../tools/bench/transformer-step.js';
import { loadSentimentConfig, type SentimentConfig } from '../src/config.js';
import { loadSentimentData } from '../src/data.js';
import { EncodingCache } from '../src/encoding-cache.js';
import { classWeightsFor, lengthGrouping, trainBatchOptions } from '../src/fit.js';
import { buildSentimentModel, prepareText } from '../src/model/build.js';
import '../src/register.js';
import { sentimentSource } from '../src/source.js';
import type { EncodedText } from '../src/text-features.js';

const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    compare: { type: 'string', default: 'grouping' },
    megabatches: { type: 'string', default: '50' },
    repeats: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    set: { type: 'string', multiple: true, default: [] },
  },
});
if (values.config === undefined) throw new Error('bench-batching: give --config FILE');
if (values.compare !== 'grouping' && values.compare !== 'cache') throw new Error(`bench-batching: --compare must be grouping or cache, got ${values.compare}`);
const megabatches = Number(values.megabatches);
const repeats = Number(values.repeats);
const seed = Number(values.seed);
for (const [name, v] of [['megabatches', megabatches], ['repeats', repeats], ['seed', seed]] as const) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`bench-batching: --${name} must be a positive integer, got ${String(v)}`);
}

const backend = await initBackend();
const { config } = loadSentimentConfig(values.config, values.set);
const data = await loadSentimentData(config.data);
const rows = data.split.train;
const prepared = prepareText(config.model, rows.map((r) => data.texts[r] as string));
const cache = new EncodingCache(Number.POSITIVE_INFINITY);
/** A row's encoding, kept in the cache both arms read. */
const encode = (row: number): EncodedText => cache.get(row, data.texts[row] as string, (t) => prepared.featurizer.encode(t));
for (const row of rows) encode(row); // every training sentence encoded before any timing
const classWeights = classWeightsFor(config, data);
const cached = sentimentSource(data, prepared.featurizer, null, cache);
const groupedConfig = { ...config, groupByLength: megabatches };
const configGrouping = lengthGrouping(config, data, encode); // the cache comparison keeps the config's own grouping
const arms: Array<{ name: string; config: SentimentConfig; source: BatchSource; grouping: LengthGrouping | null }> =
  values.compare === 'grouping'
    ? [
        { name: 'shuffled', config: { ...config, groupByLength: null }, source: cached, grouping: null },
        { name: `grouped (${megabatches} batches a megabatch)`, config: groupedConfig, source: cached, grouping: lengthGrouping(groupedConfig, data, encode) },
      ]
    : [
        { name: 'encoded every epoch', config, source: sentimentSource(data, prepared.featurizer), grouping: configGrouping },
        { name: 'encoded once (cache)', config, source: cached, grouping: configGrouping },
      ];

/** Padded positions per real position of each branch over one epoch's batches (epoch 0 of the seed). */
function paddingOf(batchSize: number, grouping: LengthGrouping | null): Record<string, number> {
  const order = epochOrder(rows, { seed, epoch: 0 });
  const grouped = grouping === null ? order : lengthGroupedOrder(order, batchSize, grouping);
  const branches: Record<string, (e: EncodedText) => number> = { ids: (e) => e.ids.length, ngramIds: (e) => e.ngramIds?.length ?? 0, tfidf: (e) => e.tfidf?.indices.length ?? 0 };
  const out: Record<string, number> = {};
  for (const [branch, length] of Object.entries(branches)) {
    let padded = 0;
    let real = 0;
    for (const batch of batchRows(grouped, batchSize)) {
      const lengths = batch.map((r) => length(encode(r)));
      padded += Math.max(...lengths) * batch.length;
      real += lengths.reduce((a, b) => a + b, 0);
    }
    if (real > 0) out[branch] = padded / real;
  }
  return out;
}

/** Seconds of one training epoch of the arm, from the seed's initial weights. */
async function epochSeconds(arm: SentimentConfig, source: BatchSource, grouping: LengthGrouping | null): Promise<number> {
  const { model } = await buildSentimentModel(arm, prepared, data.classes, seed, classWeights);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-batching-'));
  const { earlyStopping: _stop, evalEvery: _eval, ...trainerFields } = arm.trainer;
  const trainer = new Trainer(model, { ...trainerFields, epochs: 1, seed, progress: 'none', runDir: dir, checkpointEvery: 'never' } as TrainerConfigInput);
  try {
    const started = performance.now();
    await trainer.fit({ train: (ctx) => source.batches(trainBatchOptions(arm, data, ctx, grouping)), batchesPerEpoch: source.numBatches({ batchSize: arm.batchSize, rows }) });
    return (performance.now() - started) / 1000;
  } finally {
    trainer.dispose();
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`bench-batching (${values.compare}): ${values.config}, ${rows.length} training sentences, batch ${config.batchSize}, backend ${backend.name} (${backend.threads} threads)`);
const seconds: number[][] = arms.map(() => []);
for (let r = 0; r < repeats; r++) {
  for (const [i, arm] of arms.entries()) {
    const s = await epochSeconds(arm.config, arm.source, arm.grouping);
    seconds[i]?.push(s);
    console.log(`  repeat ${r + 1}: ${arm.name}: ${s.toFixed(1)} s`);
  }
}
for (const [i, arm] of arms.entries()) {
  const padding = Object.entries(paddingOf(arm.config.batchSize, arm.grouping)).map(([b, p]) => `${b} ${p.toFixed(2)}`).join(', ');
  console.log(`${arm.name}: median epoch ${median(seconds[i] ?? []).toFixed(1)} s (${(seconds[i] ?? []).map((s) => s.toFixed(1)).join(', ')}); padded positions per real one: ${padding}`);
}
console.log(`speed-up (median ${arms[0]?.name} / median ${arms[1]?.name}): ${(median(seconds[0] ?? []) / median(seconds[1] ?? [])).toFixed(2)}x`);
