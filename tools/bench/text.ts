// `npm run bench:text`: the text transformer against PyTorch, in one run on the same machine.
//   (a) MLM pretraining throughput (non-padding tokens/s) of a 4-layer, 256-wide BERT (4 heads, FFN 1024, WordPiece
//       vocabulary 12,000 trained on the corpus, packed sequences of 128, batch 32, AdamW, clip 1, dropout 0.1):
//       finmm's Trainer step (what pretrainMlm runs) vs the identical model, initial weights and batches in PyTorch,
//       both as transformers' BertForMaskedLM computes it (logits at every position) and with the head at the masked
//       positions only (as finmm computes it); steps alternate (finmm, PyTorch, PyTorch) so both see the same load.
//   (b) inference: one sentence's [CLS] vector (p50, p99 over 200 calls) and batches of 64 sentences (sentences/s),
//       finmm vs PyTorch (torch.inference_mode), alternating.
// Medians; PyTorch uses as many threads as TensorFlow (the machine's CPUs). Results: runs/bench/text-<time>.json.
//   node tools/run-ts.mjs tools/bench/text.ts [--seq 64|128] [--repeats N] [--latency-calls N] [--quick] [--no-python]
//
// `--pretrain-minutes N` instead runs a real N-minute MLM pretraining on the corpus (StockNet tweets + PhraseBank
// training sentences), prints the loss curve as it goes and saves the model (default runs/pretrain/mlm-<time>):
//   node tools/run-ts.mjs tools/bench/text.ts --pretrain-minutes 20 [--out DIR] [--tweets-before 2015-10-01] [--whole-word] [--seq 128]
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng, type BackendInfo } from '@finmm/core';
import {
  disposeMlmBatch,
  HfTokenizer,
  mlmBatch,
  MlmData,
  MlmModel,
  mlmVocabFromTokenizerJson,
  saveMlmModel,
  trainWordPiece,
  type MaskedBatchArrays,
  type TransformerConfig,
} from '@finmm/encoders-text';
import { buildPretrainingCorpus, pretrainMlm, type CorpusDescription } from '@finmm/finance-tasks';
import { Trainer } from '@finmm/trainer';
import { ensurePythonVenv, repoRoot } from '../python/python-env.js';
import { median } from './transformer-step.js';

// ---------------------------------------------------------------------------------------------------------------
// Settings

interface Args {
  seq: number;
  repeats: number;
  latencyCalls: number;
  batchRepeats: number;
  python: boolean;
  pretrainMinutes: number | null;
  out: string | null;
  tweetsBefore: string | null;
  wholeWord: boolean;
}

function parseArgs(argv: string[]): Args {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const number = (flag: string, fallback: number): number => {
    const raw = value(flag);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!(n > 0)) throw new Error(`${flag} ${raw}: expected a positive number`);
    return n;
  };
  const quick = argv.includes('--quick');
  const seq = number('--seq', 128);
  if (seq !== 64 && seq !== 128) throw new Error(`--seq ${seq}: expected 64 or 128`);
  return {
    seq,
    repeats: number('--repeats', quick ? 4 : 12),
    latencyCalls: number('--latency-calls', quick ? 40 : 200),
    batchRepeats: number('--batch-repeats', quick ? 4 : 15),
    python: !argv.includes('--no-python'),
    pretrainMinutes: value('--pretrain-minutes') === undefined ? null : number('--pretrain-minutes', 1),
    out: value('--out') ?? null,
    tweetsBefore: value('--tweets-before') ?? null,
    wholeWord: argv.includes('--whole-word'),
  };
}

/** The measured model: BERT 4 x 256, 4 heads, FFN 1024, as in shared/notes/anchors.md. */
const MODEL = { vocabSize: 12000, hiddenSize: 256, numLayers: 4, numHeads: 4, intermediateSize: 1024, batch: 32, lr: 5e-4, dropout: 0.1 };
/** Distinct masked batches both sides cycle through. */
const BATCHES = 16;
const WARMUP = 2;

function architecture(vocabSize: number, padId: number): TransformerConfig {
  return {
    modelType: 'bert', vocabSize, hiddenSize: MODEL.hiddenSize, numLayers: MODEL.numLayers, numHeads: MODEL.numHeads,
    intermediateSize: MODEL.intermediateSize, activation: 'gelu', maxPositions: 512, typeVocabSize: 2, layerNormEps: 1e-12,
    hiddenDropout: MODEL.dropout, attentionDropout: MODEL.dropout, padTokenId: padId, sinusoidalPositions: false,
  };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** The corpus: StockNet tweets + PhraseBank training sentences when the data is there, else seeded random words. */
async function corpusTexts(tweetsBefore: string | null): Promise<{ texts: string[]; description: CorpusDescription | string; sentences: string[] }> {
  try {
    const corpus = await buildPretrainingCorpus(undefined, tweetsBefore === null ? {} : { tweetsBefore });
    const sentences = (await buildPretrainingCorpus(undefined, { include: ['phrasebank-train'] })).texts;
    return { texts: corpus.texts, description: corpus.description, sentences };
  } catch (error) {
    console.error(`[bench] data not found (${(error as Error).message.split('\n')[0]}); using seeded random text`);
    const rng = Rng.fromSeed(1);
    const words = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
    const text = (): string => Array.from({ length: rng.int(8, 40) }, () => words[Math.floor(rng.float() ** 2 * words.length)]).join(' ');
    const texts = Array.from({ length: 20000 }, text);
    return { texts, description: 'seeded random words (shared data not found)', sentences: texts.slice(0, 512) };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// finmm side

/** finmm's pretraining step as pretrainMlm runs it (Trainer, AdamW, clipping), one step per call of `step`. */
class FinmmTrainingStep {
  private request: ((go: boolean) => void) | null = null;
  private done: ((sample: { wallMs: number; cpuMs: number; loss: number }) => void) | null = null;
  private started = { wall: 0, cpu: process.cpuUsage() };
  private readonly fit: Promise<unknown>;
  private readonly trainer: Trainer;

  constructor(model: MlmModel, batches: readonly MaskedBatchArrays[]) {
    this.trainer = new Trainer(
      model,
      { epochs: 1, seed: 1, optimizer: { type: 'adamw', lr: MODEL.lr, weightDecay: 0.01 }, clipNorm: 1, checkpointEvery: 'never', progress: 'none', logEvery: 1_000_000 },
      {
        onStep: (info) => {
          const loss = info.loss(); // waits for the step to finish
          const cpu = process.cpuUsage(this.started.cpu);
          this.done?.({ wallMs: performance.now() - this.started.wall, cpuMs: (cpu.user + cpu.system) / 1000, loss });
        },
      },
    );
    const waitForRequest = (): Promise<boolean> => new Promise<boolean>((r) => (this.request = r));
    const startClock = (): void => {
      this.started = { wall: performance.now(), cpu: process.cpuUsage() };
    };
    this.fit = this.trainer.fit({
      async *train() {
        for (let i = 0; ; i++) {
          if (!(await waitForRequest())) return;
          startClock();
          yield mlmBatch(batches[i % batches.length] as MaskedBatchArrays); // tensors made inside the timed step
        }
      },
    });
  }

  /** Runs one training step and returns its wall and CPU milliseconds and loss. */
  async step(): Promise<{ wallMs: number; cpuMs: number; loss: number }> {
    while (this.request === null) await new Promise((r) => setImmediate(r));
    const result = new Promise<{ wallMs: number; cpuMs: number; loss: number }>((r) => (this.done = r));
    const request = this.request;
    this.request = null;
    request(true);
    return result;
  }

  /** Ends the trainer's epoch and frees its state. */
  async close(): Promise<void> {
    while (this.request === null) await new Promise((r) => setImmediate(r));
    this.request(false);
    await this.fit;
    this.trainer.dispose();
  }
}

/** One encoder forward in evaluation mode: [CLS] vectors of `rows` (padded to the longest), read back. */
function finmmInfer(model: MlmModel, rows: ReadonlyArray<readonly number[]>, padId: number): { wallMs: number; cpuMs: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const longest = Math.max(...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * longest).fill(padId);
  const mask = new Float32Array(rows.length * longest);
  rows.forEach((r, i) => {
    ids.set(r, i * longest);
    mask.fill(1, i * longest, i * longest + r.length);
  });
  tf.tidy(() => {
    const input = { ids: tf.tensor2d(ids, [rows.length, longest], 'int32'), attentionMask: tf.tensor2d(mask, [rows.length, longest]) };
    model.encoder.encode(input, false).pooled.dataSync();
  });
  const cpu = process.cpuUsage(c0);
  return { wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

// ---------------------------------------------------------------------------------------------------------------
// PyTorch side

/** tools/python/bench_text.py serve: one JSON answer per command line. */
class TorchPeer {
  private readonly pending: Array<(line: string | null) => void> = [];
  private stderr = '';
  info: Record<string, unknown> = {};

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.startsWith('{"info"')) this.info = (JSON.parse(line) as { info: Record<string, unknown> }).info;
      else this.pending.shift()?.(line);
    });
    child.on('exit', () => {
      for (const p of this.pending.splice(0)) p(null);
    });
  }

  static async start(modelDir: string, dataFile: string, threads: number): Promise<TorchPeer> {
    const python = ensurePythonVenv();
    const script = join(repoRoot, 'tools', 'python', 'bench_text.py');
    const peer = new TorchPeer(spawn(python, [script, 'serve', '--model', modelDir, '--data', dataFile, '--threads', String(threads), '--lr', String(MODEL.lr)]));
    const ready = await peer.next();
    if (ready !== 'ready') throw new Error(`bench_text.py did not start: ${peer.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return peer;
  }

  private next(): Promise<string | null> {
    return new Promise((r) => this.pending.push(r));
  }

  /** Sends `command index` and returns its timing. */
  async run(command: string, index: number): Promise<{ wallMs: number; cpuMs: number; loss?: number }> {
    const answer = this.next();
    this.child.stdin.write(`${command} ${index}\n`);
    const line = await answer;
    if (line === null) throw new Error(`bench_text.py stopped: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return JSON.parse(line) as { wallMs: number; cpuMs: number; loss?: number };
  }

  /** Closes its input and waits for its info line. */
  async close(): Promise<void> {
    const exited = new Promise((r) => this.child.on('exit', r));
    this.child.stdin.end();
    await exited;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Bench

interface Series {
  wallMs: number[];
  cpuMs: number[];
}
const series = (): Series => ({ wallMs: [], cpuMs: [] });
function add(s: Series, sample: { wallMs: number; cpuMs: number }): void {
  s.wallMs.push(sample.wallMs);
  s.cpuMs.push(sample.cpuMs);
}
function summary(s: Series): { medianMs: number; cpuMedianMs: number; samplesMs: number[] } | null {
  return s.wallMs.length === 0 ? null : { medianMs: median(s.wallMs), cpuMedianMs: median(s.cpuMs), samplesMs: s.wallMs };
}

async function bench(args: Args, backend: BackendInfo): Promise<void> {
  const started = new Date();
  console.error('[bench] corpus, tokenizer ...');
  const { texts, sentences } = await corpusTexts(null);
  const tokenizerJson = trainWordPiece(texts, { vocabSize: MODEL.vocabSize });
  const vocab = mlmVocabFromTokenizerJson(tokenizerJson, '(bench tokenizer)');
  const plain = HfTokenizer.fromJson(tokenizerJson, { addSpecialTokens: false, maxLength: 1_000_000 });
  const sample = Rng.fromSeed(7).shuffle([...texts]).slice(0, 12_000);
  const data = new MlmData(sample.map((t) => plain.encode(t)), vocab, { batchSize: MODEL.batch, maxLength: args.seq });
  const collateMs: number[] = [];
  const batches: MaskedBatchArrays[] = [];
  for (const arrays of data.maskedArrays(1)) {
    if (batches.length === BATCHES) break;
    if (arrays.batch < MODEL.batch) continue;
    batches.push(arrays);
  }
  const replay = data.batchSequences(2);
  for (let i = 0; i < BATCHES; i++) {
    const t0 = performance.now();
    const b = mlmBatch(data.collator.maskArrays(replay[i] as number[][], Rng.fromSeed(i)));
    collateMs.push(performance.now() - t0);
    disposeMlmBatch(b);
  }
  const withSpecials = HfTokenizer.fromJson(tokenizerJson, { maxLength: args.seq });
  const sentenceIds = sentences.slice(0, 256).map((s) => withSpecials.encode(s));
  const tokensPerBatch = batches.map((b) => b.tokens);

  const model = new MlmModel(architecture(vocab.vocabSize, vocab.padId), { seed: 1, scope: 'bench-mlm/' });
  const parameters = model.variables().reduce((n, v) => n + v.size, 0);
  const work = mkdtempSync(join(os.tmpdir(), 'finmm-bench-text-'));
  let torch: TorchPeer | null = null;
  let torchError: string | null = null;
  if (args.python) {
    try {
      await saveMlmModel(model, join(work, 'model')); // both sides start from the same weights
      const dataFile = join(work, 'data.json');
      const plainBatches = batches.map((b) => ({
        batch: b.batch, seqLen: b.seqLen, ids: Array.from(b.ids), attentionMask: Array.from(b.attentionMask),
        positions: Array.from(b.positions), labels: Array.from(b.labels),
      }));
      writeFileSync(dataFile, JSON.stringify({ batches: plainBatches, sentences: sentenceIds, padId: vocab.padId, warmup: WARMUP }));
      console.error('[bench] starting PyTorch ...');
      torch = await TorchPeer.start(join(work, 'model'), dataFile, backend.threads);
    } catch (error) {
      torchError = (error as Error).message;
      console.error(`[bench] PyTorch unavailable: ${torchError}`);
    }
  }

  // (a) training throughput
  console.error(`[bench] training: ${args.repeats} steps each, alternating ...`);
  const ours = new FinmmTrainingStep(model, batches);
  for (let i = 0; i < WARMUP; i++) await ours.step();
  const train = { finmm: series(), torchHf: series(), torchGathered: series() };
  const losses: number[] = [];
  for (let r = 0; r < args.repeats; r++) {
    const step = await ours.step();
    add(train.finmm, step);
    losses.push(step.loss);
    if (torch !== null) {
      add(train.torchHf, await torch.run('train-hf', WARMUP + r));
      add(train.torchGathered, await torch.run('train-gathered', WARMUP + r));
    }
  }
  await ours.close();

  // (b) inference
  console.error(`[bench] inference: ${args.latencyCalls} single sentences, ${args.batchRepeats} batches of 64, alternating ...`);
  for (let i = 0; i < 5; i++) {
    finmmInfer(model, [sentenceIds[i] as number[]], vocab.padId);
    finmmInfer(model, sentenceIds.slice(0, 64), vocab.padId);
  }
  const one = { finmm: series(), torch: series() };
  for (let i = 0; i < args.latencyCalls; i++) {
    add(one.finmm, finmmInfer(model, [sentenceIds[i % sentenceIds.length] as number[]], vocab.padId));
    if (torch !== null) add(one.torch, await torch.run('infer1', i % sentenceIds.length));
  }
  const sixtyFour = { finmm: series(), torch: series() };
  for (let i = 0; i < args.batchRepeats; i++) {
    const start = (i * 64) % (sentenceIds.length - 63);
    add(sixtyFour.finmm, finmmInfer(model, sentenceIds.slice(start, start + 64), vocab.padId));
    if (torch !== null) add(sixtyFour.torch, await torch.run('infer64', start));
  }
  await torch?.close();
  model.dispose();
  rmSync(work, { recursive: true, force: true });

  // Report
  const meanTokens = tokensPerBatch.reduce((a, b) => a + b, 0) / tokensPerBatch.length;
  const tokensPerSec = (s: Series): number | null => (s.wallMs.length === 0 ? null : (meanTokens * 1000) / median(s.wallMs));
  const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a / b);
  const cpuRatio = (a: Series, b: Series): number | null => (b.cpuMs.length === 0 ? null : median(b.cpuMs) / median(a.cpuMs));
  const sentencesPerSec = (s: Series): number | null => (s.wallMs.length === 0 ? null : 64_000 / median(s.wallMs));
  const throughput = { finmm: tokensPerSec(train.finmm), torchHf: tokensPerSec(train.torchHf), torchGathered: tokensPerSec(train.torchGathered) };
  const latency = (s: Series): { p50: number; p99: number } | null => (s.wallMs.length === 0 ? null : { p50: quantile(s.wallMs, 0.5), p99: quantile(s.wallMs, 0.99) });
  const fmt = (x: number | null, digits = 0): string => (x === null ? 'n/a' : x.toFixed(digits));
  const x = (r: number | null): string => (r === null ? 'n/a' : `${r.toFixed(2)}x`);
  const rows: string[][] = [
    ['', 'finmm', 'PyTorch (BertForMaskedLM)', 'PyTorch (head at masked positions)', 'finmm / PyTorch'],
    ['MLM training, tokens/s', fmt(throughput.finmm), fmt(throughput.torchHf), fmt(throughput.torchGathered), `${x(ratio(throughput.finmm, throughput.torchHf))} / ${x(ratio(throughput.finmm, throughput.torchGathered))} (goal >= 0.8x)`],
    ['  step, median ms', fmt(median(train.finmm.wallMs)), fmt(summary(train.torchHf)?.medianMs ?? null), fmt(summary(train.torchGathered)?.medianMs ?? null), ''],
    ['  CPU time per step, ratio', '', '', '', `${x(cpuRatio(train.finmm, train.torchHf))} / ${x(cpuRatio(train.finmm, train.torchGathered))} (PyTorch CPU / finmm CPU)`],
  ];
  const l1 = { finmm: latency(one.finmm), torch: latency(one.torch) };
  rows.push(['1 sentence, p50 / p99 ms', `${fmt(l1.finmm?.p50 ?? null, 1)} / ${fmt(l1.finmm?.p99 ?? null, 1)}`, `${fmt(l1.torch?.p50 ?? null, 1)} / ${fmt(l1.torch?.p99 ?? null, 1)}`, '', x(ratio(l1.torch?.p50 ?? null, l1.finmm?.p50 ?? null)) + ' (PyTorch p50 / finmm p50)']);
  const s64 = { finmm: sentencesPerSec(sixtyFour.finmm), torch: sentencesPerSec(sixtyFour.torch) };
  rows.push(['batch 64, sentences/s', fmt(s64.finmm), fmt(s64.torch), '', x(ratio(s64.finmm, s64.torch))]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  console.log(rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')).join('\n'));
  console.log(`model: BERT ${MODEL.numLayers} x ${MODEL.hiddenSize}, ${MODEL.numHeads} heads, FFN ${MODEL.intermediateSize}, vocabulary ${vocab.vocabSize}, ${parameters.toLocaleString('en')} parameters`);
  console.log(`batches: ${MODEL.batch} packed sequences of <= ${args.seq} tokens, ${meanTokens.toFixed(0)} non-padding tokens and ${(batches.reduce((n, b) => n + b.positions.length, 0) / batches.length).toFixed(0)} predictions per batch on average`);
  console.log(`finmm masking + tensors: ${median(collateMs).toFixed(1)} ms per batch (included in finmm's step time)`);
  console.log(`threads: TensorFlow ${backend.threads} (TF ${backend.tensorflowVersion ?? '?'}), PyTorch ${String(torch?.info['threads'] ?? 'n/a')} (torch ${String(torch?.info['torch'] ?? '?')})`);
  if (torchError !== null) console.log(`PyTorch: ${torchError}`);
  console.log(`load average (1, 5, 15 min): ${os.loadavg().map((v) => v.toFixed(2)).join(', ')} on ${os.availableParallelism()} CPUs`);

  const report = {
    started: started.toISOString(),
    machine: { cpus: os.availableParallelism(), cpuModel: os.cpus()[0]?.model ?? '', loadAverage: os.loadavg(), node: process.version },
    backend,
    pytorch: torch?.info ?? { error: torchError },
    model: { ...MODEL, vocabSize: vocab.vocabSize, seq: args.seq, parameters },
    batches: { count: batches.length, tokens: tokensPerBatch, predictions: batches.map((b) => b.positions.length), collateMedianMs: median(collateMs) },
    training: {
      finmm: { ...summary(train.finmm), tokensPerSec: throughput.finmm, losses },
      pytorchBertForMaskedLM: { ...summary(train.torchHf), tokensPerSec: throughput.torchHf },
      pytorchHeadAtMaskedPositions: { ...summary(train.torchGathered), tokensPerSec: throughput.torchGathered },
      ratios: {
        finmmOverBertForMaskedLM: ratio(throughput.finmm, throughput.torchHf),
        finmmOverHeadAtMaskedPositions: ratio(throughput.finmm, throughput.torchGathered),
        cpuTimeTorchHfOverFinmm: cpuRatio(train.finmm, train.torchHf),
        cpuTimeTorchGatheredOverFinmm: cpuRatio(train.finmm, train.torchGathered),
      },
    },
    inference: {
      oneSentence: { finmm: { ...l1.finmm, ...summary(one.finmm) }, pytorch: { ...l1.torch, ...summary(one.torch) } },
      batch64: { finmm: { sentencesPerSec: s64.finmm, ...summary(sixtyFour.finmm) }, pytorch: { sentencesPerSec: s64.torch, ...summary(sixtyFour.torch) } },
    },
  };
  const dir = resolve(repoRoot, 'runs', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `text-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`results: ${file}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Pretraining run

async function pretrain(args: Args, minutes: number): Promise<void> {
  const started = new Date();
  const { texts, description } = await corpusTexts(args.tweetsBefore);
  const out = args.out ?? resolve(repoRoot, 'runs', 'pretrain', `mlm-${started.toISOString().replace(/[:.]/g, '-')}`);
  console.log(`corpus: ${texts.length.toLocaleString('en')} texts; pretraining BERT ${MODEL.numLayers} x ${MODEL.hiddenSize} for ${minutes} min into ${out}`);
  console.log('step   tokens      seconds  loss');
  const result = await pretrainMlm({
    corpus: texts,
    corpusDescription: description,
    outputDir: out,
    vocabSize: MODEL.vocabSize,
    architecture: { hiddenSize: MODEL.hiddenSize, numLayers: MODEL.numLayers, numHeads: MODEL.numHeads, intermediateSize: MODEL.intermediateSize, maxLength: args.seq, dropout: MODEL.dropout },
    batchSize: MODEL.batch,
    maxMinutes: minutes,
    lr: MODEL.lr,
    wholeWord: args.wholeWord,
    logEvery: 10,
    onLog: (p) => console.log(`${String(p.step).padEnd(6)} ${String(p.tokens).padEnd(11)} ${p.seconds.toFixed(0).padEnd(8)} ${p.loss.toFixed(3)}`),
  });
  const held = result.heldOut;
  console.log(`${result.steps} steps, ${result.tokens.toLocaleString('en')} tokens in ${(result.durationSeconds / 60).toFixed(1)} min (${result.tokensPerSecond.toFixed(0)} tokens/s); stop: ${result.stopReason}`);
  if (held !== null) {
    console.log(`held-out MLM loss (${held.texts} texts, ${held.after.predictions} predictions): ${held.before.loss.toFixed(3)} -> ${held.after.loss.toFixed(3)}; accuracy ${(100 * held.before.accuracy).toFixed(1)}% -> ${(100 * held.after.accuracy).toFixed(1)}%`);
  }
  console.log(`saved: ${out} (config.json, model.safetensors, tokenizer.json, pretraining.json)`);
}

const args = parseArgs(process.argv.slice(2));
const backend = await initBackend();
if (args.pretrainMinutes !== null) await pretrain(args, args.pretrainMinutes);
else await bench(args, backend);
