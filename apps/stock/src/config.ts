// The stock app's config file: data (StockNet or a folder of price CSVs), the inputs (tweets, price features,
// chart image, market context) each with its encoder, fusion, trainer, seeds and the bootstrap settings.
// Read with `loadStockConfig(file, sets)`; every error names the file and the field.
import { appTrainerSection, configIssueMessage, applyOverrides, readConfigFile, STOCKNET_MOVEMENT_RULE, type ConfigObject } from '@finmm/finance-tasks';
import { FEATURE_KINDS } from '@finmm/encoders-timeseries';
import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');
const dateRange = z.strictObject({ from: isoDate, to: isoDate });
const component = z.looseObject({ type: z.string() });
const tickers = z.array(z.string().min(1)).min(1);

const stocknetData = z.strictObject({
  source: z.literal('stocknet'),
  /** Folder holding stocknet/ (default FINMM_DATA_DIR or ../shared/data). */
  dataDir: z.string().optional(),
  /** Only these tickers' samples (train, validate and test on them); the market context always uses every ticker. */
  tickers: tickers.optional(),
  /** Keep only samples with at least this many days of tweets (1 gives StockNet's 14,192 / 1,871 / 2,632). */
  minTweetDays: z.number().int().min(0).default(0),
});

const folderData = z.strictObject({
  source: z.literal('folder'),
  /** Folder of <TICKER>.csv files in Yahoo's layout (Date,Open,High,Low,Close,Adj Close,Volume), relative to the working directory. */
  prices: z.string().min(1),
  /** Folder of <TICKER>/<YYYY-MM-DD> tweet files in StockNet's layout; optional. */
  tweets: z.string().min(1).optional(),
  /** Target-date ranges, from <= d < to. */
  splits: z.strictObject({ train: dateRange, validation: dateRange, test: dateRange }),
  /** Movement thresholds (default StockNet's): dropped when dropFrom <= move < dropTo, up when move > upAbove. */
  rule: z.strictObject({ dropFrom: z.number(), dropTo: z.number(), upAbove: z.number() }).default({ ...STOCKNET_MOVEMENT_RULE }),
  tickers: tickers.optional(),
  /** Skip malformed price rows and tweet lines (counted in the run's data.json) instead of failing on the first. */
  lenient: z.boolean().default(false),
});

/** Tweets of the 5 calendar days before d, hashed into word and word n-gram ids. */
const tweetsInput = z.strictObject({
  encoder: component.default({ type: 'text/embedding-bag', dim: 32 }),
  /** Ids per sample (words first, then n-grams, message by message, newest day first). */
  maxTokens: z.number().int().positive().default(256),
  /** Hash buckets of words. */
  buckets: z.number().int().positive().default(32768),
  /** Longest word n-gram (1 = words only). */
  ngrams: z.number().int().min(1).max(3).default(2),
  /** Hash buckets of the n-grams. */
  ngramBuckets: z.number().int().positive().default(32768),
});

/** Price features of the trading days before d (returns, ranges, volume z-score, moving-average gaps, volatility). */
const pricesInput = z.strictObject({
  encoder: component.default({ type: 'timeseries/alstm', units: 16 }),
  days: z.number().int().positive().default(5),
  features: z.array(z.enum(FEATURE_KINDS)).min(1).default([...FEATURE_KINDS]),
});

/** A candlestick chart (Jiang-Kelly-Xiu style) of the trading days before d. */
const chartInput = z.strictObject({
  encoder: component.default({ type: 'vision/jkx-cnn', baseChannels: 4, blocks: 3, batchNorm: false, dropout: 0, outDim: 32 }),
  days: z.number().int().min(2).default(20),
  /** Image height; width is 3 x days. */
  height: z.number().int().min(7).default(32),
  movingAverage: z.boolean().default(true),
  volume: z.boolean().default(true),
});

/** The cross-sectional average move (and share of stocks up) of the last K market days before d. */
const marketInput = z.strictObject({
  encoder: component.default({ type: 'tabular/mlp', hidden: [16], outDim: 16 }),
  days: z.number().int().positive().default(5),
  minCoverage: z.number().min(0).max(1).default(0.5),
});

/** Schema of the stock config. */
export const stockConfigSchema = z.strictObject({
  /** Run name (the run directory is runs/stock/<timestamp>-<name>). */
  name: z.string().min(1).default('stock'),
  data: z.discriminatedUnion('source', [stocknetData, folderData]),
  /** The model's inputs; leave one out (or set it to null) to drop it. At least one. */
  inputs: z.strictObject({
    tweets: tweetsInput.nullable().optional(),
    prices: pricesInput.nullable().optional(),
    chart: chartInput.nullable().optional(),
    market: marketInput.nullable().optional(),
  }),
  model: z
    .strictObject({
      fusion: component.default({ type: 'fusion/concat', hidden: [], outDim: 32 }),
      head: component.default({ type: 'head/linear' }),
      /** Probability of dropping each present input of a training sample. */
      modalityDropout: z.number().min(0).lt(1).default(0),
    })
    .prefault({}),
  /** One model per seed (initial weights and batch order); each is evaluated on its own. */
  seeds: z.array(z.number().int()).min(1).default([1]),
  batchSize: z.number().int().positive().default(128),
  /** The trainer's config (epochs, optimizer, earlyStopping on the validation split, adversarial...); a null field is left out. */
  trainer: z.record(z.string(), z.unknown()).default({}),
  /** Day-clustered bootstrap of the test metrics. */
  bootstrap: z
    .strictObject({
      resamples: z.number().int().positive().default(2000),
      seed: z.number().int().default(0),
      level: z.number().gt(0).lt(1).default(0.95),
    })
    .prefault({}),
  progress: z.enum(['auto', 'bar', 'lines', 'none']).default('auto'),
});

/** A validated stock config. */
export type StockConfig = z.output<typeof stockConfigSchema>;
/** The data block of a stock config. */
export type StockDataConfig = StockConfig['data'];
/** The inputs block of a stock config. */
export type StockInputsConfig = StockConfig['inputs'];
/** The input names, in modality order (text, timeseries, image, tabular). */
export const INPUT_NAMES = ['tweets', 'prices', 'chart', 'market'] as const;
/** One input name. */
export type InputName = (typeof INPUT_NAMES)[number];

/** Validates a stock config object; `source` names it in errors. */
export function parseStockConfig(raw: unknown, source: string): StockConfig {
  const parsed = stockConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(configIssueMessage(parsed.error, source));
  const config = parsed.data;
  if (INPUT_NAMES.every((name) => config.inputs[name] === null || config.inputs[name] === undefined)) {
    throw new Error(`${source}: config field "inputs": give at least one of ${INPUT_NAMES.join(', ')}`);
  }
  const chart = config.inputs.chart;
  if (chart !== null && chart !== undefined) {
    for (const [field, want] of [['days', chart.days], ['height', chart.height], ['width', 3 * chart.days]] as const) {
      const given = chart.encoder[field];
      if (given !== undefined && given !== want) throw new Error(`${source}: config field "inputs.chart.encoder.${field}": ${String(given)} does not match the chart (${want}); leave it out`);
    }
  }
  if (config.data.source === 'folder') {
    const { train, validation, test } = config.data.splits;
    const ranges: Array<[string, { from: string; to: string }]> = [['train', train], ['validation', validation], ['test', test]];
    for (const [name, r] of ranges) if (!(r.from < r.to)) throw new Error(`${source}: config field "data.splits.${name}": "from" ${r.from} must be before "to" ${r.to}`);
  }
  config.trainer = appTrainerSection(config.trainer, source);
  return config;
}

/** A config file read, overridden with `--set key=value` texts, and validated; `resolved` is what a run records. */
export function loadStockConfig(file: string, sets: readonly string[] = []): { config: StockConfig; resolved: ConfigObject } {
  const { config } = readConfigFile(file);
  const resolved = applyOverrides(config, sets);
  return { config: parseStockConfig(resolved, sets.length === 0 ? file : `${file} (with --set ${sets.join(' ')})`), resolved };
}

/** The inputs a config uses, in modality order. */
export function usedInputs(inputs: StockInputsConfig): InputName[] {
  return INPUT_NAMES.filter((name) => inputs[name] !== null && inputs[name] !== undefined);
}
