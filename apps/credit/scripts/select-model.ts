// Model selection on validation rows only: for every (seed, fold) of the German Credit protocol it makes the same
// inner split of the 4 training folds as `train` (80% inner-train, 20% validation), trains candidate members on
// inner-train with early stopping on the validation loss, and scores the validation rows. Ensembles are formed
// from the cached members' validation logits (mean logit). The held-out fold is never read: only plan.trainRows
// is used. Run:
//   node tools/run-ts.mjs apps/credit/scripts/select-model.ts --kinds lin,mlp --size 3 --seeds 0,1,2 --out /tmp/select.json
// Results are appended to --out as they come (a rerun skips members already there), then a table is printed.
import { existsSync, readFileSync } from 'node:fs';
import { initBackend, writeFileAtomic } from '@finmm/core';
import { rocAuc } from '@finmm/trainer';
import { loadCreditConfig, type CreditConfig } from '../src/config.js';
import { loadCreditData } from '../src/data.js';
import { MEMBER_SEED_STRIDE, memberTrainer, prepareRows, trainMember, type MemberPlan } from '../src/fit.js';
import { innerSplit, planFits } from '../src/plan.js';
import { combineLogits, rowLogits } from '../src/scoring.js';

/** Candidate member kinds: a model section, trainer fields over the config's, batch size, bagging. */
const KINDS: Record<string, { model?: CreditConfig['model']; trainer?: Record<string, unknown>; batchSize?: number; bootstrap?: boolean }> = {
  /** The shipped single model (nearly linear). */
  lin: {},
  /** The same, bagged (bootstrap resample of inner-train). */
  'lin-bag': { bootstrap: true },
  /** An MLP with one hidden layer of 32 before the gated fusion. */
  mlp: {
    model: {
      encoder: { type: 'tabular/mlp', embeddingDim: 4, hidden: [32], outDim: 16 },
      fusion: { type: 'fusion/gated', dim: 16, hidden: [] },
      head: { type: 'head/linear' },
    },
  },
  /** A one-block FT-Transformer. */
  ft: {
    model: {
      encoder: { type: 'tabular/ft-transformer', dim: 16, layers: 1, heads: 2 },
      fusion: { type: 'fusion/gated', dim: 16, hidden: [] },
      head: { type: 'head/linear' },
    },
    trainer: { optimizer: { type: 'adamw', lr: 0.001, weightDecay: 0.1 } },
  },
  /**
   * A linear model trained the way logistic regression is fitted: linear layers, all inner-train rows in one batch,
   * Adam with an L2 penalty (1e-3) for a fixed 300 steps, no early stopping (as the sentiment app's
   * phrasebank-tfidf-lr.yaml); "linear-l2-strong" with L2 1e-2.
   */
  'linear-l2': linearL2(1e-3),
  'linear-l2-strong': linearL2(1e-2),
};

function linearL2(l2: number): (typeof KINDS)[string] {
  return {
    model: {
      encoder: { type: 'tabular/mlp', embeddingDim: 4, hidden: [], outDim: 16 },
      fusion: { type: 'fusion/concat', outDim: 16, hidden: [], activation: 'linear', dropout: 0 },
      head: { type: 'head/linear' },
    },
    trainer: { epochs: 300, optimizer: { type: 'adam', lr: 0.01, weightDecay: l2 }, earlyStopping: undefined },
    batchSize: 1000,
  };
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

interface Cached {
  key: string;
  kind: string;
  seed: number;
  fold: number;
  member: number;
  epochs: number;
  auc: number;
  logits: number[];
  labels: number[];
  seconds: number;
}

const configFile = arg('config', 'apps/credit/configs/german-credit.yaml');
const kinds = arg('kinds', 'lin').split(',');
const size = Number(arg('size', '1'));
const seeds = arg('seeds', '0').split(',').map(Number);
const out = arg('out', '/tmp/credit-select.json');
for (const k of kinds) if (KINDS[k] === undefined) throw new Error(`select-model: unknown kind "${k}"; expected one of ${Object.keys(KINDS).join(', ')}`);

const { config } = loadCreditConfig(configFile);
const data = await loadCreditData(config.data, config.costMatrix);
await initBackend();
const cache: Cached[] = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Cached[]) : [];
const have = new Set(cache.map((c) => c.key));

for (const plan of planFits(data, { cv: true, seeds })) {
  const fold = plan.fold as number;
  const inner = innerSplit(data.labels, plan.trainRows, config.validation, plan.seed); // plan.testRows is never read
  const prepared = prepareRows(config, data, inner.train);
  const labels = inner.valid.map((r) => data.labels[r] as number);
  for (const kind of kinds) {
    const spec = KINDS[kind] ?? {};
    for (let m = 0; m < size; m++) {
      const key = `${kind}/s${plan.seed}/f${fold}/m${m}`;
      if (have.has(key)) continue;
      const member: MemberPlan = {
        index: m,
        kind,
        seed: plan.seed + MEMBER_SEED_STRIDE * m,
        model: spec.model ?? config.model,
        trainer: { ...config.trainer, ...(spec.trainer ?? {}) },
        batchSize: spec.batchSize ?? config.batchSize,
        bootstrap: spec.bootstrap ?? false,
      };
      const started = Date.now();
      const trained = await trainMember(config, data, member, prepared, inner, { ...memberTrainer(member) } as never);
      const logits = await rowLogits(trained.model, prepared.source, inner.valid);
      const epochs = trained.result.epochs;
      trained.model.dispose();
      const entry: Cached = { key, kind, seed: plan.seed, fold, member: m, epochs, auc: rocAuc(labels, logits), logits, labels, seconds: (Date.now() - started) / 1000 };
      cache.push(entry);
      have.add(key);
      await writeFileAtomic(out, JSON.stringify(cache));
      console.log(`${key}: valid AUC ${entry.auc.toFixed(4)} (${epochs} epochs, ${entry.seconds.toFixed(1)} s)`);
    }
  }
}

// Ensembles from the cache: every kind alone with 1..size members, and equal-weight mixes of kinds.
const fits = [...new Set(cache.map((c) => `${c.seed}/${c.fold}`))];
const available = [...new Set(cache.map((c) => c.kind))];
function candidateAuc(parts: Array<{ kind: string; members: number }>): { mean: number; n: number } | null {
  const aucs: number[] = [];
  for (const fit of fits) {
    const [seed, fold] = fit.split('/').map(Number);
    const logits: number[][] = [];
    let labels: number[] = [];
    for (const part of parts) {
      for (let m = 0; m < part.members; m++) {
        const c = cache.find((x) => x.kind === part.kind && x.seed === seed && x.fold === fold && x.member === m);
        if (c === undefined) return null;
        logits.push(c.logits);
        labels = c.labels;
      }
    }
    aucs.push(rocAuc(labels, combineLogits(logits, 1)));
  }
  return { mean: aucs.reduce((a, b) => a + b, 0) / aucs.length, n: aucs.length };
}
const maxMembers = (kind: string): number => Math.max(...cache.filter((c) => c.kind === kind).map((c) => c.member)) + 1;
const rows: Array<[string, string]> = [];
const show = (name: string, parts: Array<{ kind: string; members: number }>): void => {
  const r = candidateAuc(parts);
  if (r !== null) rows.push([name, `${r.mean.toFixed(4)} (${r.n} validation sets)`]);
};
for (const kind of available) for (let m = 1; m <= maxMembers(kind); m++) show(`${kind} x${m}`, [{ kind, members: m }]);
for (let i = 0; i < available.length; i++) {
  for (let j = i + 1; j < available.length; j++) {
    const a = available[i] as string;
    const b = available[j] as string;
    const m = Math.min(maxMembers(a), maxMembers(b));
    show(`${a} x${m} + ${b} x${m}`, [{ kind: a, members: m }, { kind: b, members: m }]);
    show(`${a} x1 + ${b} x1`, [{ kind: a, members: 1 }, { kind: b, members: 1 }]);
  }
}
console.log('\n| candidate | mean validation ROC-AUC |\n|---|---|');
for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);
