// Entry point: `node tools/run-ts.mjs apps/stock/src/main.ts <train|evaluate|predict> [options]` (`--help` for usage).
import './register.js';
import { runAppCli } from '@finmm/finance-tasks';
import { stockCli } from './cli.js';

// The commands initialise the TensorFlow.js backend themselves, after checking their inputs.
process.exitCode = await runAppCli(stockCli(), process.argv.slice(2));
