// `stock evaluate`: a saved model on a split of the data it was trained from, after checking that the data files
// are unchanged; accuracy and MCC with day-clustered intervals beside the market rule and the majority class.
import path from 'node:path';
import { checkFingerprints, RunDir, UsageError, type EvaluateCommandOptions } from '@finmm/finance-tasks';
import { scoreRows } from './batches.js';
import { loadStockData, splitRows } from './data.js';
import { evaluateSplit, splitEvaluationMarkdown, type SplitEvaluation } from './evaluation.js';
import { PriceContext, StockInputs } from './inputs.js';
import { loadStockModel, readStockInfo } from './model-dir.js';

/** The splits `evaluate --split` accepts. */
export const EVALUATE_SPLITS = ['test', 'validation', 'train'] as const;

/** What `evaluate` returns. */
export interface EvaluateOutcome {
  runDir: string;
  evaluation: SplitEvaluation;
}

/** Runs `evaluate`; prints the headline metrics. */
export async function evaluateStock(options: EvaluateCommandOptions, print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<EvaluateOutcome> {
  const split = options.split as (typeof EVALUATE_SPLITS)[number];
  if (!EVALUATE_SPLITS.includes(split)) throw new UsageError(`--split must be one of ${EVALUATE_SPLITS.join(', ')}, got "${options.split}"`);
  const info = readStockInfo(options.model); // a bad model directory fails before the data is read
  const data = await loadStockData(info.data.config);
  checkFingerprints(info.data.files, data.fingerprint(), `evaluate ${options.model}`);
  if (data.samples.ticker.length !== info.data.samples) throw new Error(`evaluate ${options.model}: the data now gives ${data.samples.ticker.length} samples, ${info.data.samples} at training time`);
  const loaded = await loadStockModel(options.model);
  try {
    const rows = splitRows(data.samples, split);
    const targets = { ticker: rows.map((r) => data.samples.ticker[r] as string), date: rows.map((r) => data.samples.date[r] as string), messages: rows.map((r) => data.samples.messages[r] as string[]) };
    const context = new PriceContext(data.prices, info.inputs);
    const inputs = StockInputs.build(targets, context, info.inputs).scale(loaded.preprocessing, `${options.model}/preprocessing.json`);
    const scores = scoreRows(loaded.model, inputs, targets.ticker.map((_, i) => i));
    const evaluation = evaluateSplit({
      split,
      dates: targets.date,
      labels: rows.map((r) => data.samples.label[r] as number),
      scores,
      market: context.market(),
      majorityClass: info.majorityClass,
      bootstrap: info.bootstrap,
    });
    const note =
      split === 'test' ? 'held-out test split: never seen in training, scaling or the choice of epochs'
      : split === 'validation' ? 'validation split: it chose the epochs (optimistic)'
      : 'training split (optimistic)';
    const seedName = path.basename(path.dirname(path.resolve(options.model)));
    const run = RunDir.create({ ...(options.runs === undefined ? {} : { root: options.runs }), app: 'stock', name: `evaluate-${seedName}-${split}` });
    run.writeJson('evaluation.json', { model: path.resolve(options.model), split, note, files: info.data.files, evaluation });
    run.writeText('evaluation.md', `${splitEvaluationMarkdown(evaluation, `${seedName}, split "${split}"`)}\n${note}; model ${path.resolve(options.model)}\n`);
    const d = evaluation.bootstrap.differences[0];
    print(
      `stock: ${split} (${evaluation.samples} samples on ${evaluation.days} days, ${note}): accuracy ${evaluation.metrics.accuracy.toFixed(4)}, MCC ${evaluation.metrics.mcc.toFixed(4)}, ROC-AUC ${evaluation.metrics.roc_auc.toFixed(4)}` +
        `${d === undefined ? '' : `; minus market rule ${d.accuracy.estimate >= 0 ? '+' : ''}${d.accuracy.estimate.toFixed(4)} [${d.accuracy.low.toFixed(4)}, ${d.accuracy.high.toFixed(4)}]`}`,
    );
    print(`stock: report in ${run.path}`);
    return { runDir: run.path, evaluation };
  } finally {
    loaded.model.dispose();
  }
}
