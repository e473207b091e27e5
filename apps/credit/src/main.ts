// Entry point: `node tools/run-ts.mjs apps/credit/src/main.ts <train|evaluate|predict> [options]` (`--help` for usage).
import './register.js';
import { runAppCli } from '@finmm/finance-tasks';
import { creditCli } from './cli.js';

// The commands initialise the TensorFlow.js backend themselves, after checking their inputs.
process.exitCode = await runAppCli(creditCli(), process.argv.slice(2));
