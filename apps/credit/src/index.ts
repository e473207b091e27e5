/** Credit scoring app (German Credit or your own table): training, evaluation and predictions with reason codes. */
import './register.js';

export { creditCli } from './cli.js';
export { creditConfigSchema, loadCreditConfig, parseCreditConfig, type CreditConfig } from './config.js';
export { loadCreditData, type CreditData } from './data.js';
export { evaluateCredit, EVALUATE_SPLITS, type EvaluateOutcome } from './evaluate.js';
export { CREDIT_TASK, LABEL_COLUMN, recordValues, type FeatureSpec } from './features.js';
export { creditModels, disposeCreditModel, loadCreditModel, saveCreditModel, CREDIT_INFO_FILE, type CreditMember, type CreditModel, type CreditModelInfo } from './model-dir.js';
export { predictCredit, predictValues, type PredictionLine, type PredictOutcome } from './predict.js';
export { attributeContributions, topReasons, type ExplainedMember, type Reason } from './reasons.js';
export { combineLogits, positiveProbability, scoreRows } from './scoring.js';
export { trainCredit, trainCommandLine, type TrainOutcome } from './train.js';
