#!/usr/bin/env node
// Runs a TypeScript file of this monorepo with workspace packages resolved to their sources:
// `node tools/run-ts.mjs FILE.ts [args...]`.
import { spawnSync } from 'node:child_process';

const [file, ...args] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node tools/run-ts.mjs FILE.ts [args...]');
  process.exit(2);
}
// TensorFlow's C++ info lines (oneDNN, CPU features) are noise for users; warnings and errors still show.
const env = { TF_CPP_MIN_LOG_LEVEL: '2', ...process.env };
const result = spawnSync(process.execPath, ['--conditions=@finmm/source', '--import', 'tsx', file, ...args], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
