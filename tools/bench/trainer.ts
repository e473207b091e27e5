// Trainer overhead vs a bare loop: same model, same batches, same AdamW steps; median over repeats.
// Run: `npm run bench:trainer` (or `node tools/run-ts.mjs tools/bench/trainer.ts [--repeats 9] [--epochs 5]`).
// Prints the figures and writes runs/bench/trainer-<time>.json. Goal: overhead under 5% of wall time.
// Each repeat runs both sides back to back (alternating which goes first) and the overhead is the median of the
// per-repeat ratios trainer/bare, so slow drift in machine load cancels. Both clocks include each side's setup
// (parameters, optimizer) and end only after the last update has been read back from the device. Process CPU time
// (all threads, native TensorFlow's included) is reported beside wall time.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type Model } from '@finmm/core';
import { BceLoss, FixedWeights } from '@finmm/losses';
import { AdamW, buildTrainableParams, disposeBatch, totalLoss, Trainer, type BatchSource } from '@finmm/trainer';
import { batchSource, makeDataset, type Dataset } from '../../packages/trainer/test/helpers/data.js';
import { TinyMlp } from '../../packages/trainer/test/helpers/mlp.js';

interface Options {
  repeats: number;
  epochs: number;
  batchSize: number;
  rows: number;
  hidden: number[];
}

function parseArgs(argv: readonly string[]): Options {
  const get = (name: string, fallback: number): number => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
  };
  return { repeats: get('repeats', 9), epochs: get('epochs', 5), batchSize: get('batch', 64), rows: get('rows', 4096), hidden: [get('width', 256), get('width', 256)] };
}

function buildModel(options: Options, features: number, prefix: string): Model {
  return new TinyMlp({ inputs: features, hidden: options.hidden, tasks: [{ name: 'up', kind: 'binary', outDim: 1, loss: new BceLoss() }], seed: 1, prefix });
}

/** Wall and CPU milliseconds of one timed run. */
interface Timing {
  wall: number;
  cpu: number;
}

function startClock(): () => Timing {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wall: performance.now() - wall, cpu: (used.user + used.system) / 1000 };
  };
}

/** The same steps the trainer takes, with nothing around them. */
async function bareLoop(model: Model, source: BatchSource, epochs: number, lr: number): Promise<Timing> {
  const tasks = model.tasks();
  const stop = startClock();
  const combiner = new FixedWeights({ up: 1 });
  const params = buildTrainableParams(model.parameterGroups(), { lr, weightDecay: 0.01 });
  const vars = params.map((p) => p.variable);
  const optimizer = new AdamW();
  for (let epoch = 0; epoch < epochs; epoch++) {
    for await (const batch of source({ epoch, seed: epoch, skip: 0 })) {
      const { value, grads } = tf.variableGrads(() => totalLoss(tasks, model.forward(batch, { training: true }), batch, combiner), vars);
      optimizer.step(params.map((p) => ({ param: p, grad: grads[p.variable.name] as tf.Tensor })), 1);
      tf.dispose(value);
      tf.dispose(Object.values(grads));
      disposeBatch(batch);
    }
  }
  await model.variables()[0]?.data(); // wait for the last update
  const timing = stop();
  optimizer.dispose();
  return timing;
}

async function trainerLoop(model: Model, source: BatchSource, epochs: number, lr: number): Promise<Timing> {
  const stop = startClock();
  const trainer = new Trainer(model, { epochs, optimizer: { type: 'adamw', lr, weightDecay: 0.01 }, checkpointEvery: 'never', progress: 'none' });
  await trainer.fit({ train: (ctx) => source({ ...ctx, seed: ctx.epoch }) });
  await model.variables()[0]?.data(); // wait for the last update
  const timing = stop();
  trainer.dispose();
  return timing;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const backend = await initBackend();
  const features = 32;
  const w = Array.from({ length: features }, (_, i) => Math.sin(i + 1));
  const data: Dataset = makeDataset(options.rows, features, 1, (row) => ({ up: row.reduce((a, v, i) => a + v * (w[i] as number), 0) > 0 ? 1 : 0 }), { up: 'int32' });
  const source = batchSource(data, options.batchSize);
  const steps = options.epochs * Math.ceil(options.rows / options.batchSize);
  const bare: Timing[] = [];
  const trained: Timing[] = [];
  // Warm up kernels once, then alternate which side goes first so that drift in machine load hits both alike.
  for (let r = -1; r < options.repeats; r++) {
    for (const side of r % 2 === 0 ? ['bare', 'trainer'] : ['trainer', 'bare']) {
      const model = buildModel(options, features, `bench${side}${r}`);
      const timing = side === 'bare' ? await bareLoop(model, source, options.epochs, 1e-3) : await trainerLoop(model, source, options.epochs, 1e-3);
      model.dispose();
      if (r >= 0) (side === 'bare' ? bare : trained).push(timing);
    }
  }
  const figures = (key: keyof Timing): { bare: number; trainer: number; overhead: number } => {
    const b = median(bare.map((t) => t[key]));
    const t = median(trained.map((x) => x[key]));
    const pairedRatios = trained.map((x, i) => x[key] / (bare[i] as Timing)[key]);
    return { bare: b, trainer: t, overhead: median(pairedRatios) - 1 };
  };
  const wall = figures('wall');
  const cpu = figures('cpu');
  const result = {
    bench: 'trainer-overhead',
    backend: backend.name,
    gpu: backend.gpu,
    model: { inputs: features, hidden: options.hidden },
    batchSize: options.batchSize,
    steps,
    repeats: options.repeats,
    bare,
    trainer: trained,
    median: { wall, cpu },
    msPerStep: { bare: wall.bare / steps, trainer: wall.trainer / steps },
    goal: 0.05,
    withinGoal: wall.overhead < 0.05,
    writtenAt: new Date().toISOString(),
  };
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  console.log(`backend ${backend.name}${backend.gpu ? ' (GPU)' : ''}; MLP ${features}-${options.hidden.join('-')}-1, batch ${options.batchSize}, ${steps} steps x ${options.repeats} repeats`);
  console.log(`wall: bare ${wall.bare.toFixed(0)} ms (${(wall.bare / steps).toFixed(2)} ms/step), trainer ${wall.trainer.toFixed(0)} ms (${(wall.trainer / steps).toFixed(2)} ms/step): overhead ${pct(wall.overhead)} (median of paired ratios)`);
  console.log(`cpu:  bare ${cpu.bare.toFixed(0)} ms, trainer ${cpu.trainer.toFixed(0)} ms: overhead ${pct(cpu.overhead)} (median of paired ratios)`);
  console.log(`goal < 5% (median of paired wall-time ratios): ${result.withinGoal ? 'met' : 'NOT met'}`);
  const dir = join('runs', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `trainer-${result.writtenAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

await main();
