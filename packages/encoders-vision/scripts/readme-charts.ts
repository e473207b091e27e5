// Renders the README's example charts from StockNet's AAPL prices: the 20 and 60 trading days before 2015-10-01
// (the start of the StockNet test split), upscaled 4x with nearest neighbour so every chart pixel stays sharp.
//   node tools/run-ts.mjs packages/encoders-vision/scripts/readme-charts.ts [DATA_DIR] [OUT_DIR]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@finmm/core';
import { chartWindowsBefore, renderCharts, writeChartPng, type DatedBar } from '../src/index.js';

const repo = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const dataDir = process.argv[2] ?? process.env['FINMM_DATA_DIR'] ?? resolve(repo, '..', 'shared', 'data');
const outDir = process.argv[3] ?? join(repo, 'docs', 'images');
const file = join(dataDir, 'stocknet', 'price', 'raw', 'AAPL.csv');
const TARGET = '2015-10-01';

/** Rows of a Yahoo CSV (`Date,Open,High,Low,Close,Adj Close,Volume`); the renderer validates the numbers. */
function readYahoo(path: string): DatedBar[] {
  const [, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  return lines.map((line) => {
    const [date, open, high, low, close, adjClose, volume] = line.split(',');
    return { date: date as string, open: Number(open), high: Number(high), low: Number(low), close: Number(close), adjClose: Number(adjClose), volume: Number(volume) };
  });
}

await initBackend();
const rows = readYahoo(file);
for (const days of [20, 60]) {
  const { windows } = chartWindowsBefore(rows, [TARGET], { days });
  const image = renderCharts(windows, days);
  const path = join(outDir, `chart-aapl-${days}d.png`);
  await writeChartPng(path, image, { scale: 4 });
  image.dispose();
  const drawn = windows[0]?.slice(-days) ?? [];
  console.log(`${path}: AAPL ${drawn[0]?.date}..${drawn[drawn.length - 1]?.date}, ${days} days, ${image.shape[1]}x${image.shape[2]} pixels (written 4x)`);
}
