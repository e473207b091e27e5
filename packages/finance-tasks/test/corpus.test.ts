// The MLM pretraining corpus: PhraseBank's held-out sentences never enter it, tweets are deduplicated and cut by date.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPretrainingCorpus, loadPhraseBank } from '../src/index.js';
import { copyDataset, tempDir } from './helpers.js';

const comparable = (text: string): string => text.toLowerCase().replace(/\s+/g, ' ').trim();

// A small data dir: PhraseBank and one ticker's tweets (CHL, 127 day files), with StockNet's marker folders.
const dataDir = tempDir('corpus');
copyDataset(dataDir, 'financial-phrasebank', ['FinancialPhraseBank-v1.0/Sentences_50Agree.txt', 'split_50agree_finbert.json']);
const stocknet = copyDataset(dataDir, 'stocknet', ['tweet/preprocessed/CHL']);
fs.mkdirSync(path.join(stocknet, 'price', 'raw'), { recursive: true });
fs.mkdirSync(path.join(stocknet, 'price', 'preprocessed'), { recursive: true });
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** CHL's tweets read straight from the files: text (tokens joined by spaces) -> file days it appears in. */
function chlTweets(): Map<string, string[]> {
  const folder = path.join(stocknet, 'tweet', 'preprocessed', 'CHL');
  const days = new Map<string, string[]>();
  for (const day of fs.readdirSync(folder)) {
    for (const line of fs.readFileSync(path.join(folder, day), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const text = (JSON.parse(line) as { text: string[] }).text.join(' ');
      days.set(text, [...(days.get(text) ?? []), day]);
    }
  }
  return days;
}

describe('buildPretrainingCorpus', () => {
  it('holds PhraseBank training sentences only: no validation or test sentence, even one repeated in train', async () => {
    const { texts, description } = await buildPretrainingCorpus(dataDir, { include: ['phrasebank-train'] });
    const { table } = await loadPhraseBank({ dataDir });
    const sentences = [...table.getChild('sentence')!] as string[];
    const parts = [...table.getChild('split')!] as string[];
    const heldOut = new Set(sentences.filter((_, i) => parts[i] !== 'train').map(comparable));
    const train = new Set(sentences.filter((_, i) => parts[i] === 'train').map(comparable));
    expect(heldOut.size).toBeGreaterThan(1000);
    expect(texts.filter((t) => heldOut.has(comparable(t)))).toEqual([]);
    expect(texts.every((t) => train.has(comparable(t)))).toBe(true);
    const [source] = description.sources;
    expect(source).toMatchObject({ source: 'phrasebank-train', read: 3488, texts: texts.length });
    expect(source!.texts + source!.duplicates + source!.excluded).toBe(3488);
    expect(source!.excluded).toBe([...train].filter((t) => heldOut.has(t)).length); // PhraseBank repeats a few sentences across parts
    expect(source!.excluded).toBeGreaterThan(0);
  });

  it('adds every distinct tweet once, and with tweetsBefore only tweets of earlier day files', async () => {
    const onFile = chlTweets();
    const all = await buildPretrainingCorpus(dataDir, { include: ['stocknet-tweets'] });
    expect(new Set(all.texts.map(comparable)).size).toBe(all.texts.length);
    expect(new Set(all.texts.map(comparable))).toEqual(new Set([...onFile.keys()].map(comparable)));
    expect(all.texts.every((t) => onFile.has(t))).toBe(true);
    const before = '2015-01-01';
    const cut = await buildPretrainingCorpus(dataDir, { include: ['stocknet-tweets'], tweetsBefore: before });
    const [source] = cut.description.sources;
    for (const text of cut.texts) expect((onFile.get(text) ?? []).some((day) => day < before), text).toBe(true);
    const early = [...onFile.entries()].filter(([, days]) => days.some((d) => d < before)).map(([t]) => comparable(t));
    expect(new Set(cut.texts.map(comparable))).toEqual(new Set(early));
    expect(source!.days!.last < before).toBe(true);
    expect(source!.excluded).toBeGreaterThan(0);
    expect(source!.texts + source!.duplicates + source!.excluded).toBe(source!.read);
    expect(cut.description.tweetsBefore).toBe(before);
  });

  it('combines both sources with counts and word totals', async () => {
    const { texts, description } = await buildPretrainingCorpus(dataDir);
    expect(description.sources.map((s) => s.source)).toEqual(['stocknet-tweets', 'phrasebank-train']);
    expect(description.texts).toBe(texts.length);
    expect(description.sources.reduce((n, s) => n + s.texts, 0)).toBe(texts.length);
    expect(description.words).toBe(texts.reduce((n, t) => n + t.split(/\s+/).filter((w) => w !== '').length, 0));
  });

  it('rejects a bad date, an unknown source and an empty source list', async () => {
    await expect(buildPretrainingCorpus(dataDir, { tweetsBefore: '2015-13-01' })).rejects.toThrow(/tweetsBefore must be a date YYYY-MM-DD, got "2015-13-01"/);
    await expect(buildPretrainingCorpus(dataDir, { include: ['reuters' as never] })).rejects.toThrow(/unknown source "reuters"/);
    await expect(buildPretrainingCorpus(dataDir, { include: [] })).rejects.toThrow(/names no source/);
  });
});
