// The `finmm` command line: `finmm doctor` checks the installation.
import { Command } from 'commander';
import { runDoctor } from './doctor.js';

/** Builds the `finmm` command with its subcommands. */
export function finmmCommand(): Command {
  const program = new Command('finmm').description('finmm: multimodal deep learning on financial data');
  program
    .command('doctor')
    .description('print the TensorFlow backend, GPU, threads and the datasets found; exit 1 without the native backend')
    .action(async () => {
      const report = await runDoctor();
      for (const line of report.lines) console.log(line);
      if (!report.ok) process.exitCode = 1;
    });
  return program;
}

await finmmCommand().parseAsync(process.argv);
