// The stock app's command line, on the shared app kit of @finmm/finance-tasks.
import { createAppCli, type CliOutput } from '@finmm/finance-tasks';
import type { Command } from 'commander';
import { EVALUATE_SPLITS, evaluateStock } from './evaluate.js';
import { predictStock } from './predict.js';
import { trainStock } from './train.js';

const TRAIN_HELP = `
Examples:
  stock train --config apps/stock/configs/stocknet.yaml
  stock train --config apps/stock/configs/stocknet-quick.yaml                 (the demo: 20 tickers, about 3-4 minutes)
  stock train --config apps/stock/configs/stocknet.yaml --set seeds=[1,2,3] --set inputs.chart=null
  stock train --config apps/stock/configs/stocknet.yaml --set trainer.adversarial.method=fgm --set trainer.adversarial.eps=0.05 --set trainer.adversarial.beta=0.01
  stock evaluate --model runs/stock/<run>/seeds/seed1/model --split test
  stock predict --model runs/stock/<run>/seeds/seed1/model --input targets.jsonl --output predictions.jsonl
    (one {"ticker": "AAPL", "date": "2015-10-05"} a line; optional "tweets": ["message", ...], newest first)`;

/** The commander program of the stock app. */
export function stockCli(output?: CliOutput): Command {
  return createAppCli(
    {
      name: 'stock',
      description: 'Next-day stock movement (StockNet or your own price CSVs): tweets, price features, candlestick charts and the market context, fused; evaluated with day-clustered bootstrap intervals beside the market rule.',
      splits: EVALUATE_SPLITS,
      trainHelp: TRAIN_HELP,
      train: async (options) => {
        await trainStock(options);
      },
      evaluate: async (options) => {
        await evaluateStock(options);
      },
      predict: async (options) => {
        await predictStock(options);
      },
    },
    output,
  );
}
