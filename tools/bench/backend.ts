// `npm run bench:backend [-- --only tensorflow,wasm,cpu,pytorch] [-- --repeats N] [-- --threads N]`: how fast finmm computes on each
// TensorFlow.js backend, and against PyTorch.
//   (a) a 1024x1024 float32 matMul (2 warm-ups, median of the repeats, result read back) on native TensorFlow,
//       wasm and pure-JS cpu;
//   (b) one Adam training step of a 4-layer, 256-wide, 4-head BERT encoder (FFN 1024, vocabulary 30522, seq 64,
//       batch 32, dropout 0.1) with masked mean pooling, a 3-class linear classifier and cross-entropy;
//   (c) the same step in PyTorch (transformers' BertModel, torch.optim.Adam) through tools/python/bench_transformer.py.
// Each backend runs in its own child process (FINMM_BACKEND set), so no backend's memory or threads disturb another.
// The native and PyTorch steps are interleaved (one native step, one PyTorch step, ...) after both have warmed up,
// so that on a shared machine both see the same load (PyTorch starts after the native matMul is timed). `--threads N` gives native TensorFlow (TF_NUM_INTRAOP_THREADS)
// and PyTorch (torch.set_num_threads) N threads each; by default both use every CPU. Results go to runs/bench/backend-<timestamp>.json.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BACKEND_NAMES, initBackend, type BackendName } from '@finmm/core';
import { ensurePythonVenv, repoRoot } from '../python/python-env.js';
import {
  benchMatMul,
  benchTransformerStep,
  createTransformerStep,
  DEFAULT_STEP,
  median,
  type StepShape,
  type Timing,
} from './transformer-step.js';

const RESULT_MARK = 'BENCH_RESULT ';
const MATMUL_MARK = 'BENCH_MATMUL ';
const READY_MARK = 'BENCH_READY';
const SELF = fileURLToPath(import.meta.url);
const PY_SCRIPT = join(repoRoot, 'tools', 'python', 'bench_transformer.py');

/** A timing (with whatever else the run reported), or why there is none. */
type Outcome = { ok: true; medianMs: number; samplesMs: number[]; [detail: string]: unknown } | { ok: false; error: string };

/** What one backend's child process measured. */
interface BackendResult {
  backend: BackendName;
  tensorflowVersion: string | null;
  threads: number;
  matMul: Outcome;
  step: Outcome;
}

/**
 * How long each backend may spend: matMul repeats; step warm-ups, repeats, the time after which no further step
 * starts, and the time after which the backend's process is stopped (pure-JS cpu needs minutes per step).
 */
const PLAN: Record<BackendName, { matMulRepeats: number; warmup: number; repeats: number; budgetMs: number; killMs: number }> = {
  tensorflow: { matMulRepeats: 20, warmup: 2, repeats: 9, budgetMs: Infinity, killMs: 20 * 60_000 },
  wasm: { matMulRepeats: 10, warmup: 1, repeats: 5, budgetMs: 60_000, killMs: 10 * 60_000 },
  cpu: { matMulRepeats: 10, warmup: 0, repeats: 5, budgetMs: 60_000, killMs: 6 * 60_000 },
};

function errorText(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
}

async function attempt(run: () => Promise<Timing>): Promise<Outcome> {
  try {
    return { ok: true, ...(await run()) };
  } catch (error) {
    return { ok: false, error: errorText(error) };
  }
}

function shapeArgs(shape: StepShape): string[] {
  return [
    ...['--vocab', shape.vocabSize, '--hidden', shape.hiddenSize, '--layers', shape.numLayers, '--heads', shape.numHeads],
    ...['--intermediate', shape.intermediateSize, '--seq', shape.seqLen, '--batch', shape.batch, '--classes', shape.classes],
    ...['--dropout', shape.dropout, '--lr', shape.learningRate],
  ].map(String);
}

// ---------------------------------------------------------------------------------------------------------------
// Child process: one backend

/**
 * Measures the matMul on `backend`, then the step: timed here, or (serve) one step per line read from stdin, each
 * answered with its milliseconds, until stdin closes. Prints one result line at the end.
 */
async function worker(backend: BackendName, repeats: number | null, serve: boolean): Promise<void> {
  const info = await initBackend({ backend });
  const plan = PLAN[backend];
  const matMul = await attempt(() => benchMatMul(plan.matMulRepeats));
  process.stdout.write(`${MATMUL_MARK}${JSON.stringify(matMul)}\n`); // kept if the step outlasts the time limit
  let step: Outcome;
  if (serve) {
    step = await attempt(async () => {
      const training = createTransformerStep(DEFAULT_STEP);
      for (let i = 0; i < plan.warmup; i++) await training.run();
      process.stdout.write(`${READY_MARK}\n`);
      const samplesMs: number[] = [];
      const cpuMs: number[] = [];
      for await (const _ of createInterface({ input: process.stdin })) {
        const [t0, c0] = [performance.now(), process.cpuUsage()];
        await training.run();
        const used = process.cpuUsage(c0);
        samplesMs.push(performance.now() - t0);
        cpuMs.push((used.user + used.system) / 1000);
        process.stdout.write(`${JSON.stringify({ wallMs: samplesMs.at(-1), cpuMs: cpuMs.at(-1) })}\n`);
      }
      training.dispose();
      return { medianMs: median(samplesMs), samplesMs, cpuMedianMs: median(cpuMs), parameters: training.parameters };
    });
  } else {
    step = await attempt(() =>
      benchTransformerStep({ shape: DEFAULT_STEP, warmup: plan.warmup, repeats: repeats ?? plan.repeats, budgetMs: plan.budgetMs }),
    );
  }
  const result: BackendResult = { backend, tensorflowVersion: info.tensorflowVersion, threads: info.threads, matMul, step };
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// Parent process

function workerArgs(backend: BackendName, repeats: number | null, serve: boolean): string[] {
  const args = ['--conditions=@finmm/source', '--import', 'tsx', SELF, '--worker', backend];
  if (repeats !== null) args.push('--repeats', String(repeats));
  if (serve) args.push('--serve');
  return args;
}

/** `--threads N` for the Python script when the parent was given one (it set TF_NUM_INTRAOP_THREADS). */
const threadArgs = (): string[] => (process.env['TF_NUM_INTRAOP_THREADS'] ? ['--threads', process.env['TF_NUM_INTRAOP_THREADS']] : []);

const childEnv = (backend: BackendName): NodeJS.ProcessEnv => ({ ...process.env, FINMM_BACKEND: backend, TF_CPP_MIN_LOG_LEVEL: '2' });

function failedResult(backend: BackendName, why: string): BackendResult {
  const failed: Outcome = { ok: false, error: `backend process failed: ${why}` };
  return { backend, tensorflowVersion: null, threads: 0, matMul: failed, step: failed };
}

function parseResult(backend: BackendName, stdout: string, stderr: string, why: string): BackendResult {
  const lines = stdout.split('\n');
  const line = lines.find((l) => l.startsWith(RESULT_MARK));
  if (line !== undefined) return JSON.parse(line.slice(RESULT_MARK.length)) as BackendResult;
  const failed = failedResult(backend, `${why}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const matMul = lines.find((l) => l.startsWith(MATMUL_MARK));
  return matMul === undefined ? failed : { ...failed, matMul: JSON.parse(matMul.slice(MATMUL_MARK.length)) as Outcome };
}

function runWorker(backend: BackendName, repeats: number | null): BackendResult {
  const { killMs } = PLAN[backend];
  const child = spawnSync(process.execPath, workerArgs(backend, repeats, false), {
    cwd: repoRoot,
    encoding: 'utf8',
    env: childEnv(backend),
    timeout: killMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  const why = child.signal === 'SIGTERM' ? `no result within ${killMs / 60_000} min, stopped` : (child.error?.message ?? `exit ${child.status ?? child.signal}`);
  return parseResult(backend, child.stdout, child.stderr, why);
}

/** A child process answering one line per line sent; `stderr` keeps its last output for error messages. */
class LineChild {
  private readonly lines: AsyncIterator<string>;
  stdout = '';
  stderr = '';

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
  }

  /** The next line, or null when the child closed its output. */
  async next(): Promise<string | null> {
    const { value, done } = await this.lines.next();
    if (done === true) return null;
    this.stdout += `${value}\n`;
    return value;
  }

  /** Reads lines until one starts with `mark`; false if the output ended first. */
  async waitFor(mark: string): Promise<boolean> {
    for (let line = await this.next(); line !== null; line = await this.next()) if (line.startsWith(mark)) return true;
    return false;
  }

  /** Closes its input and collects the rest of its output. */
  async finish(): Promise<void> {
    this.child.stdin.end();
    while ((await this.next()) !== null);
  }
}

/** The native backend and PyTorch, one step each in turn, after both have warmed up. */
async function interleaved(python: string, repeats: number): Promise<{ native: BackendResult; pytorch: Outcome }> {
  const native = new LineChild(spawn(process.execPath, workerArgs('tensorflow', null, true), { cwd: repoRoot, env: childEnv('tensorflow') }));
  // The native worker times its matMul first; PyTorch starts (and warms up) only after that, so it does not compete.
  await native.waitFor(MATMUL_MARK);
  const torch = new LineChild(
    spawn(python, [PY_SCRIPT, ...shapeArgs(DEFAULT_STEP), ...threadArgs(), '--warmup', String(PLAN.tensorflow.warmup), '--serve'], { cwd: repoRoot }),
  );
  const timer = setTimeout(() => {
    native.child.kill();
    torch.child.kill();
  }, PLAN.tensorflow.killMs);
  const torchSamples: number[] = [];
  const torchCpu: number[] = [];
  let torchError: string | null = null;
  try {
    const [nativeReady, torchReady] = await Promise.all([native.waitFor(READY_MARK), torch.waitFor('ready')]);
    if (!torchReady) torchError = `bench_transformer.py failed: ${torch.stderr.trim().split('\n').slice(-3).join(' | ')}`;
    for (let i = 0; i < repeats && nativeReady; i++) {
      native.child.stdin.write('step\n');
      if ((await native.next()) === null) break;
      if (torchError !== null) continue;
      torch.child.stdin.write('step\n');
      const line = await torch.next();
      if (line === null) torchError = `bench_transformer.py stopped: ${torch.stderr.trim().split('\n').slice(-3).join(' | ')}`;
      else {
        const sample = JSON.parse(line) as { wallMs: number; cpuMs: number };
        torchSamples.push(sample.wallMs);
        torchCpu.push(sample.cpuMs);
      }
    }
    await Promise.all([native.finish(), torch.finish()]);
  } finally {
    clearTimeout(timer);
  }
  const infoLine = torch.stdout.split('\n').find((l) => l.startsWith('{"info"'));
  const torchInfo = infoLine === undefined ? {} : (JSON.parse(infoLine) as { info: object }).info;
  const pytorch: Outcome =
    torchError !== null || torchSamples.length === 0
      ? { ok: false, error: torchError ?? 'bench_transformer.py timed no step' }
      : { ok: true, medianMs: median(torchSamples), samplesMs: torchSamples, cpuMedianMs: median(torchCpu), ...torchInfo };
  return { native: parseResult('tensorflow', native.stdout, native.stderr, 'no result'), pytorch };
}

function ms(outcome: Outcome | undefined): string {
  if (outcome === undefined) return '(not run)';
  if (!outcome.ok) return outcome.error.startsWith('cannot train') ? 'cannot train' : 'failed';
  return `${outcome.medianMs.toFixed(1)} ms (n=${outcome.samplesMs.length})`;
}

function ratio(a: Outcome | undefined, b: Outcome | undefined): number | null {
  return a?.ok === true && b?.ok === true ? a.medianMs / b.medianMs : null;
}

// Process CPU time per step is less disturbed by other work on a shared machine than wall time.
function cpuRatio(a: Outcome | undefined, b: Outcome | undefined): number | null {
  const cpu = (o: Outcome | undefined): number | null => (o?.ok === true && typeof o['cpuMedianMs'] === 'number' ? o['cpuMedianMs'] : null);
  const [x, y] = [cpu(a), cpu(b)];
  return x !== null && y !== null ? x / y : null;
}

interface Args {
  worker: BackendName | null;
  serve: boolean;
  only: string[];
  repeats: number | null;
}

function parseArgs(argv: string[]): Args {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const workerName = value('--worker');
  if (workerName !== undefined && !(BACKEND_NAMES as readonly string[]).includes(workerName)) {
    throw new Error(`--worker ${workerName}: expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  const repeats = value('--repeats');
  if (repeats !== undefined && !(Number(repeats) >= 1)) throw new Error(`--repeats ${repeats}: expected a positive number`);
  const threads = value('--threads');
  if (threads !== undefined && !(Number.isInteger(Number(threads)) && Number(threads) >= 1)) throw new Error(`--threads ${threads}: expected a positive integer`);
  if (threads !== undefined) process.env['TF_NUM_INTRAOP_THREADS'] = threads; // inherited by the backend processes
  return {
    worker: (workerName as BackendName | undefined) ?? null,
    serve: argv.includes('--serve'),
    only: value('--only')?.split(',') ?? [...BACKEND_NAMES, 'pytorch'],
    repeats: repeats === undefined ? null : Number(repeats),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.worker !== null) return worker(args.worker, args.repeats, args.serve);
  const started = new Date();
  const results: Partial<Record<BackendName, BackendResult>> = {};
  let pytorch: Outcome | undefined;
  const wantTorch = args.only.includes('pytorch');
  let python: string | null = null;
  if (wantTorch) {
    try {
      python = ensurePythonVenv();
    } catch (error) {
      pytorch = { ok: false, error: errorText(error) };
    }
  }
  for (const backend of BACKEND_NAMES) {
    if (!args.only.includes(backend)) continue;
    console.error(`[bench] ${backend}${backend === 'tensorflow' && python !== null ? ' and pytorch, interleaved' : ''} ...`);
    if (backend === 'tensorflow' && python !== null) {
      const both = await interleaved(python, args.repeats ?? PLAN.tensorflow.repeats);
      results.tensorflow = both.native;
      pytorch = both.pytorch;
    } else {
      results[backend] = runWorker(backend, args.repeats);
    }
  }
  if (python !== null && pytorch === undefined) {
    // PyTorch alone (the native backend was not asked for).
    const child = spawnSync(python, [PY_SCRIPT, ...shapeArgs(DEFAULT_STEP), ...threadArgs(), '--repeats', String(args.repeats ?? PLAN.tensorflow.repeats)], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: PLAN.tensorflow.killMs,
    });
    const line = child.stdout?.trim().split('\n').at(-1) ?? '';
    pytorch = line.startsWith('{') ? { ok: true, ...(JSON.parse(line) as Timing) } : { ok: false, error: `bench_transformer.py failed: ${child.stderr}` };
  }

  const native = results.tensorflow;
  const ratios = {
    matMulWasmOverNative: ratio(results.wasm?.matMul, native?.matMul),
    matMulCpuOverNative: ratio(results.cpu?.matMul, native?.matMul),
    stepNativeOverPytorch: ratio(native?.step, pytorch),
    stepCpuTimeNativeOverPytorch: cpuRatio(native?.step, pytorch),
  };
  const rows: string[][] = [['backend', 'matMul 1024x1024', 'transformer step']];
  for (const backend of BACKEND_NAMES) {
    const r = results[backend];
    if (r !== undefined) rows.push([`${backend} (${r.threads > 0 ? r.threads : '?'} threads)`, ms(r.matMul), ms(r.step)]);
  }
  if (pytorch !== undefined) rows.push([`pytorch (${pytorch.ok ? String(pytorch['threads']) : '?'} threads)`, '', ms(pytorch)]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  console.log(rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')).join('\n'));
  for (const [backend, r] of Object.entries(results)) {
    if (!r.matMul.ok) console.log(`${backend} matMul: ${r.matMul.error}`);
    if (!r.step.ok) console.log(`${backend} step: ${r.step.error}`);
  }
  if (pytorch !== undefined && !pytorch.ok) console.log(`pytorch step: ${pytorch.error}`);
  const fmt = (x: number | null, goal: string): string => (x === null ? 'n/a' : `${x.toFixed(2)}x${goal === '' ? '' : ` (goal ${goal})`}`);
  console.log(`matMul, wasm time / native time:         ${fmt(ratios.matMulWasmOverNative, '>= 5x')}`);
  console.log(`matMul, cpu time / native time:          ${fmt(ratios.matMulCpuOverNative, '')}`);
  console.log(`step, finmm native time / PyTorch time:  ${fmt(ratios.stepNativeOverPytorch, '<= 1.25x')}`);
  console.log(`step, same with process CPU time:        ${fmt(ratios.stepCpuTimeNativeOverPytorch, '')}`);
  console.log(`load average (1, 5, 15 min):             ${os.loadavg().map((x) => x.toFixed(2)).join(', ')} on ${os.availableParallelism()} CPUs`);

  const report = {
    started: started.toISOString(),
    machine: { cpus: os.availableParallelism(), cpuModel: os.cpus()[0]?.model ?? '', loadAverage: os.loadavg(), node: process.version },
    shape: DEFAULT_STEP,
    results,
    pytorch: pytorch ?? null,
    ratios,
  };
  const dir = resolve(repoRoot, 'runs', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `backend-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`results: ${file}`);
}

await main();
