// `credit evaluate`: a saved model on a split of the data it was trained from (its held-out fold, its validation
// rows or its training rows), after checking that the data files are unchanged; writes a run directory with the
// evaluation report as JSON and Markdown.
import path from 'node:path';
import {
  binaryReport,
  binaryReportMarkdown,
  checkFingerprints,
  fingerprintFiles,
  RunDir,
  UsageError,
  type BinaryReport,
  type EvaluateCommandOptions,
} from '@finmm/finance-tasks';
import { loadCreditData } from './data.js';
import { creditSource } from './fit.js';
import { creditModels, disposeCreditModel, loadCreditModel } from './model-dir.js';
import { scoreRows } from './scoring.js';

/** The splits `evaluate --split` accepts. */
export const EVALUATE_SPLITS = ['test', 'valid', 'train'] as const;

/** What `evaluate` returns. */
export interface EvaluateOutcome {
  runDir: string;
  report: BinaryReport;
}

/** Runs `evaluate`; prints the headline metrics. */
export async function evaluateCredit(options: EvaluateCommandOptions, print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<EvaluateOutcome> {
  const split = options.split as (typeof EVALUATE_SPLITS)[number];
  if (!EVALUATE_SPLITS.includes(split)) throw new UsageError(`--split must be one of ${EVALUATE_SPLITS.join(', ')}, got "${options.split}"`);
  const loaded = await loadCreditModel(options.model);
  try {
    const { info } = loaded;
    const rows = info.split[split];
    if (rows.length === 0) {
      throw new UsageError(`${options.model} was trained without cross-validation (cv=false) on all rows, so it has no held-out test split; use --split valid or train, or train with cv=true`);
    }
    const data = await loadCreditData(info.data.config, info.costMatrix.cost);
    checkFingerprints(info.data.files, fingerprintFiles(data.files), `evaluate ${options.model}`);
    if (JSON.stringify(data.spec) !== JSON.stringify(info.features) || data.labels.length !== info.data.rows) {
      throw new Error(`evaluate ${options.model}: the data now gives different features or rows than at training time`);
    }
    const scores = await scoreRows(creditModels(loaded), creditSource(data, loaded.preprocessing), rows, info.posWeight);
    const y = rows.map((r) => data.labels[r] as number);
    const report = binaryReport({
      yTrue: y,
      scores,
      classes: info.classes,
      thresholds: {
        cost: { threshold: info.thresholds.cost.value, source: info.thresholds.cost.source },
        bayes: { threshold: info.thresholds.bayes.value, source: info.thresholds.bayes.source },
      },
      costMatrix: info.costMatrix,
    });
    const note =
      split === 'test' ? `held-out fold ${info.split.fold}: never seen in training, preprocessing or threshold choice`
      : split === 'valid' ? `validation rows that chose the epochs and the threshold${info.split.refit ? '; the refitted model was also trained on them' : ''} (optimistic)`
      : 'training rows (optimistic)';
    const fitName = path.basename(path.dirname(path.resolve(options.model)));
    const run = RunDir.create({ ...(options.runs === undefined ? {} : { root: options.runs }), app: 'credit', name: `evaluate-${fitName}-${split}` });
    run.writeJson('evaluation.json', { model: path.resolve(options.model), split, note, rows: rows.length, files: info.data.files, report });
    run.writeText('evaluation.md', `${binaryReportMarkdown(report, `${fitName}, split "${split}"`)}\n${note}; model ${path.resolve(options.model)}\n`);
    const m = report.metrics;
    const cost = report.thresholds['cost']?.cost ?? NaN;
    const bayes = report.thresholds['bayes']?.cost ?? NaN;
    print(`credit: ${split} (${rows.length} rows, ${note}): ROC-AUC ${m.roc_auc.toFixed(4)}, KS ${m.ks.toFixed(4)}, Gini ${m.gini.toFixed(4)}, cost ${cost.toFixed(4)} (Bayes ${bayes.toFixed(4)})`);
    print(`credit: report in ${run.path}`);
    return { runDir: run.path, report };
  } finally {
    disposeCreditModel(loaded);
  }
}
