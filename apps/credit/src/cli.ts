// The credit app's command line, on the shared app kit of @finmm/finance-tasks.
import { createAppCli, type CliOutput } from '@finmm/finance-tasks';
import type { Command } from 'commander';
import { EVALUATE_SPLITS, evaluateCredit } from './evaluate.js';
import { predictCredit } from './predict.js';
import { trainCredit } from './train.js';

const TRAIN_HELP = `
Examples:
  credit train --config apps/credit/configs/german-credit.yaml
  credit train --config apps/credit/configs/german-credit-quick.yaml --set seeds=[0,1] --set trainer.epochs=50
  credit train --config apps/credit/configs/german-credit.yaml --set cv=false     (one model per seed on all rows)
  credit evaluate --model runs/credit/<run>/fits/fold0-seed0/model --split test
  credit predict --model runs/credit/<run>/fits/fold0-seed0/model --input applicants.jsonl --output scored.jsonl`;

/** The commander program of the credit app. */
export function creditCli(output?: CliOutput): Command {
  return createAppCli(
    {
      name: 'credit',
      description: 'Credit scoring (German Credit or your own table): cross-validated training, evaluation, and predictions with reason codes.',
      splits: EVALUATE_SPLITS,
      trainHelp: TRAIN_HELP,
      train: async (options) => {
        await trainCredit(options);
      },
      evaluate: async (options) => {
        await evaluateCredit(options);
      },
      predict: async (options) => {
        await predictCredit(options);
      },
    },
    output,
  );
}
