// The fused model of a stock config: one encoder per used input (tweets -> text, prices -> timeseries, chart ->
// image, market -> tabular), the fusion and a binary head for the movement task.
import type { BuildContext, JsonValue, Modality } from '@finmm/core';
import { STOCKNET_CLASSES } from '@finmm/finance-tasks';
import { buildModel, type FusedModel } from '@finmm/fusion';
import './register.js';
import type { InputName, StockConfig } from './config.js';
import { MOVEMENT_TASK, type StockInputs } from './inputs.js';

/** The modality each input feeds. */
export const INPUT_MODALITY: Readonly<Record<InputName, Modality>> = { tweets: 'text', prices: 'timeseries', chart: 'image', market: 'tabular' };

/** The fused-model config of a stock config (chart size filled into the image encoder). */
export function stockModelConfig(config: Pick<StockConfig, 'inputs' | 'model'>, seed: number): JsonValue {
  const { tweets, prices, chart, market } = config.inputs;
  const encoders: Record<string, JsonValue> = {};
  if (tweets !== null && tweets !== undefined) encoders['text'] = tweets.encoder as JsonValue;
  if (prices !== null && prices !== undefined) encoders['timeseries'] = prices.encoder as JsonValue;
  if (chart !== null && chart !== undefined) encoders['image'] = { ...(chart.encoder as Record<string, JsonValue>), days: chart.days, height: chart.height, width: 3 * chart.days };
  if (market !== null && market !== undefined) encoders['tabular'] = market.encoder as JsonValue;
  return {
    seed,
    encoders,
    fusion: config.model.fusion as JsonValue,
    modalityDropout: config.model.modalityDropout,
    tasks: [{ name: MOVEMENT_TASK, kind: 'binary', classes: [...STOCKNET_CLASSES], loss: { type: 'loss/bce' }, head: config.model.head as JsonValue }],
  };
}

/** Builds the model for the inputs' sizes (vocabulary, price features, market features). */
export function buildStockModel(config: Pick<StockConfig, 'inputs' | 'model'>, seed: number, inputs: StockInputs): FusedModel {
  const context: Partial<Record<Modality, BuildContext>> = { image: { imageChannels: 1 } };
  if (inputs.vocabSize !== null) context.text = { vocabSize: inputs.vocabSize };
  if (inputs.priceFeatures !== null) context.timeseries = { features: inputs.priceFeatures.length };
  if (inputs.marketFeatures !== null) context.tabular = { numericFeatures: inputs.marketFeatures.length, cardinalities: [] };
  return buildModel(stockModelConfig(config, seed), { encoders: context });
}
