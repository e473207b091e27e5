// The summary of a sentiment run: each seed's validation and test metrics, their mean ± standard deviation over
// the seeds, and the reference results on the same FinBERT split (TF-IDF + logistic regression, FinBERT).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatSpread, markdownTable, spread, type Spread } from '@finmm/finance-tasks';
import { formatClassificationReport } from '@finmm/trainer';
import type { SentimentReport } from './report.js';

/** One seed's result. */
export interface SeedRow {
  seed: number;
  epochs: number;
  bestEpoch: number | null;
  seconds: number;
  validation: { accuracy: number; macroF1: number };
  test: SentimentReport;
  model: string;
}

/** A published or separately measured result on the same test split. */
export interface Reference {
  name: string;
  accuracy: number;
  macroF1: number;
  source: string;
}

/** The run's aggregate numbers (report.json). */
export interface RunSummary {
  seeds: Array<Omit<SeedRow, 'test'> & { test: { accuracy: number; macroF1: number; weightedF1: number; mcc: number; logLoss: number } }>;
  test: { accuracy: Spread; macroF1: Spread };
  validation: { accuracy: Spread; macroF1: Spread };
  references: Reference[];
}

/** Results on PhraseBank's FinBERT test split that every full-split run is shown beside. */
export const PHRASEBANK_REFERENCES: readonly Reference[] = [
  { name: 'TF-IDF word 1-2 + char 2-5 grams, logistic regression (issue figure)', accuracy: 0.803, macroF1: 0.76, source: 'the issue / shared/notes/anchors.md' },
  { name: 'FinBERT (Araci 2019, BERT-base further pretrained on financial news)', accuracy: 0.86, macroF1: 0.84, source: 'published' },
];

interface BaselineFile {
  sklearn: string;
  models: Record<string, { C: number; class_weight: string | null; test: { accuracy: number; macro_f1: number } }>;
}

/** The TF-IDF baselines measured here by tools/python/sentiment_baselines.py (when baselines/phrasebank.json exists). */
export function measuredBaselines(): Reference[] {
  const file = fileURLToPath(new URL('../baselines/phrasebank.json', import.meta.url));
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as BaselineFile;
  return Object.entries(parsed.models).map(([name, m]) => ({
    name: `${name.replace(/_/g, ' ')} reproduced here (C=${m.C}${m.class_weight === null ? '' : `, ${m.class_weight}`})`,
    accuracy: m.test.accuracy,
    macroF1: m.test.macro_f1,
    source: `tools/python/sentiment_baselines.py, scikit-learn ${parsed.sklearn}`,
  }));
}

/** Aggregates the seeds of a run. */
export function summariseSeeds(rows: readonly SeedRow[], references: readonly Reference[]): RunSummary {
  if (rows.length === 0) throw new Error('summariseSeeds: no seeds');
  return {
    seeds: rows.map((r) => ({ ...r, test: { accuracy: r.test.accuracy, macroF1: r.test.macroF1, weightedF1: r.test.weightedF1, mcc: r.test.mcc, logLoss: r.test.logLoss } })),
    test: { accuracy: spread(rows.map((r) => r.test.accuracy)), macroF1: spread(rows.map((r) => r.test.macroF1)) },
    validation: { accuracy: spread(rows.map((r) => r.validation.accuracy)), macroF1: spread(rows.map((r) => r.validation.macroF1)) },
    references: [...references],
  };
}

/** The summary as Markdown, with each seed's classification report. */
export function summaryMarkdown(summary: RunSummary, rows: readonly SeedRow[], header: { title: string; lines: string[] }): string {
  const n = summary.seeds.length;
  const testRows = rows[0]?.test.n ?? 0;
  const main = markdownTable(
    [`test (${testRows} sentences)`, 'accuracy', 'macro-F1'],
    [
      [`this run, mean ± std over ${n} seed${n === 1 ? '' : 's'} (${summary.seeds.map((s) => s.seed).join(', ')})`, formatSpread(summary.test.accuracy), formatSpread(summary.test.macroF1)],
      ...summary.references.map((r) => [r.name, r.accuracy.toFixed(4), r.macroF1.toFixed(4)]),
    ],
  );
  const seeds = markdownTable(
    ['seed', 'epochs run', 'best epoch', 'validation accuracy', 'validation macro-F1', 'test accuracy', 'test macro-F1', 'test MCC', 'seconds'],
    summary.seeds.map((s) => [s.seed, s.epochs, s.bestEpoch ?? '–', s.validation.accuracy.toFixed(4), s.validation.macroF1.toFixed(4), s.test.accuracy.toFixed(4), s.test.macroF1.toFixed(4), s.test.mcc.toFixed(4), s.seconds.toFixed(0)]),
  );
  const reports = rows.flatMap((r) => [`### Seed ${r.seed}`, '', '```', formatClassificationReport(r.test.report, 3), '```', '']);
  return [
    `# ${header.title}`,
    '',
    ...header.lines,
    '',
    'Epochs and weights were chosen on the validation rows only; the test rows were used once, for the numbers below. Mean ± sample standard deviation over seeds; every seed run is listed.',
    '',
    main,
    '',
    '## Every seed',
    '',
    seeds,
    '',
    '## Test classification report per seed',
    '',
    ...reports,
  ].join('\n');
}

