// Tokenizers: the merge trainer, WordPiece and byte-level BPE trained on Financial PhraseBank and encoded identically
// by @huggingface/tokenizers (JS) and Python's `tokenizers`, and HfTokenizer's truncation and errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findDataDir } from '@finmm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePythonVenv } from '../../../tools/python/python-env.js';
import {
  bertWords,
  HfTokenizer,
  learnMerges,
  specialTemplate,
  TokenizerFileError,
  trainByteLevelBpe,
  trainWordPiece,
  writeTokenizerJson,
  type BpeModelJson,
  type TokenizerJson,
} from '../src/tokenizers/index.js';

const CHECK_SCRIPT = fileURLToPath(new URL('../../../tools/python/check_tokenizer.py', import.meta.url));

describe('learnMerges', () => {
  const words = new Map([['hug', 10], ['pug', 5], ['pun', 12], ['bun', 4], ['hugs', 5]]);

  it('learns the merges of the Hugging Face course BPE example, in order', () => {
    const { tokens, merges } = learnMerges(words, { vocabSize: 10, minFrequency: 1, specialTokens: ['<pad>'], continuingSubwordPrefix: null });
    expect(tokens).toEqual(['<pad>', 'b', 'g', 'h', 'n', 'p', 's', 'u', 'ug', 'un']);
    expect(merges).toEqual([['u', 'g'], ['u', 'n']]);
    const more = learnMerges(words, { vocabSize: 11, minFrequency: 1, specialTokens: ['<pad>'], continuingSubwordPrefix: null });
    expect(more.merges[2]).toEqual(['h', 'ug']);
  });

  it('marks word-continuing pieces with the prefix and drops it from the right part of a merge', () => {
    const { tokens, merges } = learnMerges(words, { vocabSize: 100, minFrequency: 1, specialTokens: ['[PAD]'], continuingSubwordPrefix: '##' });
    expect(tokens.slice(0, 6)).toEqual(['[PAD]', 'b', 'g', 'h', 'n', 'p']);
    expect(merges.slice(0, 3)).toEqual([['##u', '##g'], ['##u', '##n'], ['h', '##ug']]);
    expect(tokens).toContain('##ug');
    expect(tokens).toContain('hug');
    expect(tokens).toContain('hugs'); // every word is one token at the end
  });

  it('stops at minFrequency and is deterministic', () => {
    const a = learnMerges(words, { vocabSize: 100, minFrequency: 15, specialTokens: [], continuingSubwordPrefix: null });
    expect(a.merges).toEqual([['u', 'g'], ['u', 'n'], ['h', 'ug']]);
    const b = learnMerges(new Map([...words].reverse()), { vocabSize: 100, minFrequency: 15, specialTokens: [], continuingSubwordPrefix: null });
    expect(b).toEqual(a);
  });
});

describe('bertWords', () => {
  it('lowercases, strips accents and splits off punctuation as BERT does', () => {
    expect(bertWords('Net sales of Äänekoski rose 5.3%,\tto EUR\u00a012m.')).toEqual(
      ['net', 'sales', 'of', 'aanekoski', 'rose', '5', '.', '3', '%', ',', 'to', 'eur', '12m', '.'],
    );
    expect(bertWords('Äänekoski', { lowercase: false })).toEqual(['Äänekoski']);
    expect(bertWords('Äänekoski', { lowercase: false, stripAccents: true })).toEqual(['Aanekoski']);
  });
});

describe('HfTokenizer', () => {
  const json = trainWordPiece(['the profit rose', 'the loss fell', 'profit and loss'], { vocabSize: 60, minFrequency: 1 });
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'finmm-tok-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds [CLS] and [SEP], truncates the text but keeps them, and reports the pad id and vocab size', () => {
    const tokenizer = HfTokenizer.fromJson(json, { maxLength: 5 });
    expect(tokenizer.padId).toBe(0);
    expect(tokenizer.vocabSize).toBe(Object.keys(json.model.vocab).length);
    const cls = tokenizer.tokenToId('[CLS]') as number;
    const sep = tokenizer.tokenToId('[SEP]') as number;
    const ids = tokenizer.encode('The profit fell');
    expect(ids).toHaveLength(5);
    expect(ids[0]).toBe(cls);
    expect(ids[4]).toBe(sep);
    expect(tokenizer.decode(ids)).toBe('the profit fell');
    const long = tokenizer.encode('the profit and the loss and the profit');
    expect(long).toHaveLength(5);
    expect([long[0], long[4]]).toEqual([cls, sep]);
    expect(HfTokenizer.fromJson(json, { addSpecialTokens: false }).encode('the loss')).toEqual(tokenizer.tokenize('the loss').map((t) => tokenizer.tokenToId(t)));
    expect(tokenizer.encode('zebra')[1]).toBe(tokenizer.tokenToId('[UNK]'));
  });

  it('names the file when it is missing or invalid', () => {
    const missing = join(dir, 'nope', 'tokenizer.json');
    expect(() => HfTokenizer.fromFile(missing)).toThrow(new RegExp(`tokenizer file ${missing} does not exist`));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"model": ');
    expect(() => HfTokenizer.fromFile(bad)).toThrow(TokenizerFileError);
    expect(() => HfTokenizer.fromFile(bad)).toThrow(new RegExp(`${bad} is not valid JSON`));
    const notTokenizer = join(dir, 'config.json');
    writeFileSync(notTokenizer, '{"hidden_size": 8}');
    expect(() => HfTokenizer.fromFile(notTokenizer)).toThrow(new RegExp(`${notTokenizer}: is not a Hugging Face tokenizer.json`));
    const good = join(dir, 'tokenizer.json');
    writeTokenizerJson(good, json);
    expect(() => HfTokenizer.fromFile(good, { maxLength: 2 })).toThrow(/maxLength must be an integer above the 2 special tokens/);
    expect(() => HfTokenizer.fromFile(good, { padToken: '<pad>' })).toThrow(/has no padding token <pad>/);
  });
});

describe('specialTemplate', () => {
  it('reads the ids around one text from the post-processors Hugging Face tokenizers use', () => {
    expect(specialTemplate(null)).toEqual({ prefix: [], suffix: [] });
    expect(specialTemplate({ type: 'BertProcessing', sep: ['[SEP]', 102], cls: ['[CLS]', 101] })).toEqual({ prefix: [101], suffix: [102] });
    const roberta = { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: false };
    expect(specialTemplate({ type: 'Sequence', processors: [{ type: 'ByteLevel', trim_offsets: false }, roberta] })).toEqual({ prefix: [0], suffix: [2] });
    const bert = trainWordPiece(['a b'], { vocabSize: 10, minFrequency: 1 });
    expect(specialTemplate(bert.post_processor)).toEqual({ prefix: [2], suffix: [3] });
    expect(() => specialTemplate({ type: 'Mystery' })).toThrow(/unsupported post_processor type "Mystery"/);
  });
});

describe('byte-level BPE tokenizer', () => {
  it('wraps texts in <s> ... </s>, pads with <pad>, never needs an unknown token and decodes back', () => {
    const json = trainByteLevelBpe(['Net sales rose.', 'Net sales fell.', 'Operating profit rose.'], { vocabSize: 300, minFrequency: 1 });
    const tokenizer = HfTokenizer.fromJson(json);
    expect(tokenizer.padId).toBe(1);
    expect(tokenizer.vocabSize).toBe(Object.keys(json.model.vocab).length); // 261 base tokens and every merge this corpus allows
    const ids = tokenizer.encode('Net sales of Äänekoski rose 5%.');
    expect(ids[0]).toBe(0);
    expect(ids[ids.length - 1]).toBe(2);
    expect(tokenizer.tokenize('Net sales rose.')).toEqual(['ĠNet', 'Ġsales', 'Ġrose', '.']);
    expect(tokenizer.decode(ids).trim()).toBe('Net sales of Äänekoski rose 5%.');
  });
});

/** The Financial PhraseBank 50Agree sentences (ISO-8859-1, `sentence@label`) and the FinBERT split. */
function readPhraseBank(folder: string): { sentences: string[]; train: number[]; validation: number[]; test: number[] } {
  const text = readFileSync(join(folder, 'FinancialPhraseBank-v1.0', 'Sentences_50Agree.txt'), 'latin1');
  const sentences = text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => line.slice(0, line.lastIndexOf('@')));
  const split = JSON.parse(readFileSync(join(folder, 'split_50agree_finbert.json'), 'utf8')) as Record<'train' | 'validation' | 'test', number[]>;
  return { sentences, train: split.train, validation: split.validation, test: split.test };
}

/** Ids Python's `tokenizers` gives for `sentences` (with truncation to `maxLength` when given). */
function pythonIds(python: string, tokenizerPath: string, sentencesPath: string, maxLength?: number): number[][] {
  const args = [CHECK_SCRIPT, tokenizerPath, sentencesPath, ...(maxLength === undefined ? [] : ['--max-length', String(maxLength)])];
  const result = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  if (result.status !== 0) throw new Error(`check_tokenizer.py failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as number[][];
}

function countEqual(a: number[][], b: number[][]): number {
  return a.filter((ids, i) => JSON.stringify(ids) === JSON.stringify(b[i])).length;
}

const dataDir = findDataDir();
const phraseBankFolder = dataDir === null ? null : join(dataDir.dir, 'financial-phrasebank');

describe.skipIf(phraseBankFolder === null)('tokenizers trained on Financial PhraseBank (train split)', () => {
  let work: string;
  let bank: ReturnType<typeof readPhraseBank>;
  let trainSentences: string[];
  let heldOut: string[];
  let sentencesPath: string;
  let python: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'finmm-tok-pb-'));
    bank = readPhraseBank(phraseBankFolder as string);
    trainSentences = bank.train.map((i) => bank.sentences[i] as string);
    // 1,000 sentences the tokenizers never saw: the test split, then the start of the validation split.
    heldOut = [...bank.test, ...bank.validation].slice(0, 1000).map((i) => bank.sentences[i] as string);
    sentencesPath = join(work, 'sentences.json');
    writeFileSync(sentencesPath, JSON.stringify(heldOut));
    python = ensurePythonVenv();
  }, 1_800_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const trainers = {
    WordPiece: (texts: string[]) => trainWordPiece(texts, { vocabSize: 4000, minFrequency: 2 }),
    'byte-level BPE': (texts: string[]) => trainByteLevelBpe(texts, { vocabSize: 4000, minFrequency: 2 }),
  };
  type Kind = keyof typeof trainers;
  const trained = new Map<Kind, TokenizerJson>();
  /** The tokenizer of a kind trained on the training sentences (once per file). */
  function tokenizerJson(kind: Kind): TokenizerJson {
    const json = trained.get(kind) ?? trainers[kind](trainSentences);
    trained.set(kind, json);
    return json;
  }

  it.each(Object.keys(trainers) as Kind[])('%s: JS and Python give the same ids for all 1,000 held-out sentences', (kind) => {
    expect(bank.sentences).toHaveLength(4846);
    expect(heldOut).toHaveLength(1000);
    const json = tokenizerJson(kind);
    expect(Object.keys(json.model.vocab)).toHaveLength(4000);
    const path = join(work, `${kind.replace(/\W/g, '-')}.json`);
    writeTokenizerJson(path, json);

    const tokenizer = HfTokenizer.fromFile(path, { maxLength: 512 });
    expect(tokenizer.vocabSize).toBe(4000);
    const js = heldOut.map((s) => tokenizer.encode(s));
    const py = pythonIds(python, path, sentencesPath);
    console.log(`${kind}: ${countEqual(js, py)} of ${heldOut.length} sentences encode identically in JS and Python`);
    expect(countEqual(js, py)).toBe(heldOut.length);
    expect(js).toEqual(py);

    const short = HfTokenizer.fromFile(path, { maxLength: 16 });
    const jsShort = heldOut.map((s) => short.encode(s));
    expect(jsShort).toEqual(pythonIds(python, path, sentencesPath, 16));
    expect(Math.max(...jsShort.map((ids) => ids.length))).toBe(16);
  });

  it("learns what Hugging Face's trainers learn: the same BPE merges, the same WordPiece vocabulary up to ties", () => {
    const corpus = join(work, 'train-sentences.json');
    writeFileSync(corpus, JSON.stringify(trainSentences));
    const reference = (kind: 'wordpiece' | 'bpe'): { vocab: Record<string, number>; merges?: Array<string | [string, string]> } => {
      const out = join(work, `reference-${kind}.json`);
      const args = [CHECK_SCRIPT, 'train', kind, corpus, out, '--vocab-size', '4000', '--min-frequency', '2'];
      const result = spawnSync(python, args, { encoding: 'utf8', timeout: 120_000 });
      if (result.status !== 0) throw new Error(`check_tokenizer.py train failed (${result.status}): ${result.stderr}`);
      return (JSON.parse(readFileSync(out, 'utf8')) as { model: { vocab: Record<string, number> } }).model;
    };
    const bpe = reference('bpe');
    const ours = tokenizerJson('byte-level BPE').model as BpeModelJson;
    expect(ours.merges).toEqual((bpe.merges ?? []).map((m) => (typeof m === 'string' ? m.split(' ') : m)));
    expect(ours.vocab).toEqual(bpe.vocab);
    // HF's WordPieceTrainer numbers `##x` pieces in hash-map order, so its own runs differ in ids and in which of
    // equally frequent pairs make the cut; the token sets agree up to those ties.
    const wordPiece = new Set(Object.keys(reference('wordpiece').vocab));
    const ourTokens = Object.keys(tokenizerJson('WordPiece').model.vocab);
    const differing = ourTokens.filter((t) => !wordPiece.has(t));
    expect(differing.length).toBeLessThanOrEqual(4);
  });

  it('learns the WordPiece vocabulary from the training sentences only', () => {
    expect(new Set(bank.train).size).toBe(bank.train.length);
    expect(bank.train.some((i) => bank.test.includes(i))).toBe(false);
    // Word starts and word continuations (as ## pieces) of the training words.
    const pieces = new Set<string>();
    for (const word of new Set(trainSentences.flatMap((s) => bertWords(s)))) {
      const chars = [...word];
      for (let i = 0; i < chars.length; i++) {
        for (let j = i + 1; j <= chars.length; j++) pieces.add(`${i > 0 ? '##' : ''}${chars.slice(i, j).join('')}`);
      }
    }
    const outsideTrain = (json: TokenizerJson): string[] =>
      Object.keys(json.model.vocab).filter((t) => !/^\[[A-Z]+\]$/.test(t) && !pieces.has(t));
    // With every merge made (minFrequency 1, a vocabulary larger than needed), every word seen becomes a token.
    const options = { vocabSize: 50_000, minFrequency: 1 };
    // Every token is a piece of a training word (a ## piece continues one)...
    expect(outsideTrain(trainWordPiece(trainSentences, options))).toEqual([]);
    expect(outsideTrain(trainWordPiece(trainSentences, { vocabSize: 4000 }))).toEqual([]);
    // ...which a vocabulary that also saw the test split fails: the check catches a leak.
    const leaked = trainWordPiece([...trainSentences, ...bank.test.map((i) => bank.sentences[i] as string)], options);
    expect(outsideTrain(leaked).length).toBeGreaterThan(100);
  });
});
