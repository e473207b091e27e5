#!/usr/bin/env node
// Launches the finmm CLI: from compiled dist when installed from npm, from the TypeScript sources in the monorepo.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/cli/finmm.ts', import.meta.url));
if (existsSync(source)) {
  const args = ['--conditions=@finmm/source', '--import', 'tsx', source, ...process.argv.slice(2)];
  const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
  process.exit(result.status ?? 1);
} else {
  await import('../dist/cli/finmm.js');
}
