// `stock train`: one model per seed on the training split (epochs chosen on the validation split), each
// evaluated on the test split beside the market rule and the majority class with day-clustered bootstrap
// intervals; a run directory with the resolved config, data fingerprint, seeds, metrics logs, reports and models.
import path from 'node:path';
import { initBackend } from '@finmm/core';
import { createRunProgress, formatSpread, RunDir, STOCKNET_CLASSES, type TrainCommandOptions } from '@finmm/finance-tasks';
import { scoreRows } from './batches.js';
import { loadStockConfig, usedInputs, type StockConfig } from './config.js';
import { loadStockData, splitRows, type StockData } from './data.js';
import { evaluateSplit, splitEvaluationMarkdown, type SplitEvaluation } from './evaluation.js';
import { trainSeed } from './fit.js';
import { PriceContext, StockInputs, type StockPreprocessing } from './inputs.js';
import { saveStockModel, type StockModelInfo } from './model-dir.js';
import { summariseSeeds, summaryMarkdown, type SeedRow, type StockSummary } from './summary.js';

/** The command that runs a config file (the first line of every config, and of a run's config.yaml). */
export function trainCommandLine(configPath: string): string {
  return `node tools/run-ts.mjs apps/stock/src/main.ts train --config ${configPath}`;
}

/** What `train` returns: the run directory, its summary and the model directories (one per seed). */
export interface TrainOutcome {
  runDir: string;
  summary: StockSummary;
  models: string[];
}

/** The config as run: folder paths made absolute, so the run's config.yaml runs from anywhere. */
function absoluteData(data: StockConfig['data']): StockConfig['data'] {
  if (data.source === 'stocknet') return data.dataDir === undefined ? { ...data } : { ...data, dataDir: path.resolve(data.dataDir) };
  return { ...data, prices: path.resolve(data.prices), ...(data.tweets === undefined ? {} : { tweets: path.resolve(data.tweets) }) };
}

/** Counts per split for data.json. */
function splitCounts(data: StockData): Record<string, { samples: number; up: number; days: number; tickers: number }> {
  const out: Record<string, { samples: number; up: number; days: number; tickers: number }> = {};
  for (const split of ['train', 'validation', 'test'] as const) {
    const rows = splitRows(data.samples, split);
    out[split] = {
      samples: rows.length,
      up: rows.filter((r) => data.samples.label[r] === 1).length,
      days: new Set(rows.map((r) => data.samples.date[r])).size,
      tickers: new Set(rows.map((r) => data.samples.ticker[r])).size,
    };
  }
  return out;
}

/** The inputs of every sample, scaled with scalers fitted on the training rows. */
export function sampleInputs(data: StockData, config: Pick<StockConfig, 'inputs'>): { inputs: StockInputs; preprocessing: StockPreprocessing; context: PriceContext } {
  const context = new PriceContext(data.prices, config.inputs);
  const inputs = StockInputs.build({ ticker: data.samples.ticker, date: data.samples.date, messages: data.samples.messages }, context, config.inputs);
  const preprocessing = inputs.fit(splitRows(data.samples, 'train'));
  inputs.scale(preprocessing);
  return { inputs, preprocessing, context };
}

/** Runs `train`; prints the summary and returns where everything went. */
export async function trainStock(options: TrainCommandOptions, print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<TrainOutcome> {
  const started = Date.now();
  const { config, resolved } = loadStockConfig(options.config, options.set);
  const data = await loadStockData(config.data);
  const rows = { train: splitRows(data.samples, 'train'), validation: splitRows(data.samples, 'validation'), test: splitRows(data.samples, 'test') };
  for (const [split, r] of Object.entries(rows)) if (r.length === 0) throw new Error(`${data.name}: the ${split} split has no samples; check the data's dates against the splits`);
  await initBackend(); // after the config and the data are known to be good
  const run = RunDir.create({ ...(options.runs === undefined ? {} : { root: options.runs }), app: 'stock', name: config.name });
  const files = data.fingerprint();
  const record = { ...structuredClone(resolved), data: absoluteData(config.data) };
  run.writeYaml('config.yaml', record, `${trainCommandLine(run.file('config.yaml'))}\nResolved config of this run (from ${options.config}${options.set.length > 0 ? ` with --set ${options.set.join(' ')}` : ''}).`);
  const counts = splitCounts(data);
  run.writeJson('data.json', {
    name: data.name,
    official: data.official,
    files,
    samples: data.samples.ticker.length,
    splits: data.splits,
    counts,
    tickers: [...new Set(data.samples.ticker)].sort(),
    marketTickers: data.prices.size,
    skipped: { total: data.skipped.total, summary: data.skipped.summary() },
  });
  run.writeJson('seeds.json', {
    seeds: config.seeds,
    bootstrapSeed: config.bootstrap.seed,
    note: 'each seed fixes the initial weights (model seed) and the batch order (trainer seed); the splits are fixed by date',
  });
  const progress = createRunProgress(config.seeds.length, 'stock', config.progress);
  const inputNames = usedInputs(config.inputs);
  progress.note(`stock: ${data.name}, ${counts['train']?.samples} / ${counts['validation']?.samples} / ${counts['test']?.samples} train / validation / test samples; inputs ${inputNames.join(', ')}; preparing inputs...`);
  const { inputs, preprocessing, context } = sampleInputs(data, config);
  const market = context.market();
  const labels = data.samples.label;
  const majorityClass = rows.train.filter((r) => labels[r] === 1).length * 2 >= rows.train.length ? 1 : 0;
  const evaluate = (split: 'validation' | 'test', scores: number[]): SplitEvaluation =>
    evaluateSplit({
      split,
      dates: rows[split].map((r) => data.samples.date[r] as string),
      labels: rows[split].map((r) => labels[r] as number),
      scores,
      market,
      majorityClass,
      bootstrap: config.bootstrap,
    });
  const seedRows: SeedRow[] = [];
  const testScores: number[][] = [];
  const models: string[] = [];
  try {
    for (const seed of config.seeds) {
      const dir = run.sub('seeds', `seed${seed}`);
      const fit = await trainSeed(config, inputs, { train: rows.train, validation: rows.validation, labels }, seed, dir, progress);
      try {
        const validation = evaluate('validation', scoreRows(fit.model, inputs, rows.validation));
        const scores = scoreRows(fit.model, inputs, rows.test);
        const test = evaluate('test', scores);
        testScores.push(scores);
        const info: StockModelInfo = {
          kind: 'finmm/stock-model',
          version: 1,
          classes: [STOCKNET_CLASSES[0], STOCKNET_CLASSES[1]],
          inputs: config.inputs,
          data: { config: absoluteData(config.data), name: data.name, files, samples: data.samples.ticker.length, splits: data.splits, official: data.official },
          seed,
          majorityClass,
          bootstrap: config.bootstrap,
          training: { epochs: fit.epochs, keptEpoch: fit.keptEpoch, stopReason: fit.stopReason, seconds: fit.seconds, trainSamples: rows.train.length },
          metrics: { validation: { ...validation.metrics }, test: { ...test.metrics } },
        };
        const modelDir = dir.file('model');
        await saveStockModel(modelDir, fit.model, preprocessing, info);
        models.push(modelDir);
        dir.writeJson('evaluation.json', { seed, validation: { ...validation, report: validation.report }, test });
        dir.writeText('evaluation.md', `${splitEvaluationMarkdown(test, `seed ${seed}: test split`)}\n${splitEvaluationMarkdown(validation, `seed ${seed}: validation split (chose the epochs)`)}`);
        dir.writeText(
          'test-predictions.csv',
          `ticker,date,label,p_up\n${rows.test.map((r, i) => `${data.samples.ticker[r]},${data.samples.date[r]},${labels[r]},${(scores[i] as number).toFixed(6)}`).join('\n')}\n`,
        );
        const row: SeedRow = {
          seed,
          epochs: fit.epochs,
          keptEpoch: fit.keptEpoch,
          stopReason: fit.stopReason,
          seconds: fit.seconds,
          validation: { accuracy: validation.metrics.accuracy, mcc: validation.metrics.mcc, loss: fit.validation['loss'] ?? Number.NaN },
          test,
          model: modelDir,
        };
        seedRows.push(row);
        const d = test.bootstrap.differences[0];
        progress.tick(
          `seed ${seed}: test accuracy ${test.metrics.accuracy.toFixed(4)}, MCC ${test.metrics.mcc.toFixed(4)}` +
            `${d === undefined ? '' : ` (vs market rule ${d.accuracy.estimate >= 0 ? '+' : ''}${d.accuracy.estimate.toFixed(4)})`}; ${fit.epochs} epochs, kept ${fit.keptEpoch}, ${fit.seconds.toFixed(0)} s`,
        );
      } finally {
        fit.model.dispose();
      }
    }
  } finally {
    progress.stop();
  }
  const ensemble = testScores.length < 2 ? null : evaluate('test', rows.test.map((_, i) => testScores.reduce((a, s) => a + (s[i] as number), 0) / testScores.length));
  const summary = summariseSeeds(seedRows, ensemble, data.official);
  const seconds = (Date.now() - started) / 1000;
  const lines = [
    `Data: ${data.name}${data.official ? ' (all tickers, official split)' : ''}: ${counts['train']?.samples} / ${counts['validation']?.samples} / ${counts['test']?.samples} train / validation / test samples of ${counts['train']?.tickers} tickers; market context over ${data.prices.size} tickers. Inputs: ${inputNames.join(', ')}. Seeds ${config.seeds.join(', ')}.`,
    `Command: \`${trainCommandLine(options.config)}${options.set.map((s) => ` --set ${s}`).join('')}\`; ${seconds.toFixed(0)} s.`,
  ];
  run.writeJson('report.json', { seconds, ...summary });
  run.writeText('summary.md', summaryMarkdown(summary, (seedRows[0] as SeedRow).test, { title: `Stock run ${config.name}`, lines }));
  const rule = summary.baselines['market_rule'];
  print(
    `stock: ${seedRows.length} seed(s); test accuracy ${formatSpread(summary.overSeeds.accuracy)}, MCC ${formatSpread(summary.overSeeds.mcc)}` +
      `${rule === undefined ? '' : `; market rule ${rule.accuracy.estimate.toFixed(4)} / MCC ${rule.mcc.estimate.toFixed(4)}`}`,
  );
  print(`stock: run directory ${run.path} (summary.md, report.json, seeds/*/model)`);
  return { runDir: run.path, summary, models };
}
