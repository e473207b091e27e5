// `stock predict`: one JSON line per input record {ticker, date} with P(down) and P(up) for that target date,
// from the prices (and tweets) dated before it in the data the model was trained on; a bad record gets
// `{ "line": N, "error": "..." }` and the others are still predicted.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '@finmm/core';
import { readInputRecords, readTweetWindow, splitOfDate, STOCKNET_WINDOW, type InputRecord, type PredictCommandOptions, roundProbability, type PredictOutcome } from '@finmm/finance-tasks';

export type { PredictOutcome } from '@finmm/finance-tasks';
import { scoreRows } from './batches.js';
import { loadPriceData } from './data.js';
import { PriceContext, StockInputs, type TargetPresence } from './inputs.js';
import { loadStockModel, readStockInfo, type StockModelInfo } from './model-dir.js';
import { rowsBefore, type PriceHistory } from './prices.js';

/** A prediction is refused when a ticker's last price before the date is older than this many calendar days. */
export const MAX_PRICE_GAP_DAYS = 10;

/** One output line for a good record. */
export interface PredictionLine {
  line: number;
  ticker: string;
  date: string;
  prediction: 'down' | 'up';
  probabilities: { down: number; up: number };
  /** Which inputs the record had (tweet ids, observed price days, chart, market context). */
  inputs: TargetPresence;
  /** The split of the model's data the date falls in, or null outside them. */
  split: string | null;
  warnings?: string[];
}

/** A record read into a target. */
interface Target {
  ticker: string;
  date: string;
  messages: string[];
  warnings: string[];
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;

function isRealDate(text: string): boolean {
  if (!ISO.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Reads one record; throws naming every bad field. */
function readTarget(record: InputRecord, info: StockModelInfo, prices: PriceHistory, tweetsDir: string | null): Target {
  const problems: string[] = [];
  const ticker = record['ticker'];
  const date = record['date'];
  if (ticker === undefined) problems.push('field "ticker" is missing');
  else if (typeof ticker !== 'string' || ticker.trim() === '') problems.push(`field "ticker": expected a ticker symbol, got ${JSON.stringify(ticker)}`);
  else if (!prices.has(ticker.trim())) problems.push(`field "ticker": unknown ticker ${JSON.stringify(ticker)}; the model's price data has ${prices.size} tickers (${[...prices.keys()].slice(0, 8).join(', ')}${prices.size > 8 ? ', ...' : ''})`);
  if (date === undefined) problems.push('field "date" is missing');
  else if (typeof date !== 'string' || !isRealDate(date.trim())) problems.push(`field "date": expected a date YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const tweets = record['tweets'];
  if (tweets !== undefined && tweets !== '' && !(Array.isArray(tweets) && tweets.every((t) => typeof t === 'string'))) problems.push('field "tweets": expected a list of message texts (newest first)');
  if (problems.length > 0) throw new Error(problems.join('; '));
  const t = (ticker as string).trim();
  const d = (date as string).trim();
  const rows = prices.get(t) ?? [];
  const before = rowsBefore(rows, d);
  if (before === 0) throw new Error(`no prices of ${t} before ${d} (its prices start on ${rows[0]?.date ?? '?'})`);
  const last = rows[before - 1]?.date as string;
  const gap = (Date.parse(`${d}T00:00:00Z`) - Date.parse(`${last}T00:00:00Z`)) / 86_400_000;
  if (gap > MAX_PRICE_GAP_DAYS) throw new Error(`the last price of ${t} before ${d} is from ${last}, ${gap} days earlier (at most ${MAX_PRICE_GAP_DAYS}); add the recent prices to the model's price data`);
  const warnings: string[] = [];
  const split = splitOfDate(info.data.splits, d);
  if (split === 'train') warnings.push('the date is in the training split: the model was trained on it');
  if (split === 'validation') warnings.push('the date is in the validation split: it chose the model\'s epochs');
  let messages: string[] = [];
  if (Array.isArray(tweets)) messages = tweets as string[];
  else if (info.inputs.tweets !== null && info.inputs.tweets !== undefined && tweetsDir !== null) {
    const window = readTweetWindow(tweetsDir, t, d, { days: STOCKNET_WINDOW.days, maxMessages: STOCKNET_WINDOW.maxMessagesPerDay, maxWords: STOCKNET_WINDOW.maxWordsPerMessage });
    messages = [...window].reverse().flatMap((day) => day.messages); // newest day first
  }
  return { ticker: t, date: d, messages, warnings };
}

/** Runs `predict`: reads the input, writes the output JSON lines, prints counts. */
export async function predictStock(options: PredictCommandOptions, print: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<PredictOutcome> {
  const info = readStockInfo(options.model); // a bad model directory fails before the input is read
  const items = await readInputRecords(options.input);
  const { prices, tweetsDir } = await loadPriceData(info.data.config);
  const loaded = await loadStockModel(options.model);
  try {
    const lines: string[] = new Array<string>(items.length);
    const good: Array<{ index: number; line: number; target: Target }> = [];
    items.forEach((item, index) => {
      if ('error' in item) {
        lines[index] = JSON.stringify({ line: item.line, error: item.error });
        return;
      }
      try {
        good.push({ index, line: item.line, target: readTarget(item.record, info, prices, tweetsDir) });
      } catch (error) {
        lines[index] = JSON.stringify({ line: item.line, error: error instanceof Error ? error.message : String(error) });
      }
    });
    if (good.length > 0) {
      const targets = { ticker: good.map((g) => g.target.ticker), date: good.map((g) => g.target.date), messages: good.map((g) => g.target.messages) };
      const inputs = StockInputs.build(targets, new PriceContext(prices, info.inputs), info.inputs).scale(loaded.preprocessing, `${options.model}/preprocessing.json`);
      const scores = scoreRows(loaded.model, inputs, good.map((_, i) => i));
      good.forEach((g, k) => {
        const up = scores[k] as number;
        const out: PredictionLine = {
          line: g.line,
          ticker: g.target.ticker,
          date: g.target.date,
          prediction: up >= 0.5 ? 'up' : 'down',
          probabilities: { down: roundProbability(1 - up), up: roundProbability(up) },
          inputs: inputs.presence(k),
          split: splitOfDate(info.data.splits, g.target.date),
          ...(g.target.warnings.length > 0 ? { warnings: g.target.warnings } : {}),
        };
        lines[g.index] = JSON.stringify(out);
      });
    }
    await mkdir(path.dirname(path.resolve(options.output)), { recursive: true });
    await writeFileAtomic(options.output, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
    const errors = items.length - good.length;
    print(`stock: ${items.length} records from ${options.input}: ${good.length} predicted, ${errors} with errors -> ${options.output}`);
    return { records: items.length, predicted: good.length, errors };
  } finally {
    loaded.model.dispose();
  }
}
