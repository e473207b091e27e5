// The main job a new user runs: `npm ci && npm run demo`.
// `finmm doctor`, one training step of a small embedding-bag classifier on the active backend, then the quick
// settings of the three apps (credit, sentiment, stock) on the real data, each in its own process, and a table of
// their held-out test metrics beside the baselines. Run directories go to runs/demo-<time>/<app>/.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { assertCanTrainEmbeddings, runDoctor } from '@finmm/core';

/** One line of the final table. */
interface Row {
  task: string;
  system: string;
  metrics: string;
}

/** The quick setting of one app and how to read its report. */
interface AppDemo {
  app: 'credit' | 'sentiment' | 'stock';
  title: string;
  config: string;
  rows(report: Record<string, unknown>): Row[];
}

interface Spread {
  mean: number;
  std: number;
  n: number;
}

interface Interval {
  estimate: number;
  low: number;
  high: number;
}

const f3 = (x: number): string => x.toFixed(3);
const spread = (s: Spread): string => (s.n > 1 ? `${f3(s.mean)} ± ${f3(s.std)}` : f3(s.mean));
const interval = (i: Interval): string => `${f3(i.estimate)} [${f3(i.low)}, ${f3(i.high)}]`;

function field<T>(report: Record<string, unknown>, path: string): T {
  let value: unknown = report;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || !(key in value)) throw new Error(`demo: report.json has no field "${path}"`);
    value = (value as Record<string, unknown>)[key];
  }
  return value as T;
}

const APPS: AppDemo[] = [
  {
    app: 'credit',
    title: 'credit (German Credit, 5 folds x 1 seed)',
    config: 'apps/credit/configs/german-credit-quick.yaml',
    rows(report) {
      const auc = field<Spread>(report, 'overall.roc_auc');
      const ks = field<Spread>(report, 'overall.ks');
      const cost = field<Spread>(report, 'overall.cost');
      const lr = field<Array<{ roc_auc: number; ks: number; cost: number }>>(report, 'baselines.models.logistic_regression.folds');
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      return [
        { task: 'credit', system: 'finmm tabular MLP (quick)', metrics: `ROC-AUC ${spread(auc)}, KS ${f3(ks.mean)}, cost ${f3(cost.mean)}` },
        {
          task: 'credit',
          system: 'logistic regression, same folds',
          metrics: `ROC-AUC ${f3(mean(lr.map((x) => x.roc_auc)))}, KS ${f3(mean(lr.map((x) => x.ks)))}, cost ${f3(mean(lr.map((x) => x.cost)))}`,
        },
      ];
    },
  },
  {
    app: 'sentiment',
    title: 'sentiment (Financial PhraseBank, FinBERT split)',
    config: 'apps/sentiment/configs/phrasebank-quick.yaml',
    rows(report) {
      const accuracy = field<Spread>(report, 'test.accuracy');
      const macroF1 = field<Spread>(report, 'test.macroF1');
      const references = field<Array<{ name: string; accuracy: number; macroF1: number }>>(report, 'references');
      return [
        { task: 'sentiment', system: 'finmm TF-IDF branch as logistic regression (quick)', metrics: `accuracy ${spread(accuracy)}, macro-F1 ${spread(macroF1)}` },
        ...references.map((r) => ({ task: 'sentiment', system: r.name, metrics: `accuracy ${f3(r.accuracy)}, macro-F1 ${f3(r.macroF1)}` })),
      ];
    },
  },
  {
    app: 'stock',
    title: 'stock (StockNet, official split)',
    config: 'apps/stock/configs/stocknet-quick.yaml',
    rows(report) {
      const seeds = field<Array<{ test: { bootstrap: { metrics: Record<string, { accuracy: Interval; mcc: Interval }> } } }>>(report, 'seeds');
      const model = seeds[0]?.test.bootstrap.metrics['model'];
      if (model === undefined) throw new Error('demo: the stock report has no seed');
      const baselines = field<Record<string, { accuracy: Interval; mcc: Interval }>>(report, 'baselines');
      const published = field<Array<{ name: string; accuracy: number; mcc: number }>>(report, 'published');
      const names: Record<string, string> = { market_rule: "market rule: yesterday's average move", majority: 'majority class' };
      return [
        { task: 'stock', system: 'finmm tweets+prices+chart+market (quick)', metrics: `accuracy ${interval(model.accuracy)}, MCC ${interval(model.mcc)}` },
        ...Object.entries(baselines).map(([key, b]) => ({ task: 'stock', system: names[key] ?? key, metrics: `accuracy ${interval(b.accuracy)}, MCC ${f3(b.mcc.estimate)}` })),
        ...published.map((p) => ({ task: 'stock', system: p.name, metrics: `accuracy ${f3(p.accuracy)}, MCC ${f3(p.mcc)}` })),
      ];
    },
  },
];

/** The newest report.json under `dir` (the run directory the app just wrote). */
function newestReport(dir: string): string {
  const runs = readdirSync(dir)
    .map((name) => join(dir, name, 'report.json'))
    .filter((file) => {
      try {
        return statSync(file).isFile();
      } catch {
        return false;
      }
    })
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (runs[0] === undefined) throw new Error(`demo: no report.json under ${dir}`);
  return runs[0];
}

function oneTrainingStep(): void {
  console.log('\n== one training step of a small model (embedding bag -> dense -> softmax, Adam)');
  assertCanTrainEmbeddings('the demo model');
  const batch = 32;
  const tokens = 16;
  const vocab = 1000;
  const dim = 32;
  const classes = 3;
  const ids = tf.randomUniform([batch, tokens], 0, vocab, 'int32');
  const labels = tf.tidy(() => tf.oneHot(tf.cast(tf.mod(tf.sum(ids, 1), classes), 'int32'), classes));
  const table = tf.variable(tf.randomNormal([vocab, dim], 0, 0.1, 'float32', 1), true, 'embedding');
  const w = tf.variable(tf.randomNormal([dim, classes], 0, 0.1, 'float32', 2), true, 'dense.w');
  const b = tf.variable(tf.zeros([classes]), true, 'dense.b');
  const optimizer = tf.train.adam(1e-2);
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      const embedded = tf.reshape(tf.gather(table, tf.reshape(ids, [-1])), [batch, tokens, dim]); // [B, T, D]
      const pooled = tf.mean(embedded, 1); // [B, D]
      const logits = tf.add(tf.matMul(pooled, w), b); // [B, C]
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    });
  const start = performance.now();
  const before = optimizer.minimize(loss, true, [table, w, b]);
  const ms = performance.now() - start;
  const after = loss();
  console.log(`backend ${tf.getBackend()}: loss ${before?.dataSync()[0]?.toFixed(4)} -> ${after.dataSync()[0]?.toFixed(4)} after one step (${ms.toFixed(1)} ms)`);
  tf.dispose([ids, labels, table, w, b, after, ...(before === null ? [] : [before])]);
  optimizer.dispose();
}

async function main(): Promise<void> {
  const started = Date.now();
  const report = await runDoctor();
  console.log('== finmm doctor');
  for (const line of report.lines) console.log(line);
  if (!report.ok) {
    console.error('demo: the native backend is missing (see above)');
    process.exit(1);
  }
  oneTrainingStep();

  const runsRoot = join('runs', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const rows: Row[] = [];
  const timings: string[] = [];
  for (const app of APPS) {
    console.log(`\n== ${app.title}: ${app.config}`);
    const appStart = Date.now();
    const child = spawnSync(process.execPath, ['tools/run-ts.mjs', `apps/${app.app}/src/main.ts`, 'train', '--config', app.config, '--runs', runsRoot, '--set', 'progress=lines'], {
      stdio: 'inherit',
    });
    if (child.status !== 0) {
      console.error(`demo: the ${app.app} app failed (exit ${child.status ?? child.signal})`);
      process.exit(1);
    }
    const file = newestReport(join(runsRoot, app.app));
    rows.push(...app.rows(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>));
    timings.push(`${app.app} ${((Date.now() - appStart) / 1000).toFixed(0)} s`);
  }

  console.log('\n== held-out test metrics of the quick settings, beside the baselines');
  const widths = [Math.max(...rows.map((r) => r.task.length)), Math.max(...rows.map((r) => r.system.length))];
  for (const r of rows) console.log(`${r.task.padEnd(widths[0] ?? 0)}  ${r.system.padEnd(widths[1] ?? 0)}  ${r.metrics}`);
  console.log(`\nrun directories: ${runsRoot}/ (${timings.join(', ')}); demo finished in ${((Date.now() - started) / 60000).toFixed(1)} min`);
}

await main();
