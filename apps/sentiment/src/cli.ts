// The sentiment app's command line, on the shared app kit of @finmm/finance-tasks: train (with --seeds),
// evaluate, predict, pretrain (MLM pretraining of the transformer branch) and ensemble (late fusion of trained models).
import { createAppCli, UsageError, type CliOutput, type TrainCommandOptions } from '@finmm/finance-tasks';
import type { Command } from 'commander';
import { ENSEMBLE_WEIGHTINGS, ensembleSentiment, type EnsembleCommandOptions } from './ensemble.js';
import { EVALUATE_SPLITS, evaluateSentiment } from './evaluate.js';
import { predictSentiment } from './predict.js';
import { pretrainSentiment, type PretrainCommandOptions } from './pretrain.js';
import { trainSentiment } from './train.js';

const TRAIN_HELP = `
Examples:
  sentiment train --config apps/sentiment/configs/phrasebank-quick.yaml
  sentiment train --config apps/sentiment/configs/phrasebank-ngram.yaml --seeds 1,2,3
  sentiment train --config apps/sentiment/configs/phrasebank.yaml --set trainer.epochs=5 --set model.combine=gated
  sentiment train --config my-data.yaml --set data.path=reviews.csv --set data.text=review --set data.label=stars
  sentiment evaluate --model runs/sentiment/<run>/fits/seed1/model --split test
  sentiment predict --model runs/sentiment/<run>/fits/seed1/model --input sentences.jsonl --output predictions.jsonl
  sentiment pretrain --config apps/sentiment/configs/pretrain-mlm.yaml
  sentiment ensemble --model runs/sentiment/<run A>/fits/seed1/model --model runs/sentiment/<run B>/fits/seed1/model --output runs/sentiment/ensemble-seed1`;

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `--seeds 1,2,3` as the override `seeds=[1,2,3]`; anything but comma-separated integers is a UsageError. */
export function seedsOverride(text: string): string {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => !/^-?\d+$/.test(p))) throw new UsageError(`--seeds expects comma-separated integers, e.g. --seeds 1,2,3; got "${text}"`);
  return `seeds=[${parts.join(',')}]`;
}

/** The commander program of the sentiment app. */
export function sentimentCli(output?: CliOutput): Command {
  return createAppCli(
    {
      name: 'sentiment',
      description: 'Financial sentiment analysis (Financial PhraseBank or your own labelled texts): training over seeds, evaluation, predictions, MLM pretraining, ensembles.',
      splits: EVALUATE_SPLITS,
      trainHelp: TRAIN_HELP,
      train: async (options) => {
        const { seeds, ...rest } = options as TrainCommandOptions & { seeds?: string };
        await trainSentiment(seeds === undefined ? rest : { ...rest, set: [...rest.set, seedsOverride(seeds)] });
      },
      evaluate: async (options) => {
        await evaluateSentiment(options);
      },
      predict: async (options) => {
        await predictSentiment(options);
      },
      extend: (program) => {
        program.commands.find((c) => c.name() === 'train')?.option('--seeds <list>', 'train one model per seed and report mean ± std, e.g. --seeds 1,2,3 (same as --set seeds=[1,2,3])');
        program
          .command('pretrain')
          .description('MLM-pretrain the transformer branch on StockNet tweets + PhraseBank training sentences; writes a Hugging Face directory for model.transformer.pretrained')
          .requiredOption('-c, --config <file>', 'pretraining config file (YAML or JSON)')
          .option('-s, --set <key=value>', 'override a config field by its dotted key, e.g. --set maxMinutes=5 (repeatable)', collect, [])
          .option('--runs <dir>', 'root folder of run directories (default: runs, or FINMM_RUNS_DIR)')
          .addHelpText('after', '\nExample:\n  sentiment pretrain --config apps/sentiment/configs/pretrain-mlm.yaml --set maxMinutes=5')
          .action(async (options: PretrainCommandOptions) => {
            await pretrainSentiment(options);
          });
        program
          .command('ensemble')
          .description('late fusion of trained models of the same data and split: a weighted mean of their class probabilities, weights chosen on the validation rows; evaluate and predict take the new directory like a model')
          .requiredOption('-m, --model <dir>', 'a member model directory (repeat, at least 2)', collect, [])
          .requiredOption('-o, --output <dir>', 'the new ensemble directory (must not exist); the members are copied into it')
          .option('-w, --weights <how>', `${ENSEMBLE_WEIGHTINGS.join(' or ')}: equal weights, or greedy selection with replacement on validation log loss (Caruana et al. 2004)`, 'equal')
          .option('--rounds <n>', 'greedy selection rounds (the weights are multiples of 1/n)', '25')
          .addHelpText('after', '\nExample:\n  sentiment ensemble --model runs/sentiment/<run A>/fits/seed1/model --model runs/sentiment/<run B>/fits/seed1/model --output runs/sentiment/ensemble-seed1\n  sentiment evaluate --model runs/sentiment/ensemble-seed1 --split test')
          .action(async (options: EnsembleCommandOptions) => {
            await ensembleSentiment(options);
          });
      },
    },
    output,
  );
}
