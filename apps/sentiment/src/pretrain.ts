// `sentiment pretrain`: masked-language-model pretraining of the transformer branch on the unlabeled corpus
// (StockNet tweets + the training sentences of PhraseBank's FinBERT split; never a validation or test sentence).
// Writes a Hugging Face directory that `model.transformer.pretrained` points at, and a run directory with the
// resolved config, the trainer's log and the pretraining report (tokens, time, MLM loss).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { initBackend, type JsonValue } from '@finmm/core';
import {
  applyOverrides,
  buildPretrainingCorpus,
  CORPUS_SOURCES,
  markdownTable,
  pretrainMlm,
  readConfigFile,
  RunDir,
  type ConfigObject,
  type PretrainMlmResult,
} from '@finmm/finance-tasks';
import { parseHfConfig, type TransformerConfig } from '@finmm/encoders-text';
import { z } from 'zod';

const count = z.number().int().positive();

/** Schema of the pretraining config. */
export const pretrainConfigSchema = z.strictObject({
  /** Run name (the run directory is runs/sentiment/<timestamp>-<name>). */
  name: z.string().min(1).default('mlm'),
  /** The Hugging Face directory written (config.json, model.safetensors, tokenizer.json, pretraining.json). */
  output: z.string().min(1),
  corpus: z
    .strictObject({
      include: z.array(z.enum(CORPUS_SOURCES)).min(1).default([...CORPUS_SOURCES]),
      /** Folder holding stocknet/ and financial-phrasebank/ (default FINMM_DATA_DIR or ../shared/data). */
      dataDir: z.string().optional(),
    })
    .prefault({}),
  /**
   * Continue pretraining this BERT directory (an earlier `pretrain` output, or a Hugging Face BERT with its
   * tokenizer.json): its weights are the start and its tokenizer and architecture are kept; vocabSize and the
   * architecture fields other than maxLength, where set, must equal the checkpoint's. Null: a fresh model and a
   * WordPiece vocabulary trained on the corpus.
   */
  init: z.string().min(1).nullable().default(null),
  /** WordPiece vocabulary trained on the corpus (special tokens included). */
  vocabSize: count.default(12_000),
  architecture: z
    .strictObject({
      hiddenSize: count.default(256),
      numLayers: count.default(4),
      numHeads: count.default(4),
      intermediateSize: count.optional(),
      /** Longest training sequence (texts are packed); also the default model.transformer.maxLength. */
      maxLength: count.default(128),
      dropout: z.number().min(0).lt(1).default(0.1),
    })
    .prefault({}),
  batchSize: count.default(32),
  /** At least one of maxMinutes, maxSteps, tokenBudget bounds the run (null: no such limit). */
  maxMinutes: z.number().positive().nullable().default(null),
  maxSteps: count.nullable().default(null),
  tokenBudget: count.nullable().default(null),
  lr: z.number().positive().default(5e-4),
  wholeWord: z.boolean().default(false),
  heldOutFraction: z.number().min(0).lt(1).default(0.02),
  seed: z.number().int().default(0),
});

/** A validated pretraining config. */
export type PretrainConfig = z.output<typeof pretrainConfigSchema>;

/** Options of the `pretrain` command. */
export interface PretrainCommandOptions {
  config: string;
  set: string[];
  runs?: string;
}

/** What `pretrain` returns. */
export interface PretrainOutcome {
  runDir: string;
  outputDir: string;
  result: PretrainMlmResult;
}

/** The command that runs a pretraining config file. */
export function pretrainCommandLine(configPath: string): string {
  return `node tools/run-ts.mjs apps/sentiment/src/main.ts pretrain --config ${configPath}`;
}

/** With `init`, the vocabulary and architecture fields the config sets must be the checkpoint's; errors name the field. */
function checkAgainstCheckpoint(source: string, init: string, resolved: ConfigObject): void {
  const file = path.join(path.resolve(init), 'config.json');
  if (!existsSync(file)) throw new Error(`${source}: config field "init": ${file} does not exist (expected a BERT directory with config.json, model.safetensors, tokenizer.json)`);
  let checkpoint: TransformerConfig;
  try {
    checkpoint = parseHfConfig(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    throw new Error(`${source}: config field "init": ${file}: ${(error as Error).message}`, { cause: error });
  }
  const architecture = (resolved['architecture'] ?? {}) as ConfigObject;
  const fields: [string, unknown, number][] = [
    ['vocabSize', resolved['vocabSize'], checkpoint.vocabSize],
    ['architecture.hiddenSize', architecture['hiddenSize'], checkpoint.hiddenSize],
    ['architecture.numLayers', architecture['numLayers'], checkpoint.numLayers],
    ['architecture.numHeads', architecture['numHeads'], checkpoint.numHeads],
    ['architecture.intermediateSize', architecture['intermediateSize'], checkpoint.intermediateSize],
    ['architecture.dropout', architecture['dropout'], checkpoint.hiddenDropout],
  ];
  for (const [field, value, expected] of fields) {
    if (value !== undefined && value !== expected) {
      throw new Error(`${source}: config field "${field}": ${String(value)}, but the init checkpoint ${init} has ${expected} (with init the vocabulary and architecture come from the checkpoint)`);
    }
  }
}

/** Reads, overrides and validates a pretraining config; errors name the file and the field. */
export function loadPretrainConfig(file: string, sets: readonly string[] = []): { config: PretrainConfig; resolved: ConfigObject } {
  const source = sets.length === 0 ? file : `${file} (with --set ${sets.join(' ')})`;
  const resolved = applyOverrides(readConfigFile(file).config, sets);
  const parsed = pretrainConfigSchema.safeParse(resolved);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = (issue?.path ?? []).map(String);
    if (issue?.code === 'unrecognized_keys') throw new Error(`${source}: unknown config field ${issue.keys.map((k) => `"${[...at, k].join('.')}"`).join(', ')}`);
    throw new Error(`${source}: config field "${at.join('.') || '(root)'}": ${issue?.message ?? 'invalid'}`);
  }
  const config = parsed.data;
  if (config.init !== null) checkAgainstCheckpoint(source, config.init, resolved);
  if (config.maxMinutes === null && config.maxSteps === null && config.tokenBudget === null) {
    throw new Error(`${source}: config field "maxMinutes": give at least one of maxMinutes, maxSteps or tokenBudget to bound the run`);
  }
  return { config, resolved };
}

/** Runs `pretrain`; prints tokens, time and the final MLM loss. */
export async function pretrainSentiment(options: PretrainCommandOptions, print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<PretrainOutcome> {
  const { config, resolved } = loadPretrainConfig(options.config, options.set);
  const corpus = await buildPretrainingCorpus(config.corpus.dataDir, { include: config.corpus.include });
  await initBackend();
  const run = RunDir.create({ ...(options.runs === undefined ? {} : { root: options.runs }), app: 'sentiment', name: config.name });
  const outputDir = path.resolve(config.output);
  run.writeYaml('config.yaml', { ...resolved, output: outputDir }, `${pretrainCommandLine(run.file('config.yaml'))}\nResolved pretraining config (from ${options.config}${options.set.length > 0 ? ` with --set ${options.set.join(' ')}` : ''}).`);
  print(`sentiment: pretraining on ${corpus.texts.length} texts (${corpus.description.words} words): ${corpus.description.sources.map((s) => `${s.source} ${s.texts}`).join(', ')}`);
  const { maxMinutes, maxSteps, tokenBudget } = config;
  const result = await pretrainMlm({
    corpus: corpus.texts,
    corpusDescription: corpus.description as unknown as JsonValue,
    outputDir,
    ...(config.init === null
      ? { vocabSize: config.vocabSize, architecture: { ...config.architecture, ...(config.architecture.intermediateSize === undefined ? {} : { intermediateSize: config.architecture.intermediateSize }) } }
      : { init: path.resolve(config.init), architecture: { maxLength: config.architecture.maxLength } }),
    batchSize: config.batchSize,
    ...(maxMinutes === null ? {} : { maxMinutes }),
    ...(maxSteps === null ? {} : { maxSteps }),
    ...(tokenBudget === null ? {} : { tokenBudget }),
    lr: config.lr,
    wholeWord: config.wholeWord,
    heldOutFraction: config.heldOutFraction,
    seed: config.seed,
    runDir: run.file('train'),
    onLog: (p) => print(`  step ${p.step}: ${p.tokens} tokens, ${p.seconds.toFixed(0)} s, MLM loss ${p.loss.toFixed(3)}`),
  });
  run.writeJson('report.json', result);
  const held = result.heldOut;
  run.writeText('summary.md', [
    `# Sentiment MLM pretraining ${config.name}`,
    '',
    `Command: \`${pretrainCommandLine(options.config)}${options.set.map((s) => ` --set ${s}`).join('')}\`. Model: ${outputDir}.`,
    '',
    markdownTable(['', 'value'], [
      ['started from', result.init === null ? 'a fresh model' : `${result.init.dir}${result.init.previous === null ? '' : ` (${result.init.previous.tokens} tokens, ${result.init.previous.steps} steps before)`}`],
      ['corpus texts (train / held out)', `${result.corpus.trainTexts} / ${result.corpus.heldOutTexts}`],
      ['steps', result.steps],
      ['tokens trained on', result.tokens],
      ['seconds', result.durationSeconds.toFixed(0)],
      ['tokens / second', result.tokensPerSecond.toFixed(0)],
      ['stopped by', result.stopReason],
      ['final training MLM loss', result.finalLoss.toFixed(4)],
      ['held-out MLM loss before / after', held === null ? '–' : `${held.before.loss.toFixed(4)} / ${held.after.loss.toFixed(4)}`],
      ['held-out masked-token accuracy before / after', held === null ? '–' : `${held.before.accuracy.toFixed(4)} / ${held.after.accuracy.toFixed(4)}`],
    ]),
    '',
  ].join('\n'));
  if (result.init !== null) print(`sentiment: continued from ${result.init.dir}${result.init.initialisedHead.length > 0 ? ` (fresh MLM head: ${result.init.initialisedHead.join(', ')})` : ''}`);
  print(`sentiment: pretrained ${result.steps} steps on ${result.tokens} tokens in ${result.durationSeconds.toFixed(0)} s (${result.tokensPerSecond.toFixed(0)} tokens/s, ${result.stopReason}); final MLM loss ${result.finalLoss.toFixed(4)}${held === null ? '' : `, held-out ${held.before.loss.toFixed(4)} -> ${held.after.loss.toFixed(4)}`}`);
  print(`sentiment: model in ${outputDir}; run directory ${run.path}`);
  return { runDir: run.path, outputDir, result };
}
