// The command-line skeleton every finmm app shares (commander): `train --config C [--set key=value ...]`,
// `evaluate --model DIR --split S`, `predict --model DIR --input F --output F`, `--help` everywhere, a one-line
// error and a non-zero exit on failure (the stack trace only with FINMM_DEBUG=1).
import { Command, CommanderError, Option } from 'commander';
import { debugEnabled, oneLineMessage } from './errors.js';

/** Options of `train`. */
export interface TrainCommandOptions {
  config: string;
  /** `key=value` overrides, in order. */
  set: string[];
  /** Root folder of run directories (default `runs`, or FINMM_RUNS_DIR). */
  runs?: string;
}

/** Options of `evaluate`. */
export interface EvaluateCommandOptions {
  model: string;
  split: string;
  runs?: string;
}

/** Options of `predict`. */
export interface PredictCommandOptions {
  model: string;
  input: string;
  output: string;
}

/** What an app plugs into the skeleton. */
export interface AppDefinition {
  /** Program name shown in usage, e.g. `credit`. */
  name: string;
  description: string;
  /** The splits `evaluate --split` accepts; the first is the default. */
  splits: readonly string[];
  /** Extra help text after the options of `train` (e.g. config examples). */
  trainHelp?: string;
  train(options: TrainCommandOptions): Promise<void>;
  evaluate(options: EvaluateCommandOptions): Promise<void>;
  predict(options: PredictCommandOptions): Promise<void>;
  /** Adds app-specific commands. */
  extend?(program: Command): void;
}

/** Where the CLI writes; tests capture it. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: CliOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Builds the commander program of an app; run it with `runAppCli`. */
export function createAppCli(app: AppDefinition, output: CliOutput = processOutput): Command {
  const program = new Command(app.name)
    .description(app.description)
    .configureOutput({ writeOut: output.out, writeErr: output.err })
    .exitOverride()
    .showSuggestionAfterError(true);

  program
    .command('train')
    .description('train from a config file; writes a run directory with the resolved config, data fingerprint, seeds, metrics, reports and models')
    .requiredOption('-c, --config <file>', 'config file (YAML or JSON)')
    .option('-s, --set <key=value>', 'override a config field by its dotted key, e.g. --set trainer.epochs=3 (repeatable)', collect, [])
    .option('--runs <dir>', 'root folder of run directories (default: runs, or FINMM_RUNS_DIR)')
    .addHelpText('after', app.trainHelp ?? '')
    .action(async (options: TrainCommandOptions) => app.train(options));

  program
    .command('evaluate')
    .description('evaluate a saved model directory on a split of the data it was trained from')
    .requiredOption('-m, --model <dir>', 'model directory')
    .addOption(new Option('--split <split>', 'which rows to evaluate').choices([...app.splits]).default(app.splits[0]))
    .option('--runs <dir>', 'root folder of run directories (default: runs, or FINMM_RUNS_DIR)')
    .action(async (options: EvaluateCommandOptions) => app.evaluate(options));

  program
    .command('predict')
    .description('predict every record of a .jsonl or .csv file: one JSON line per record, an error line for a bad one')
    .requiredOption('-m, --model <dir>', 'model directory')
    .requiredOption('-i, --input <file>', 'input records (.jsonl, .ndjson or .csv with a header)')
    .requiredOption('-o, --output <file>', 'output JSON lines')
    .action(async (options: PredictCommandOptions) => app.predict(options));

  app.extend?.(program);
  for (const command of program.commands) command.exitOverride().configureOutput({ writeOut: output.out, writeErr: output.err });
  return program;
}

/**
 * Runs the program on `argv` (user arguments, without node and the script) and returns the exit code: 0 on
 * success or help, 1 on failure after one line `<app>: error: <message>` on stderr (plus the stack when FINMM_DEBUG=1).
 */
export async function runAppCli(program: Command, argv: readonly string[] = process.argv.slice(2), output: CliOutput = processOutput): Promise<number> {
  if (argv.length === 0) {
    output.err(program.helpInformation());
    return 1;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has printed its own one-line message (or the help)
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version' ? 0 : error.exitCode || 1;
    }
    output.err(`${program.name()}: error: ${oneLineMessage(error)}\n`);
    if (debugEnabled() && error instanceof Error && error.stack !== undefined) output.err(`${error.stack}\n`);
    return 1;
  }
}
