/** @finmm/finance-tasks: loaders and task definitions for Financial PhraseBank, StockNet and German Credit. */
export { loadPhraseBank, phraseBankSchema, PHRASEBANK_AGREEMENTS } from './phrasebank/load-phrasebank.js';
export type { PhraseBankAgreement, PhraseBankDataset, PhraseBankOptions } from './phrasebank/load-phrasebank.js';
export { PHRASEBANK_CLASSES, parsePhraseBankText } from './phrasebank/sentences.js';
export { readFinbertSplit, SPLIT_PARTS } from './phrasebank/finbert-split.js';
export type { SplitPart } from './phrasebank/finbert-split.js';

export { loadStockNet } from './stocknet/load-stocknet.js';
export type { StockNetDataset, StockNetOptions } from './stocknet/load-stocknet.js';
export { loadStockNetPrices } from './stocknet/load-prices.js';
export type { StockNetPrices, StockNetPricesOptions } from './stocknet/load-prices.js';
export { OHLCV_FIELDS } from './stocknet/raw-prices.js';
export type { YahooNullDay } from './stocknet/raw-prices.js';
export { stockNetSchema } from './stocknet/samples-table.js';
export {
  STOCKNET_CLASSES,
  STOCKNET_MOVEMENT_RULE,
  STOCKNET_PRICE_FEATURES,
  STOCKNET_SPLITS,
  STOCKNET_WINDOW,
  stockNetLabel,
  stockNetSplitOf,
} from './stocknet/task.js';
export type { StockNetSplit } from './stocknet/task.js';
export { dailyCloses, marketContextBefore, marketContextNames, marketRulePredictions, marketSeries } from './stocknet/market-context.js';
export type { DailyClose, MarketContext, MarketSeries, MarketSeriesOptions } from './stocknet/market-context.js';
export { accuracyOf, confusionOf, dayBootstrap, mccOf, quantileSorted } from './stocknet/day-bootstrap.js';
export type { BootstrapInterval, Confusion, DayBootstrapInput, DayBootstrapOptions, DayBootstrapResult, MetricIntervals } from './stocknet/day-bootstrap.js';
export { checkDateSplits, labelOfMovement, loadPriceFolder, readPriceFolder, splitOfDate } from './stocknet/price-folder.js';
export type { DateSplit, MovementRule, PriceFolderDataset, PriceFolderOptions } from './stocknet/price-folder.js';
export { isoOfEpochDay, readTweetWindow } from './stocknet/tweet-window.js';
export type { TweetWindowOptions } from './stocknet/tweet-window.js';
export type { TweetDay } from './stocknet/samples.js';

export { loadGermanCredit, germanCreditSchema } from './german/load-german.js';
export type { GermanCreditDataset, GermanCreditOptions } from './german/load-german.js';
export { GERMAN_ATTRIBUTES, GERMAN_CLASSES } from './german/attributes.js';
export type { GermanAttribute } from './german/attributes.js';
export { GERMAN_COST_MATRIX, GERMAN_COST_THRESHOLD, germanCreditCost } from './german/cost.js';
export { GERMAN_FOLDS, readGermanFolds } from './german/folds.js';
export * from './app/index.js';
export * from './corpus/index.js';
