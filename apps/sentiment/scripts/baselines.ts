// Measures the TF-IDF + logistic regression baselines on PhraseBank's FinBERT split with scikit-learn, in the
// reference Python venv: `node tools/run-ts.mjs apps/sentiment/scripts/baselines.ts`. Writes
// apps/sentiment/baselines/phrasebank.json, which every full-split run's summary.md shows beside its own results.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensurePythonVenv, repoRoot } from '../../../tools/python/python-env.js';

const python = ensurePythonVenv({ verbose: true });
const result = spawnSync(python, [join(repoRoot, 'tools', 'python', 'sentiment_baselines.py'), ...process.argv.slice(2)], { cwd: repoRoot, stdio: 'inherit' });
if (result.error !== undefined) {
  console.error(`baselines: cannot run ${python}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
