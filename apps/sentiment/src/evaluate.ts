// `sentiment evaluate`: a saved model (or ensemble) on a split of the data it was trained from (test, validation or
// train), after checking that the data files are unchanged; writes a run directory with the report as JSON and Markdown.
import path from 'node:path';
import { checkFingerprints, fingerprintFiles, RunDir, UsageError, type EvaluateCommandOptions } from '@finmm/finance-tasks';
import { loadSentimentData, SPLIT_NAMES, type SplitName } from './data.js';
import { loadSentimentPredictor, readPredictorInfo } from './predictor.js';
import { sentimentReport, sentimentReportMarkdown, type SentimentReport } from './report.js';

/** The splits `evaluate --split` accepts (the first is the default). */
export const EVALUATE_SPLITS: readonly SplitName[] = ['test', 'validation', 'train'];

/** What `evaluate` returns. */
export interface EvaluateOutcome {
  runDir: string;
  report: SentimentReport;
}

const NOTES: Record<SplitName, string> = {
  test: 'held-out test rows: never trained or tuned on',
  validation: 'validation rows that chose the epoch (optimistic)',
  train: 'training rows (optimistic)',
};

/** Runs `evaluate`; prints the headline metrics. */
export async function evaluateSentiment(options: EvaluateCommandOptions, print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<EvaluateOutcome> {
  const split = options.split as SplitName;
  if (!SPLIT_NAMES.includes(split)) throw new UsageError(`--split must be one of ${EVALUATE_SPLITS.join(', ')}, got "${options.split}"`);
  const info = readPredictorInfo(options.model); // a bad model directory fails before any data is read
  const data = await loadSentimentData(info.data.config);
  checkFingerprints(info.data.files, fingerprintFiles(data.files), `evaluate ${options.model}`);
  if (data.texts.length !== info.data.rows || JSON.stringify(data.classes) !== JSON.stringify(info.classes)) {
    throw new Error(`evaluate ${options.model}: the data now gives ${data.texts.length} rows with classes ${data.classes.join(', ')}; the model was trained on ${info.data.rows} rows with classes ${info.classes.join(', ')}`);
  }
  const rows = info.split[split];
  const predictor = await loadSentimentPredictor(options.model);
  try {
    const predictions = await predictor.predictRows(data, rows, 128);
    const report = sentimentReport(predictions.yTrue, predictions.probs, info.classes, split);
    // a run's model lies in fits/seed<s>/model, so the fit is named by the parent; an ensemble by its own directory
    const fitName = path.basename(predictor.members > 1 ? path.resolve(options.model) : path.dirname(path.resolve(options.model)));
    const run = RunDir.create({ ...(options.runs === undefined ? {} : { root: options.runs }), app: 'sentiment', name: `evaluate-${fitName}-${split}` });
    const note = NOTES[split];
    run.writeJson('evaluation.json', { model: path.resolve(options.model), members: predictor.members, split, note, rows: rows.length, files: info.data.files, report });
    run.writeText('evaluation.md', `${sentimentReportMarkdown(report, `${fitName}, split "${split}"`)}\n${note}; model ${path.resolve(options.model)}\n`);
    print(`sentiment: ${split} (${rows.length} rows, ${note}): accuracy ${report.accuracy.toFixed(4)}, macro-F1 ${report.macroF1.toFixed(4)}, MCC ${report.mcc.toFixed(4)}`);
    print(`sentiment: report in ${run.path}`);
    return { runDir: run.path, report };
  } finally {
    predictor.dispose();
  }
}
