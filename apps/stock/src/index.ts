/** Stock movement prediction app (StockNet or your own price CSVs): tweets, price features, charts and market context, fused. */
import './register.js';

export { stockCli } from './cli.js';
export { INPUT_NAMES, loadStockConfig, parseStockConfig, stockConfigSchema, usedInputs, type InputName, type StockConfig } from './config.js';
export { loadPriceData, loadStockData, splitRows, tweetFolderFingerprint, type StockData, type StockSamples } from './data.js';
export { evaluateStock, EVALUATE_SPLITS, type EvaluateOutcome } from './evaluate.js';
export { evaluateSplit, MAJORITY, MARKET_RULE, MODEL, PUBLISHED, type SplitEvaluation } from './evaluation.js';
export { MOVEMENT_TASK, PriceContext, StockInputs, type StockPreprocessing, type TargetPresence, type Targets } from './inputs.js';
export { buildStockModel, INPUT_MODALITY, stockModelConfig } from './model.js';
export { loadStockModel, readStockInfo, saveStockModel, STOCK_INFO_FILE, type StockModel, type StockModelInfo } from './model-dir.js';
export { MAX_PRICE_GAP_DAYS, predictStock, type PredictionLine, type PredictOutcome } from './predict.js';
export { marketOf, pricesByTicker, type PriceHistory } from './prices.js';
export { sampleInputs, trainCommandLine, trainStock, type TrainOutcome } from './train.js';
export { TweetIds, tweetWords, type TweetIdsConfig } from './tweet-ids.js';
