/** Financial sentiment analysis app (Financial PhraseBank or your own labelled texts): training, evaluation, predictions, MLM pretraining. */
import './register.js';

export { sentimentCli, seedsOverride } from './cli.js';
export { loadSentimentConfig, parseSentimentConfig, sentimentConfigSchema, type SentimentConfig, type SentimentDataConfig, type SentimentModelConfig } from './config.js';
export { classCounts, loadSentimentData, SPLIT_NAMES, type SentimentData, type SplitName } from './data.js';
export { QUICK_CONFIG, runSentimentDemo, type SentimentDemoResult } from './demo.js';
export { checkCompatibleMembers, combineProbabilities, ENSEMBLE_FILE, ENSEMBLE_WEIGHTINGS, ensembleInfoSchema, ensembleSentiment, greedyWeights, isSentimentEnsemble, readEnsembleInfo, type EnsembleCommandOptions, type EnsembleOutcome, type EnsembleWeighting, type SentimentEnsembleInfo } from './ensemble.js';
export { evaluateSentiment, EVALUATE_SPLITS, type EvaluateOutcome } from './evaluate.js';
export { DualTextEncoder, DUAL_TEXT_TYPE, dualTextRegistration, type DualTextOptions } from './model/dual-encoder.js';
export { isTfidfTextInput, TfidfPlusEncoder, TFIDF_PLUS_TYPE, tfidfPlusRegistration } from './model/tfidf-plus.js';
export type { TfidfTextInput } from './collator.js';
export { SentimentModel, textParameterGroups } from './model/sentiment-model.js';
export { buildSentimentModel, prepareText, SENTIMENT_TASK, sentimentModelConfig, tfidfSpec, type PreparedText } from './model/build.js';
export { loadSentimentModel, readSentimentInfo, saveSentimentModel, SENTIMENT_INFO_FILE, TFIDF_FILE, type LoadedSentimentModel, type SentimentModelInfo } from './model-dir.js';
export { loadSentimentPredictor, predictEncoded, readPredictorInfo, type SentimentPredictor } from './predictor.js';
export { predictSentiment, predictTexts, recordText, type PredictionLine, type PredictOutcome } from './predict.js';
export { loadPretrainConfig, pretrainSentiment, type PretrainConfig, type PretrainOutcome } from './pretrain.js';
export { meanLogLoss, sentimentReport, sentimentReportMarkdown, type SentimentReport } from './report.js';
export { hashCharNgrams, SentimentFeaturizer, type CharNgramSpec, type NgramSpec, type TextFeatureSpec } from './text-features.js';
export { trainSentiment, trainCommandLine, type TrainOutcome } from './train.js';
