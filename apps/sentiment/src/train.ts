// `sentiment train`: one model per seed, each with epochs chosen on the validation rows and evaluated once on the
// test rows; a run directory holding the resolved config, data fingerprint, seeds, the trainer's metrics logs,
// evaluation reports (JSON + Markdown), test predictions, the model directories and the run summary.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { initBackend } from '@finmm/core';
import { createRunProgress, fingerprintFiles, formatSpread, RunDir, type TrainCommandOptions } from '@finmm/finance-tasks';
import { loadSentimentConfig, type SentimentConfig } from './config.js';
import { classCounts, loadSentimentData, SPLIT_NAMES, type SentimentData } from './data.js';
import { trainFit, type TrainedFit } from './fit.js';
import { checkPretrainedDir } from './model/build.js';
import { saveSentimentModel, type SentimentModelInfo } from './model-dir.js';
import { sentimentReport, sentimentReportMarkdown } from './report.js';
import { predictRows, sentimentSource } from './source.js';
import { measuredBaselines, PHRASEBANK_REFERENCES, summariseSeeds, summaryMarkdown, type RunSummary, type SeedRow } from './summary.js';

/** The command that runs a config file (the first line of every config, and of a run's config.yaml). */
export function trainCommandLine(configPath: string): string {
  return `node tools/run-ts.mjs apps/sentiment/src/main.ts train --config ${configPath}`;
}

/** What `train` returns: the run directory, its summary and the model directories (one per seed). */
export interface TrainOutcome {
  runDir: string;
  summary: RunSummary;
  models: string[];
}

/** The config as run: data and pretrained paths made absolute, so the run's config.yaml runs from anywhere. */
function resolvedForRecord(resolved: Record<string, unknown>, config: SentimentConfig): Record<string, unknown> {
  const out = structuredClone(resolved);
  const data = out['data'] as Record<string, unknown>;
  if (config.data.source === 'file') data['path'] = path.resolve(config.data.path);
  if (config.data.source === 'phrasebank' && config.data.dataDir !== undefined) data['dataDir'] = path.resolve(config.data.dataDir);
  const transformer = (out['model'] as Record<string, unknown> | undefined)?.['transformer'] as Record<string, unknown> | null | undefined;
  const pretrained = config.model.transformer?.pretrained;
  if (transformer !== null && transformer !== undefined && typeof pretrained === 'string') transformer['pretrained'] = path.resolve(pretrained);
  return out;
}

/** The data config as a model records it (paths absolute). */
function recordedData(config: SentimentConfig): SentimentModelInfo['data']['config'] {
  if (config.data.source === 'file') return { ...config.data, path: path.resolve(config.data.path) };
  return config.data.dataDir === undefined ? config.data : { ...config.data, dataDir: path.resolve(config.data.dataDir) };
}

function modelInfo(config: SentimentConfig, data: SentimentData, seed: number, fit: TrainedFit, files: SentimentModelInfo['data']['files']): SentimentModelInfo {
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return {
    kind: 'finmm/sentiment-model',
    version: 1,
    classes: [...data.classes],
    text: { ...fit.prepared.spec, tfidf: fit.prepared.spec.tfidf ?? null, field: data.textField, idField: data.idField },
    data: { config: recordedData(config), files, rows: data.texts.length },
    split: { train: data.split.train, validation: data.split.validation, test: data.split.test },
    seed,
    pretrained: fit.prepared.pretrained?.dir ?? null,
    classWeights: fit.classWeights,
    training: {
      epochs: fit.epochs,
      bestEpoch: fit.bestEpoch,
      stopReason: fit.stopReason,
      seconds: fit.seconds,
      validation: { accuracy: finite(fit.validation.accuracy), macroF1: finite(fit.validation.macroF1) },
    },
  };
}

async function evaluateFit(config: SentimentConfig, data: SentimentData, seed: number, fit: TrainedFit, dir: RunDir, modelDir: string): Promise<SeedRow> {
  const source = sentimentSource(data, fit.prepared.featurizer);
  const valid = await predictRows(fit.model, source, data.split.validation, config.evalBatchSize);
  const test = await predictRows(fit.model, source, data.split.test, config.evalBatchSize);
  const validation = sentimentReport(valid.yTrue, valid.probs, data.classes, 'validation');
  const report = sentimentReport(test.yTrue, test.probs, data.classes, 'test');
  dir.writeJson('evaluation.json', { seed, model: modelDir, validation, test: report });
  dir.writeText(
    'evaluation.md',
    `${sentimentReportMarkdown(report, `Seed ${seed}: test split (never trained or tuned on)`)}\n${sentimentReportMarkdown(validation, `Seed ${seed}: validation split (chose the epoch)`)}`,
  );
  const header = `row,id,label,prediction,${data.classes.map((c) => `p_${c}`).join(',')}`;
  const lines = data.split.test.map((r, i) => {
    const probs = test.probs[i] as number[];
    const predicted = probs.indexOf(Math.max(...probs));
    return [r, JSON.stringify(data.ids[r] ?? null), data.classes[data.labels[r] as number], data.classes[predicted], ...probs.map((p) => p.toFixed(6))].join(',');
  });
  dir.writeText('test-predictions.csv', `${header}\n${lines.join('\n')}\n`);
  return { seed, epochs: fit.epochs, bestEpoch: fit.bestEpoch, seconds: fit.seconds, validation: { accuracy: validation.accuracy, macroF1: validation.macroF1 }, test: report, model: modelDir };
}

/** Removes the trainer's checkpoints and final-weights copy of a fit (model/ holds the kept weights); its logs stay. */
function removeTrainerWeights(dir: RunDir): void {
  for (const name of ['checkpoints', 'model']) rmSync(dir.file('train', name), { recursive: true, force: true });
}

/** Runs `train`; prints the summary and returns where everything went. */
export async function trainSentiment(options: TrainCommandOptions, print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<TrainOutcome> {
  const started = Date.now();
  const { config, resolved } = loadSentimentConfig(options.config, options.set);
  checkPretrainedDir(config.model);
  const data = await loadSentimentData(config.data);
  await initBackend(); // after the config, the pretrained model and the data are known to be good
  const run = RunDir.create({ ...(options.runs === undefined ? {} : { root: options.runs }), app: 'sentiment', name: config.name });
  const files = fingerprintFiles(data.files);
  run.writeYaml('config.yaml', resolvedForRecord(resolved, config), `${trainCommandLine(run.file('config.yaml'))}\nResolved config of this run (from ${options.config}${options.set.length > 0 ? ` with --set ${options.set.join(' ')}` : ''}).`);
  run.writeJson('data.json', {
    name: data.name,
    files,
    rows: data.texts.length,
    classes: data.classes,
    parts: Object.fromEntries(SPLIT_NAMES.map((p) => [p, { rows: data.split[p].length, classes: classCounts(data, data.split[p]) }])),
    skipped: { total: data.skipped.total, summary: data.skipped.summary() },
  });
  run.writeJson('seeds.json', {
    seeds: config.seeds,
    note: 'each seed fixes the initial weights (model seed) and the batch order (trainer seed); the split is the same for every seed',
    fits: config.seeds.map((seed) => ({ fit: `seed${seed}`, modelSeed: seed, trainerSeed: seed })),
  });
  const progress = createRunProgress(config.seeds.length, 'sentiment', config.progress);
  const rows: SeedRow[] = [];
  try {
    for (const seed of config.seeds) {
      const dir = run.sub('fits', `seed${seed}`);
      const fit = await trainFit(config, data, seed, dir, progress);
      try {
        const modelDir = dir.file('model');
        await saveSentimentModel(modelDir, fit.model, fit.prepared, modelInfo(config, data, seed, fit, files));
        if (!config.keepTrainerFiles) removeTrainerWeights(dir);
        const row = await evaluateFit(config, data, seed, fit, dir, modelDir);
        rows.push(row);
        progress.tick(`seed ${seed}: test accuracy ${row.test.accuracy.toFixed(4)}, macro-F1 ${row.test.macroF1.toFixed(4)} (validation ${row.validation.accuracy.toFixed(4)} / ${row.validation.macroF1.toFixed(4)}; ${fit.epochs} epochs, best ${fit.bestEpoch ?? '–'}, ${fit.seconds.toFixed(0)} s)`);
      } finally {
        fit.model.dispose();
      }
    }
  } finally {
    progress.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  const fullPhrasebank = config.data.source === 'phrasebank' && config.data.limit === undefined;
  const summary = summariseSeeds(rows, fullPhrasebank ? [...PHRASEBANK_REFERENCES, ...measuredBaselines()] : []);
  const parts = SPLIT_NAMES.map((p) => `${p} ${data.split[p].length}`).join(' / ');
  const lines = [
    `Data: ${data.name}, ${data.texts.length} rows (${parts}); classes ${data.classes.join(', ')}; seeds ${config.seeds.join(', ')}.`,
    `Model: ${describeModel(config)}.`,
    `Command: \`${trainCommandLine(options.config)}${options.set.map((s) => ` --set ${s}`).join('')}\`; ${seconds.toFixed(0)} s.`,
  ];
  run.writeJson('report.json', { seconds, ...summary });
  run.writeText('summary.md', summaryMarkdown(summary, rows, { title: `Sentiment run ${config.name}`, lines }));
  print(`sentiment: ${rows.length} seed(s); test accuracy ${formatSpread(summary.test.accuracy)}, macro-F1 ${formatSpread(summary.test.macroF1)} (validation ${formatSpread(summary.validation.accuracy)} / ${formatSpread(summary.validation.macroF1)})`);
  for (const r of summary.references) print(`sentiment: reference on the same test split: ${r.name}: accuracy ${r.accuracy.toFixed(4)}, macro-F1 ${r.macroF1.toFixed(4)}`);
  print(`sentiment: run directory ${run.path} (summary.md, report.json, fits/seed*/model)`);
  return { runDir: run.path, summary, models: rows.map((r) => r.model) };
}

/** One line naming the model's branches (the TF-IDF branch in brackets before the token branches when both are on). */
export function describeModel(config: SentimentConfig): string {
  const { ngram, transformer, combine, tfidf } = config.model;
  const parts: string[] = [];
  const grams = (a: { min: number; max: number } | null, what: string): string[] => (a === null ? [] : [`${what} ${a.min}-${a.max}-grams`]);
  const tfidfPart =
    tfidf === null ? null : `linear layer (dim ${tfidf.dim}) over TF-IDF of ${[...grams(tfidf.words, 'word'), ...grams(tfidf.chars, 'character')].join(' + ')}`;
  if (ngram !== null) {
    const words = ngram.n >= 2 ? ` + hashed word ${ngram.n === 2 ? 'bigrams' : `2-${ngram.n}-grams`}` : '';
    const chars = ngram.chars === null ? '' : ` + hashed character ${ngram.chars.min}-${ngram.chars.max}-grams`;
    parts.push(`embedding bag of WordPiece pieces${words}${chars} (dim ${ngram.dim})`);
  }
  if (transformer !== null) parts.push(transformer.pretrained === null ? 'transformer from scratch' : `MLM-pretrained transformer (${transformer.pretrained})`);
  const tokens = parts.length === 2 ? `${parts.join(' + ')}, ${combine}` : (parts[0] ?? null);
  if (tfidfPart === null) return tokens as string;
  if (tokens === null) return tfidfPart;
  return `[${tfidfPart}]; [${tokens}]; the TF-IDF branch concatenated with the rest`;
}
