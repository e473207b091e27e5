// Masked-language-model pretraining of a BERT on a text corpus through the trainer: tokenizer (given or trained),
// packed and dynamically masked batches, AdamW with warmup, limits by steps, tokens or minutes, a held-out MLM loss,
// and a Hugging Face BertForMaskedLM directory as the result.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Rng, type JsonValue } from '@finmm/core';
import { isJsonObject, readJsonFile } from '../common/json-file.js';
import {
  evaluateMlm,
  HfTokenizer,
  loadMlmModel,
  mlmHfConfig,
  MlmData,
  MlmModel,
  mlmVocabFromTokenizerJson,
  saveMlmModel,
  trainWordPiece,
  type MlmDataOptions,
  type MlmEvaluation,
  type TransformerConfig,
} from '@finmm/encoders-text';
import { Trainer, type TrainerConfigInput } from '@finmm/trainer';
import {
  resolvePretrainOptions,
  type HeldOutScore,
  type LossPoint,
  type PretrainInit,
  type PretrainMlmOptions,
  type PretrainMlmResult,
  type PretrainStopReason,
  type ResolvedPretrainOptions,
} from './pretrain-options.js';

export type { HeldOutScore, LossPoint, MlmArchitectureOptions, PretrainInit, PretrainMlmOptions, PretrainMlmResult, PretrainStopReason } from './pretrain-options.js';

/** Seed of the held-out masking (fixed, so the before and after scores predict the same positions). */
const HELD_OUT_MASKING_SEED = 20_240_601;
let scopeCounter = 0;

function loadTokenizerJson(tokenizer: string | Record<string, unknown>): { json: Record<string, unknown>; source: string } {
  if (typeof tokenizer !== 'string') return { json: tokenizer, source: '(tokenizer option)' };
  let text: string;
  try {
    text = readFileSync(tokenizer, 'utf8');
  } catch (error) {
    throw new Error(`pretrainMlm: cannot read the tokenizer ${tokenizer}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return { json: JSON.parse(text) as Record<string, unknown>, source: tokenizer };
  } catch (error) {
    throw new Error(`pretrainMlm: tokenizer ${tokenizer} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Splits the corpus by the seed: the first `fraction` of a permutation is held out. */
function splitCorpus(corpus: readonly string[], fraction: number, seed: number): { train: string[]; heldOut: string[] } {
  const order = Rng.fromSeed(seed).permutation(corpus.length);
  const held = Math.floor(corpus.length * fraction);
  const pick = (indices: number[]): string[] => indices.sort((a, b) => a - b).map((i) => corpus[i] as string);
  return { heldOut: pick(order.slice(0, held)), train: pick(order.slice(held)) };
}

function architectureOf(o: ResolvedPretrainOptions, vocabSize: number, padId: number): TransformerConfig {
  return {
    modelType: 'bert', vocabSize, hiddenSize: o.hiddenSize, numLayers: o.numLayers, numHeads: o.numHeads,
    intermediateSize: o.intermediateSize, activation: 'gelu', maxPositions: o.maxPositions, typeVocabSize: 2,
    layerNormEps: 1e-12, hiddenDropout: o.dropout, attentionDropout: o.dropout, padTokenId: padId, sinusoidalPositions: false,
  };
}

/** Steps the run is planned for (the schedule's length), or null when only the time limit bounds it. */
function plannedSteps(o: ResolvedPretrainOptions, epoch: { batches: number; tokens: number }, epochsGiven: boolean): number | null {
  const limits: number[] = [];
  if (o.maxSteps !== null) limits.push(o.maxSteps);
  // 2% slack: later epochs pack slightly differently, and the token budget, not the step count, should end the run.
  if (o.tokenBudget !== null) limits.push(Math.ceil((1.02 * o.tokenBudget) / (epoch.tokens / epoch.batches)) + 1);
  if (epochsGiven || limits.length === 0) limits.push(o.epochs * epoch.batches);
  return o.maxMinutes !== null && o.maxSteps === null && o.tokenBudget === null && !epochsGiven ? null : Math.min(...limits);
}

/** Why the trainer ended a run that no token budget or time limit stopped. */
function trainerStopReason(reason: string, steps: number, o: ResolvedPretrainOptions, epochBatches: number): PretrainStopReason {
  if (reason === 'completed') return 'epochs';
  if (o.maxSteps !== null && steps >= o.maxSteps) return 'max-steps';
  if (steps >= o.epochs * epochBatches) return 'epochs';
  return 'max-steps'; // the steps planned for a token budget ran out just before the budget
}

/** The `init` directory's tokenizer.json, and steps and tokens of its pretraining.json if it has one. */
function readInitFiles(dir: string): { json: Record<string, unknown>; previous: PretrainInit['previous'] } {
  const tokenizerFile = path.join(dir, 'tokenizer.json');
  if (!existsSync(tokenizerFile)) throw new Error(`pretrainMlm option init: ${dir} has no tokenizer.json (the vocabulary the checkpoint was trained with)`);
  const { json } = loadTokenizerJson(tokenizerFile);
  const reportFile = path.join(dir, 'pretraining.json');
  if (!existsSync(reportFile)) return { json, previous: null };
  const earlier = readJsonFile(reportFile); // invalid JSON is an error naming the file
  const { steps, tokens } = isJsonObject(earlier) ? earlier : {};
  const previous = typeof steps === 'number' && typeof tokens === 'number' ? { steps, tokens } : null;
  return { json, previous };
}

/** Loads the `init` checkpoint's weights and checks them against the tokenizer and sequence length; errors name the directory. */
async function loadInitModel(dir: string, o: ResolvedPretrainOptions, vocabSize: number, scope: string): Promise<{ model: MlmModel; initialisedHead: string[] }> {
  const { model, initialisedHead } = await loadMlmModel(dir, { seed: o.seed, scope });
  const { vocabSize: rows, maxPositions } = model.architecture;
  // Some checkpoints pad the embedding table beyond the tokenizer's vocabulary; fewer rows than tokens cannot work.
  const problem = vocabSize > rows
    ? `its tokenizer.json has ${vocabSize} tokens, more than the ${rows} rows of its word embeddings`
    : o.maxLength > maxPositions ? `architecture.maxLength ${o.maxLength} is above its ${maxPositions} positions` : null;
  if (problem !== null) {
    model.dispose();
    throw new Error(`pretrainMlm option init: ${dir}: ${problem}`);
  }
  return { model, initialisedHead };
}

function score(e: MlmEvaluation): HeldOutScore {
  return { loss: e.loss, accuracy: e.accuracy, predictions: e.predictions };
}

/**
 * Pretrains a BERT with BERT's masked-language-model objective on `options.corpus` and saves it to
 * `options.outputDir` as a Hugging Face BertForMaskedLM directory (config.json, model.safetensors, tokenizer.json)
 * plus pretraining.json (the returned result). Load its encoder with
 * `{ type: 'text/transformer', pretrained: outputDir }` and its tokenizer with `HfTokenizer.fromFile(outputDir + '/tokenizer.json')`.
 *
 * ```ts
 * const { texts, description } = await buildPretrainingCorpus();
 * const result = await pretrainMlm({ corpus: texts, corpusDescription: description, outputDir: 'runs/mlm', maxMinutes: 20 });
 * ```
 */
export async function pretrainMlm(options: PretrainMlmOptions): Promise<PretrainMlmResult> {
  const o = resolvePretrainOptions(options);
  const { train: trainTexts, heldOut: heldOutTexts } = splitCorpus(options.corpus, o.heldOutFraction, o.seed);
  if (trainTexts.length === 0) throw new Error('pretrainMlm: no training texts are left after holding some out');
  const initFiles = options.init === undefined ? null : readInitFiles(options.init);
  const trained = options.tokenizer === undefined && initFiles === null;
  const { json, source } = initFiles !== null
    ? { json: initFiles.json, source: path.join(options.init as string, 'tokenizer.json') }
    : trained
      ? { json: trainWordPiece(trainTexts, { vocabSize: o.vocabSize }) as unknown as Record<string, unknown>, source: '(trained WordPiece)' }
      : loadTokenizerJson(options.tokenizer as string | Record<string, unknown>);
  const vocab = mlmVocabFromTokenizerJson(json, source);
  const tokenizer = HfTokenizer.fromJson(json, { addSpecialTokens: false, maxLength: 1_000_000_000 }, source);
  const dataOptions: MlmDataOptions = { batchSize: o.batchSize, maxLength: o.maxLength, pack: o.pack, masking: { maskProb: o.maskProb, wholeWord: o.wholeWord } };
  const train = new MlmData(trainTexts.map((t) => tokenizer.encode(t)), vocab, dataOptions);
  const heldOut = heldOutTexts.length === 0 ? null : new MlmData(heldOutTexts.map((t) => tokenizer.encode(t)), vocab, dataOptions);
  const epoch = train.epochSize(o.seed);
  const planned = plannedSteps(o, epoch, options.epochs !== undefined);
  const warmup = o.warmupSteps ?? (planned === null ? 100 : Math.min(1000, Math.floor(0.1 * planned)));

  const scope = `pretrain${scopeCounter++}/`;
  const loaded = options.init === undefined ? null : await loadInitModel(options.init, o, vocab.vocabSize, scope);
  const model = loaded?.model ?? new MlmModel(architectureOf(o, vocab.vocabSize, vocab.padId), { seed: o.seed, scope });
  const init: PretrainInit | null = loaded === null || initFiles === null ? null : { dir: options.init as string, initialisedHead: loaded.initialisedHead, previous: initFiles.previous };
  const trainerConfig: TrainerConfigInput = {
    epochs: o.epochs,
    seed: o.seed,
    optimizer: { type: 'adamw', lr: o.lr, weightDecay: o.weightDecay },
    schedule: planned === null ? { type: 'constant', warmupSteps: warmup } : { type: 'linear', warmupSteps: warmup },
    clipNorm: o.clipNorm,
    logEvery: o.logEvery,
    progress: options.progress ?? 'none',
    checkpointEvery: options.runDir === undefined ? 'never' : 'epoch',
    ...(planned === null ? {} : { maxSteps: planned }),
    ...(options.runDir === undefined ? {} : { runDir: options.runDir }),
  };
  const curve: LossPoint[] = [];
  let pendingTokens = 0;
  let tokens = 0;
  let window = { loss: 0, steps: 0 };
  let stopReason: PretrainStopReason | null = null;
  let startedAt = 0;
  const elapsed = (): number => (performance.now() - startedAt) / 1000;
  const record = (step: number): void => {
    if (window.steps === 0) return;
    const point: LossPoint = { step, tokens, seconds: elapsed(), loss: window.loss / window.steps };
    curve.push(point);
    window = { loss: 0, steps: 0 };
    options.onLog?.(point);
  };
  let trainer: Trainer | null = null;
  try {
    // created inside the try, so a trainer that fails to build still frees the model
    trainer = new Trainer(model, trainerConfig, {
      onStep(info, control) {
        tokens += pendingTokens;
        pendingTokens = 0;
        window.loss += info.loss();
        window.steps += 1;
        if (o.tokenBudget !== null && tokens >= o.tokenBudget) stopReason ??= 'token-budget';
        if (o.maxMinutes !== null && elapsed() >= o.maxMinutes * 60) stopReason ??= 'time-limit';
        if (stopReason !== null) control.stop(stopReason);
        if (info.step % o.logEvery === 0 || stopReason !== null) record(info.step);
      },
    });
    const before = heldOut === null ? null : evaluateMlm(model, heldOut, HELD_OUT_MASKING_SEED);
    startedAt = performance.now();
    const fit = await trainer.fit({ train: train.source((n) => (pendingTokens += n)), batchesPerEpoch: epoch.batches });
    const durationSeconds = elapsed();
    record(fit.steps);
    const after = heldOut === null ? null : evaluateMlm(model, heldOut, HELD_OUT_MASKING_SEED);
    const last = curve[curve.length - 1];
    const a = model.architecture; // the checkpoint's with init
    const architecture = { vocabSize: vocab.vocabSize, hiddenSize: a.hiddenSize, numLayers: a.numLayers, numHeads: a.numHeads, intermediateSize: a.intermediateSize, maxPositions: a.maxPositions, dropout: a.hiddenDropout };
    const settings = { ...o, ...architecture } as unknown as { [key: string]: JsonValue };
    const result: PretrainMlmResult = {
      outputDir: options.outputDir,
      steps: fit.steps,
      tokens,
      durationSeconds,
      tokensPerSecond: durationSeconds > 0 ? tokens / durationSeconds : 0,
      stopReason: stopReason ?? trainerStopReason(fit.stopReason, fit.steps, o, epoch.batches),
      lossCurve: curve,
      finalLoss: last?.loss ?? Number.NaN,
      heldOut: before === null || after === null ? null : { texts: heldOutTexts.length, before: score(before), after: score(after) },
      corpus: {
        texts: options.corpus.length, trainTexts: trainTexts.length, heldOutTexts: heldOutTexts.length,
        tokensPerEpoch: epoch.tokens, sequencesPerEpoch: epoch.sequences,
        description: options.corpusDescription === undefined ? null : (JSON.parse(JSON.stringify(options.corpusDescription)) as JsonValue),
      },
      tokenizer: { trained, vocabSize: vocab.vocabSize },
      init,
      model: mlmHfConfig(model),
      settings: { ...settings, warmupSteps: warmup, plannedSteps: planned },
      seed: o.seed,
      finishedAt: new Date().toISOString(),
    };
    await saveMlmModel(model, options.outputDir, {
      'tokenizer.json': `${JSON.stringify(json)}\n`,
      'pretraining.json': `${JSON.stringify(result, null, 2)}\n`,
    });
    return result;
  } finally {
    trainer?.dispose();
    model.dispose();
  }
}
