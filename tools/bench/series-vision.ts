// `npm run bench:series-vision`: chart images rendered per second, and training throughput of the ALSTM (ACL18
// settings) and the 20-day Jiang-Kelly-Xiu CNN, each beside the same model in PyTorch in the same run
// (tools/python/bench_series_vision.py, kept running and asked for one repeat after each of ours, so that both see the
// same load on a shared machine). Medians over repeats; JSON to runs/bench/series-vision-<time>.json.
//   node tools/run-ts.mjs tools/bench/series-vision.ts [--quick] [--no-python] [--parts render,alstm,cnn]
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@finmm/core';
import { AlstmEncoder, parseYahooCsv, type OhlcvRow } from '@finmm/encoders-timeseries';
import { JkxCnnEncoder, chartWindowsBefore, renderCharts, renderChartsArray, type ChartBar } from '@finmm/encoders-vision';
import { ensurePythonVenv } from '../python/python-env.js';

const repo = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const withPython = !args.includes('--no-python');
const partsArg = args[args.indexOf('--parts') + 1];
const parts = new Set(args.includes('--parts') && partsArg !== undefined ? partsArg.split(',') : ['render', 'alstm', 'cnn']);

/** ACL18 settings of Adv-ALSTM (shared/notes/anchors.md): 5 days, 4 LSTM units, alpha 1, lr 1e-2, batch 1024; 11 features as its data. */
const ALSTM = { days: 5, features: 11, units: 4, alpha: 1, lr: 1e-2, batch: 1024, stepsPerRepeat: 10 };
/** The 20-day chart CNN: batch 128 of 64x60 images, Adam 1e-3. */
const CNN = { days: 20, batch: 128, lr: 1e-3 };
const REPEATS = quick ? 3 : 7;
const CNN_REPEATS = quick ? 2 : 5;
const WARMUP = 3;

/** Median of a non-empty list. */
function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Per-repeat milliseconds of `run`, after `warmup` calls. */
async function timeRepeats(run: () => Promise<void> | void, warmup: number, repeats: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** AAPL's daily bars when the shared data folder is there, else a seeded random walk of the same length. */
function priceSeries(): { rows: OhlcvRow[]; source: string } {
  const file = join(process.env['FINMM_DATA_DIR'] ?? resolve(repo, '..', 'shared', 'data'), 'stocknet', 'price', 'raw', 'AAPL.csv');
  if (existsSync(file)) return { rows: parseYahooCsv(readFileSync(file, 'utf8'), file).rows, source: file };
  const rng = Rng.fromSeed(1);
  let close = 100;
  const rows = Array.from({ length: 1258 }, (_, i) => {
    const open = close * (1 + 0.005 * (rng.float() - 0.5));
    close = open * (1 + 0.03 * (rng.float() - 0.5));
    const date = new Date(Date.UTC(2012, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    return { date, open, high: Math.max(open, close) * 1.005, low: Math.min(open, close) * 0.995, close, volume: 1e6 * (1 + rng.float()) };
  });
  return { rows, source: 'seeded random walk (shared data not found)' };
}

/** Windows (with MA history) of every target date of the series, cycled up to `count`. */
function chartBatch(rows: OhlcvRow[], days: number, count: number): ChartBar[][] {
  const { windows } = chartWindowsBefore(rows, rows.slice(days).map((r) => r.date), { days });
  return Array.from({ length: count }, (_, i) => windows[i % windows.length] as ChartBar[]);
}

async function benchRender(rows: OhlcvRow[]): Promise<Record<string, unknown>> {
  const batch = 2048;
  const out: Record<string, unknown> = { batch };
  for (const days of [5, 20, 60]) {
    const windows = chartBatch(rows, days, batch);
    const arrayMs = await timeRepeats(() => void renderChartsArray(windows, days), WARMUP, REPEATS);
    const tensorMs = await timeRepeats(() => renderCharts(windows, days).dispose(), WARMUP, REPEATS);
    out[`${days}d`] = {
      arrayImagesPerSec: (batch * 1000) / median(arrayMs),
      tensorImagesPerSec: (batch * 1000) / median(tensorMs),
      arraySamplesMs: arrayMs,
      tensorSamplesMs: tensorMs,
    };
  }
  return out;
}

/** A training step to time: one repeat runs `stepsPerRepeat` steps of `batch` samples. */
interface Workload {
  step(): Promise<void>;
  batch: number;
  stepsPerRepeat: number;
  parameters: number;
  dispose(): void;
}

function alstmWorkload(): Workload {
  const encoder = new AlstmEncoder({ inputDim: ALSTM.features, units: ALSTM.units, seed: 1, scope: 'bench-alstm/' });
  const head = tf.variable(tf.randomNormal([2 * ALSTM.units, 1], 0, 0.1, 'float32', 2), true, 'bench-alstm/head.kernel');
  const bias = tf.variable(tf.zeros([1]), true, 'bench-alstm/head.bias');
  const x = tf.randomNormal([ALSTM.batch, ALSTM.days, ALSTM.features], 0, 1, 'float32', 3) as tf.Tensor3D;
  const y = tf.tidy(() => tf.sub(tf.mul(tf.cast(tf.less(tf.randomUniform([ALSTM.batch, 1], 0, 1, 'float32', 4), 0.5), 'float32'), 2), 1)); // {-1, 1}
  const optimizer = tf.train.adam(ALSTM.lr);
  const vars = [...encoder.variables(), head, bias];
  return {
    async step() {
      const loss = optimizer.minimize(
        () => {
          const pred = tf.add(tf.matMul(encoder.encode({ values: x }, true).pooled, head), bias); // [B, 1]
          const hinge = tf.mean(tf.relu(tf.sub(1, tf.mul(y, pred))));
          return tf.add(hinge, tf.mul(ALSTM.alpha * 0.5, tf.sum(tf.square(head)))) as tf.Scalar;
        },
        true,
        vars,
      );
      await loss?.data();
      loss?.dispose();
    },
    batch: ALSTM.batch,
    stepsPerRepeat: ALSTM.stepsPerRepeat,
    parameters: vars.reduce((n, v) => n + v.size, 0),
    dispose() {
      optimizer.dispose();
      encoder.dispose();
      tf.dispose([head, bias, x, y]);
    },
  };
}

function cnnWorkload(rows: OhlcvRow[]): Workload {
  const encoder = new JkxCnnEncoder({ days: CNN.days, outDim: 2, seed: 1, scope: 'bench-cnn/' }); // logits = the projection
  const pixels = renderCharts(chartBatch(rows, CNN.days, CNN.batch), CNN.days);
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: CNN.batch }, (_, i) => i % 2), 'int32'), 2));
  const optimizer = tf.train.adam(CNN.lr);
  const vars = encoder.variables().filter((v) => v.trainable);
  return {
    async step() {
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, encoder.encode({ pixels }, true).pooled) as tf.Scalar, true, vars);
      await loss?.data();
      loss?.dispose();
    },
    batch: CNN.batch,
    stepsPerRepeat: 1,
    parameters: vars.reduce((n, v) => n + v.size, 0),
    dispose() {
      optimizer.dispose();
      encoder.dispose();
      tf.dispose([pixels, labels]);
    },
  };
}

/** The PyTorch side: a long-lived `bench_series_vision.py --serve` that times one repeat per request. */
class PythonPeer {
  private readonly pending: Array<(line: string) => void> = [];

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    /** The ready message: torch version and threads. */
    readonly info: Record<string, unknown>,
  ) {}

  /** Starts the script (creating .venv-ref when missing) and waits until its models are built and warmed up. */
  static start(parts: string[]): Promise<PythonPeer> {
    const python = ensurePythonVenv();
    const script = join(repo, 'tools', 'python', 'bench_series_vision.py');
    const child = spawn(python, [script, '--serve', '--parts', parts.join(','), '--warmup', String(WARMUP)]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout });
    let peer: PythonPeer | null = null;
    return new Promise<PythonPeer>((resolveReady, reject) => {
      child.on('exit', (code) => {
        if (code !== 0) console.error(`bench_series_vision.py exited with ${code}:\n${stderr}`);
        reject(new Error(`bench_series_vision.py exited (${code})`));
      });
      lines.on('line', (line) => {
        if (peer === null) {
          peer = new PythonPeer(child, JSON.parse(line) as Record<string, unknown>);
          resolveReady(peer);
        } else {
          peer.pending.shift()?.(line);
        }
      });
    });
  }

  /** Milliseconds per step of one PyTorch repeat of `part`. */
  repeat(part: string): Promise<number> {
    return new Promise((resolveLine) => {
      this.pending.push((line) => resolveLine((JSON.parse(line) as { ms: number }).ms));
      this.child.stdin.write(`${part}\n`);
    });
  }

  /** Stops the script. */
  close(): void {
    this.child.stdin.end('quit\n');
  }
}

/** Times `workload`, each repeat followed by a PyTorch repeat of the same part when a peer is given. */
async function compare(part: string, workload: Workload, repeats: number, peer: PythonPeer | null): Promise<Record<string, unknown>> {
  for (let i = 0; i < (part === 'alstm' ? WARMUP : 1); i++) await workload.step();
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < workload.stepsPerRepeat; i++) await workload.step();
    ours.push((performance.now() - t0) / workload.stepsPerRepeat);
    if (peer !== null) theirs.push(await peer.repeat(part));
  }
  const perSec = (ms: number): number => (workload.batch * 1000) / ms;
  const result: Record<string, unknown> = {
    batch: workload.batch,
    parameters: workload.parameters,
    finmm: { medianMs: median(ours), samplesMs: ours, samplesPerSec: perSec(median(ours)) },
  };
  if (peer !== null) {
    result['pytorch'] = { medianMs: median(theirs), samplesMs: theirs, samplesPerSec: perSec(median(theirs)) };
    result['ratio'] = median(theirs) / median(ours); // finmm throughput / PyTorch throughput
    result['pairedRatioMedian'] = median(ours.map((ms, i) => (theirs[i] as number) / ms));
  }
  return result;
}

const backend = await initBackend();
const { rows, source } = priceSeries();
console.log(`backend ${backend.name} (TF ${backend.tensorflowVersion ?? '-'}), ${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; prices: ${source}`);
const report: Record<string, unknown> = { time: new Date().toISOString(), backend, cores: os.availableParallelism(), loadAverageStart: os.loadavg(), quick, prices: source };
if (parts.has('render')) {
  const render = await benchRender(rows);
  report['render'] = render;
  for (const days of [5, 20, 60]) {
    const r = render[`${days}d`] as { arrayImagesPerSec: number; tensorImagesPerSec: number };
    console.log(
      `charts ${String(days).padStart(2)}-day: ${Math.round(r.arrayImagesPerSec).toLocaleString('en')} images/s into a Float32Array, ` +
        `${Math.round(r.tensorImagesPerSec).toLocaleString('en')} images/s as a tensor${days === 20 ? ' (goal > 5,000)' : ''}`,
    );
  }
}
const trainParts = ['alstm', 'cnn'].filter((p) => parts.has(p));
const peer = withPython && trainParts.length > 0 ? await PythonPeer.start(trainParts) : null;
report['pytorch'] = peer?.info ?? null;
const LABELS: Record<string, string> = { alstm: 'ALSTM training (5 days, ACL18, batch 1024)', cnn: '20-day CNN training (batch 128)' };
try {
  for (const part of trainParts) {
    const workload = part === 'alstm' ? alstmWorkload() : cnnWorkload(rows);
    const result = await compare(part, workload, part === 'alstm' ? REPEATS : CNN_REPEATS, peer);
    workload.dispose();
    report[part] = result;
    const ours = result['finmm'] as { samplesPerSec: number; medianMs: number };
    const theirs = result['pytorch'] as { samplesPerSec: number; medianMs: number } | undefined;
    console.log(
      `${LABELS[part]}: finmm ${Math.round(ours.samplesPerSec).toLocaleString('en')} samples/s (${ours.medianMs.toFixed(1)} ms/step)` +
        (theirs === undefined
          ? ''
          : `, PyTorch ${Math.round(theirs.samplesPerSec).toLocaleString('en')} samples/s (${theirs.medianMs.toFixed(1)} ms/step), ` +
            `ratio ${(result['ratio'] as number).toFixed(2)}x (median of paired repeats ${(result['pairedRatioMedian'] as number).toFixed(2)}x; goal >= 0.8x)`),
    );
  }
} finally {
  peer?.close();
}
report['loadAverageEnd'] = os.loadavg();
const dir = join(repo, 'runs', 'bench');
mkdirSync(dir, { recursive: true });
const file = join(dir, `series-vision-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${file} (load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; the machine is shared, so figures are noisy)`);
