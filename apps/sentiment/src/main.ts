// Entry point: `node tools/run-ts.mjs apps/sentiment/src/main.ts <train|evaluate|predict|pretrain> [options]` (`--help` for usage).
import './register.js';
import { runAppCli } from '@finmm/finance-tasks';
import { sentimentCli } from './cli.js';

// The commands initialise the TensorFlow.js backend themselves, after checking their inputs.
process.exitCode = await runAppCli(sentimentCli(), process.argv.slice(2));
