// The sentiment part of `npm run demo`: the quick setting (configs/phrasebank-quick.yaml: the TF-IDF branch trained
// as logistic regression, 150 full-batch steps, on the full FinBERT split, one seed), returning the held-out test metrics.
import { fileURLToPath } from 'node:url';
import { trainSentiment } from './train.js';

/** Path of the quick config the demo runs. */
export const QUICK_CONFIG = fileURLToPath(new URL('../configs/phrasebank-quick.yaml', import.meta.url));

/** What the demo reports. */
export interface SentimentDemoResult {
  /** Test accuracy (970 sentences, never trained or tuned on). */
  accuracy: number;
  /** Test macro-F1. */
  macroF1: number;
  /** Validation accuracy and macro-F1 of the kept epoch. */
  validation: { accuracy: number; macroF1: number };
  /** The published and measured results on the same test split, for comparison. */
  references: Array<{ name: string; accuracy: number; macroF1: number }>;
  runDir: string;
  seconds: number;
}

/** Trains and evaluates the quick sentiment setting; `set` adds `--set` overrides, `runs` the run root. */
export async function runSentimentDemo(options: { set?: string[]; runs?: string; print?: (line: string) => void } = {}): Promise<SentimentDemoResult> {
  const started = Date.now();
  const outcome = await trainSentiment({ config: QUICK_CONFIG, set: options.set ?? [], ...(options.runs === undefined ? {} : { runs: options.runs }) }, options.print);
  const seed = outcome.summary.seeds[0];
  if (seed === undefined) throw new Error('runSentimentDemo: the run trained no seed');
  return {
    accuracy: seed.test.accuracy,
    macroF1: seed.test.macroF1,
    validation: seed.validation,
    references: outcome.summary.references.map(({ name, accuracy, macroF1 }) => ({ name, accuracy, macroF1 })),
    runDir: outcome.runDir,
    seconds: (Date.now() - started) / 1000,
  };
}
