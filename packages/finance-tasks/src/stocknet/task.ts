// The StockNet task as in the paper's code (yumoxu/stocknet-code): date splits, movement thresholds, windows.

/** Split names; the paper's "dev" is called 'validation' here, as in the other finmm tasks. */
export type StockNetSplit = 'train' | 'validation' | 'test';

/** The official splits by target date d: `from <= d < to`. */
export const STOCKNET_SPLITS: ReadonlyArray<{ name: StockNetSplit; from: string; to: string }> = [
  { name: 'train', from: '2014-01-01', to: '2015-08-01' },
  { name: 'validation', from: '2015-08-01', to: '2015-10-01' },
  { name: 'test', from: '2015-10-01', to: '2016-01-01' },
];

/** Samples with `dropFrom <= movement < dropTo` are dropped; the rest are up (1) when movement > upAbove, else down (0). */
export const STOCKNET_MOVEMENT_RULE = { dropFrom: -0.005, dropTo: 0.0055, upAbove: 1e-7 } as const;

/** Label classes in index order. */
export const STOCKNET_CLASSES = ['down', 'up'] as const;

/** Lag windows of the paper: 5 days, at most 30 messages a day and 40 words a message. */
export const STOCKNET_WINDOW = { days: 5, maxMessagesPerDay: 30, maxWordsPerMessage: 40 } as const;

/** The preprocessed price features kept per trading day, in file order (the paper's model uses high, low, close). */
export const STOCKNET_PRICE_FEATURES = ['movement_percent', 'open', 'high', 'low', 'close', 'volume'] as const;

/** The split of a target date (YYYY-MM-DD), or null outside 2014-01-01..2015-12-31. */
export function stockNetSplitOf(date: string): StockNetSplit | null {
  for (const s of STOCKNET_SPLITS) if (s.from <= date && date < s.to) return s.name;
  return null;
}

/** The label of a day's movement: 1 up, 0 down, null when the sample is dropped as too small a move. */
export function stockNetLabel(movement: number): 0 | 1 | null {
  const r = STOCKNET_MOVEMENT_RULE;
  if (r.dropFrom <= movement && movement < r.dropTo) return null;
  return movement > r.upAbove ? 1 : 0;
}
