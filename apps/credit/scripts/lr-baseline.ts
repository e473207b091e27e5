// Measures the classical baselines (logistic regression, histogram gradient boosting) on German Credit's 5 folds
// with scikit-learn, in the reference Python venv: `node tools/run-ts.mjs apps/credit/scripts/lr-baseline.ts`.
// Writes apps/credit/baselines/german-credit.json, which every German Credit run's summary.md shows beside its own results.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensurePythonVenv, repoRoot } from '../../../tools/python/python-env.js';

const python = ensurePythonVenv({ verbose: true });
const result = spawnSync(python, [join(repoRoot, 'tools', 'python', 'credit_baseline.py'), ...process.argv.slice(2)], { cwd: repoRoot, stdio: 'inherit' });
if (result.error !== undefined) {
  console.error(`lr-baseline: cannot run ${python}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
