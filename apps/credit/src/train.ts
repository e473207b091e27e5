// `credit train`: every fit of the config (folds x seeds, or one model per seed with cv=false), each evaluated on
// its held-out fold, with a run directory holding the resolved config, data fingerprint, seeds, the trainer's
// metrics logs, evaluation reports (JSON + Markdown), the model directories and the run summary.
import path from 'node:path';
import { initBackend } from '@finmm/core';
import {
  bayesThreshold,
  binaryReport,
  binaryReportMarkdown,
  createRunProgress,
  expectedCost,
  fingerprintFiles,
  formatSpread,
  RunDir,
  type TrainCommandOptions,
} from '@finmm/finance-tasks';
import { loadCreditConfig, type CreditConfig } from './config.js';
import { loadCreditData, type CreditData } from './data.js';
import { creditSource, disposeFit, fitModels, memberPlans, trainFit, type TrainedFit } from './fit.js';
import { saveCreditModel, type CreditModelInfo } from './model-dir.js';
import { planFits, type FitPlan } from './plan.js';
import { scoreRows } from './scoring.js';
import { readGermanBaselines, summariseFits, summaryMarkdown, type CvSummary, type FitRow } from './summary.js';

/** The command that runs a config file (the first line of every config, and of a run's config.yaml). */
export function trainCommandLine(configPath: string): string {
  return `node tools/run-ts.mjs apps/credit/src/main.ts train --config ${configPath}`;
}

/** What `train` returns: the run directory, its summary (null without cross-validation) and the model directories. */
export interface TrainOutcome {
  runDir: string;
  summary: CvSummary | null;
  models: string[];
}

/** The config as run: data paths made absolute, so the run's config.yaml runs from anywhere. */
function resolvedForRecord(resolved: Record<string, unknown>, config: CreditConfig): Record<string, unknown> {
  const out = structuredClone(resolved);
  const data = out['data'] as Record<string, unknown>;
  if (config.data.source === 'file') data['path'] = path.resolve(config.data.path);
  if (config.data.source === 'german' && config.data.dataDir !== undefined) data['dataDir'] = path.resolve(config.data.dataDir);
  return out;
}

function modelInfo(config: CreditConfig, data: CreditData, plan: FitPlan, fit: TrainedFit, files: CreditModelInfo['data']['files']): CreditModelInfo {
  return {
    kind: 'finmm/credit-model',
    version: 1,
    classes: data.classes,
    features: data.spec,
    posWeight: fit.posWeight,
    thresholds: { cost: fit.threshold, bayes: fit.bayes },
    costMatrix: { classes: [...data.costMatrix.classes], cost: data.costMatrix.cost.map((r) => [...r]) },
    explain: { baseline: (fit.members[0] as TrainedFit['members'][number]).baseline, steps: config.explain.steps, top: config.explain.top },
    data: { config: config.data.source === 'file' ? { ...config.data, path: path.resolve(config.data.path) } : config.data, files, rows: data.labels.length },
    split: { fold: plan.fold, seed: plan.seed, train: fit.rows.train, valid: fit.rows.valid, test: plan.testRows, refit: config.refit },
    training: { epochs: fit.epochs, stopReason: fit.stopReason, seconds: fit.seconds },
  };
}

async function evaluateFit(data: CreditData, plan: FitPlan, fit: TrainedFit, dir: RunDir): Promise<FitRow> {
  const scores = await scoreRows(fitModels(fit), creditSource(data, fit.preprocessing), plan.testRows, fit.posWeight);
  const y = plan.testRows.map((r) => data.labels[r] as number);
  const report = binaryReport({
    yTrue: y,
    scores,
    classes: data.classes,
    thresholds: { cost: { threshold: fit.threshold.value, source: fit.threshold.source }, bayes: { threshold: fit.bayes.value, source: fit.bayes.source } },
    costMatrix: data.costMatrix,
  });
  dir.writeJson('evaluation.json', { fit: plan.name, split: 'test', fold: plan.fold, seed: plan.seed, report });
  dir.writeText('evaluation.md', binaryReportMarkdown(report, `${plan.name}: held-out fold ${plan.fold}`));
  dir.writeText('test-predictions.csv', `row,label,p_${data.classes[1]}\n${plan.testRows.map((r, i) => `${r},${y[i]},${scores[i]}`).join('\n')}\n`);
  return {
    name: plan.name,
    fold: plan.fold,
    seed: plan.seed,
    epochs: fit.epochs,
    seconds: fit.seconds,
    threshold: fit.threshold.value,
    metrics: {
      roc_auc: report.metrics.roc_auc,
      ks: report.metrics.ks,
      gini: report.metrics.gini,
      brier: report.metrics.brier,
      cost: expectedCost(y, scores, fit.threshold.value, data.costMatrix),
      cost_bayes: expectedCost(y, scores, fit.bayes.value, data.costMatrix),
    },
    rows: plan.testRows,
    scores,
  };
}

/** Runs `train`; prints the summary and returns where everything went. */
export async function trainCredit(options: TrainCommandOptions, print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<TrainOutcome> {
  const started = Date.now();
  const { config, resolved } = loadCreditConfig(options.config, options.set);
  const data = await loadCreditData(config.data, config.costMatrix);
  await initBackend(); // after the config and the data are known to be good
  const run = RunDir.create({ ...(options.runs === undefined ? {} : { root: options.runs }), app: 'credit', name: config.name });
  const files = fingerprintFiles(data.files);
  run.writeYaml('config.yaml', resolvedForRecord(resolved, config), `${trainCommandLine(run.file('config.yaml'))}\nResolved config of this run (from ${options.config}${options.set.length > 0 ? ` with --set ${options.set.join(' ')}` : ''}).`);
  run.writeJson('data.json', {
    name: data.name,
    files,
    rows: data.labels.length,
    classes: data.classes,
    positives: data.labels.filter((y) => y === 1).length,
    features: data.spec,
    folds: config.cv ? Math.max(...data.folds) + 1 : null,
    skipped: { total: data.skipped.total, summary: data.skipped.summary() },
  });
  const plans = planFits(data, config);
  run.writeJson('seeds.json', {
    seeds: config.seeds,
    note: 'each fit uses its seed for the inner validation split; each ensemble member m uses seed + 1000 m for its initial weights (model seed), batch order (trainer seed) and bootstrap resample (member 0 keeps the fit seed)',
    fits: plans.map((p) => ({
      fit: p.name,
      fold: p.fold,
      seed: p.seed,
      splitSeed: p.seed,
      modelSeed: p.seed,
      trainerSeed: p.seed,
      ...(memberPlans(config, p.seed).length > 1 ? { members: memberPlans(config, p.seed).map((m) => ({ member: m.index, kind: m.kind, modelSeed: m.seed, trainerSeed: m.seed, bootstrap: m.bootstrap })) } : {}),
    })),
  });
  const progress = createRunProgress(plans.length, 'credit', config.progress);
  const rows: FitRow[] = [];
  const models: string[] = [];
  try {
    for (const plan of plans) {
      const dir = run.sub('fits', plan.name);
      const fit = await trainFit(config, data, plan, dir);
      try {
        const modelDir = dir.file('model');
        const members = fit.members.map((m) => ({ model: m.model, kind: m.plan.kind, seed: m.plan.seed, epochs: m.epochs, baseline: m.baseline }));
        await saveCreditModel(modelDir, members, fit.preprocessing, modelInfo(config, data, plan, fit, files));
        models.push(modelDir);
        if (plan.testRows.length > 0) {
          const row = await evaluateFit(data, plan, fit, dir);
          rows.push(row);
          progress.tick(`${plan.name}: ROC-AUC ${row.metrics.roc_auc.toFixed(4)}, KS ${row.metrics.ks.toFixed(4)}, cost ${row.metrics.cost.toFixed(4)} (${fit.epochs} epochs, ${fit.seconds.toFixed(1)} s)`);
        } else {
          progress.tick(`${plan.name}: trained on ${fit.rows.train.length} rows (${fit.epochs} epochs, ${fit.seconds.toFixed(1)} s)`);
        }
      } finally {
        disposeFit(fit);
      }
    }
  } finally {
    progress.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  const lines = [
    `Data: ${data.name}, ${data.labels.length} rows (${data.labels.filter((y) => y === 1).length} ${data.classes[1]}); ${config.cv ? `${Math.max(...data.folds) + 1}-fold cross-validation` : 'no cross-validation (cv=false)'}; seeds ${config.seeds.join(', ')}.`,
    `Command: \`${trainCommandLine(options.config)}${options.set.map((s) => ` --set ${s}`).join('')}\`; ${seconds.toFixed(0)} s.`,
  ];
  if (rows.length === 0) {
    run.writeJson('report.json', { seconds, models });
    run.writeText('summary.md', [`# Credit run ${config.name}`, '', ...lines, '', ...models.map((m) => `- model: ${m}`), ''].join('\n'));
    print(`credit: trained ${models.length} model(s) on all rows; run directory ${run.path}`);
    return { runDir: run.path, summary: null, models };
  }
  const summary = summariseFits(rows, {
    labels: data.labels,
    classes: data.classes,
    costMatrix: data.costMatrix,
    bayes: bayesThreshold(data.costMatrix),
    baselines: config.data.source === 'german' && config.data.limit === undefined ? readGermanBaselines() : null,
  });
  run.writeJson('report.json', { seconds, ...summary });
  run.writeText('summary.md', summaryMarkdown(summary, { title: `Credit run ${config.name}`, lines }));
  print(`credit: ${rows.length} fits; held-out ROC-AUC ${formatSpread(summary.overall.roc_auc)}, KS ${formatSpread(summary.overall.ks)}, Gini ${formatSpread(summary.overall.gini)}, cost ${formatSpread(summary.overall.cost)} (Bayes ${formatSpread(summary.overall.cost_bayes)})`);
  print(`credit: run directory ${run.path} (summary.md, report.json, fits/*/model)`);
  return { runDir: run.path, summary, models };
}
