// A TF-IDF vectoriser in scikit-learn's form (TfidfVectorizer): word n-grams and char_wb n-grams, sublinear tf,
// smoothed idf, L2-normalised rows; fitted on training texts only and saved as JSON, so that a model directory
// reproduces its features exactly. Rows are sparse: the indices and values of the non-zero features.
import { z } from 'zod';

/** The analyzers, as scikit-learn names them: `word` (tokens of 2+ word characters) and `char_wb` (character n-grams inside words padded with spaces). */
export const TFIDF_ANALYZERS = ['word', 'char_wb'] as const;
/** One of TFIDF_ANALYZERS. */
export type TfidfAnalyzer = (typeof TFIDF_ANALYZERS)[number];

/** One block of features: one analyzer with its n-gram range and minimum document frequency. */
export interface TfidfBlockSpec {
  analyzer: TfidfAnalyzer;
  /** Shortest n-gram (words or characters). */
  min: number;
  /** Longest n-gram. */
  max: number;
  /** Keep an n-gram only when at least this many training texts hold it. */
  minDf: number;
}

/** How a vectoriser turns texts into rows. */
export interface TfidfSpec {
  /** The blocks, concatenated in this order; each is normalised on its own (as scikit-learn's hstack of vectorisers). */
  blocks: TfidfBlockSpec[];
  /** tf = 1 + ln(count) instead of the count. */
  sublinearTf: boolean;
  /** idf = ln((1 + n) / (1 + df)) + 1 (smoothed) instead of ln(n / df) + 1. */
  smoothIdf: boolean;
  /** Normalise each block of a row to unit L2 norm. */
  l2: boolean;
  /** Lowercase texts before analysis. */
  lowercase: boolean;
}

/** The default features: word 1-2 grams (min_df 1) and char_wb 2-5 grams (min_df 2), sublinear tf, smoothed idf, L2 rows. */
export const DEFAULT_TFIDF_SPEC: TfidfSpec = {
  blocks: [
    { analyzer: 'word', min: 1, max: 2, minDf: 1 },
    { analyzer: 'char_wb', min: 2, max: 5, minDf: 2 },
  ],
  sublinearTf: true,
  smoothIdf: true,
  l2: true,
  lowercase: true,
};

/** A sparse row: feature indices (ascending) and their values. */
export interface SparseRow {
  indices: number[];
  values: number[];
}

const blockSpecSchema = z.strictObject({
  analyzer: z.enum(TFIDF_ANALYZERS),
  min: z.number().int().positive(),
  max: z.number().int().positive(),
  minDf: z.number().int().positive(),
});

/** Schema of a TF-IDF spec (the `tfidf` block of a config, and of the saved JSON). */
export const tfidfSpecSchema = z.strictObject({
  blocks: z.array(blockSpecSchema.refine((b) => b.min <= b.max, { message: 'min must not exceed max', path: ['min'] })).min(1),
  sublinearTf: z.boolean(),
  smoothIdf: z.boolean(),
  l2: z.boolean(),
  lowercase: z.boolean(),
});

/** Schema of a saved vectoriser (`tfidf.json`). */
export const tfidfJsonSchema = z.strictObject({
  kind: z.literal('finmm/tfidf'),
  version: z.literal(1),
  spec: tfidfSpecSchema,
  /** Training texts the idf was computed on. */
  documents: z.number().int().positive(),
  /** Per block: its vocabulary (feature order) and idf of each feature. */
  vocabularies: z.array(z.strictObject({ terms: z.array(z.string()), idf: z.array(z.number().positive()) })),
});

/** A saved vectoriser. */
export type TfidfJson = z.output<typeof tfidfJsonSchema>;

// scikit-learn's default token_pattern `(?u)\b\w\w+\b`: maximal runs of 2+ word characters (letters, digits, underscore).
const WORD_TOKEN = /[\p{L}\p{N}_]{2,}/gu;
const WHITESPACE = /\s+/u;

/** Word n-grams (lengths min..max) of a text as scikit-learn's `word` analyzer: tokens of 2+ word characters, joined by a space. */
export function wordNgrams(text: string, min: number, max: number): string[] {
  const tokens = text.match(WORD_TOKEN) ?? [];
  const out: string[] = [];
  for (let n = min; n <= max; n++) {
    for (let i = 0; i + n <= tokens.length; i++) out.push(n === 1 ? (tokens[i] as string) : tokens.slice(i, i + n).join(' '));
  }
  return out;
}

/** Character n-grams (lengths min..max) of each whitespace-separated word padded with one space on each side, as scikit-learn's `char_wb` analyzer. */
export function charWbNgrams(text: string, min: number, max: number): string[] {
  const out: string[] = [];
  for (const word of text.split(WHITESPACE)) {
    if (word === '') continue;
    const chars = Array.from(` ${word} `);
    for (let n = min; n <= max; n++) {
      // a padded word shorter than n gives itself once, then no longer n-grams (scikit-learn's rule)
      if (chars.length <= n) {
        out.push(chars.join(''));
        break;
      }
      for (let i = 0; i + n <= chars.length; i++) out.push(chars.slice(i, i + n).join(''));
    }
  }
  return out;
}

function analyze(text: string, block: TfidfBlockSpec): string[] {
  return block.analyzer === 'word' ? wordNgrams(text, block.min, block.max) : charWbNgrams(text, block.min, block.max);
}

function countTerms(terms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

interface Block {
  spec: TfidfBlockSpec;
  index: Map<string, number>;
  idf: Float64Array;
  terms: string[];
}

/**
 * A fitted TF-IDF vectoriser: `transform(text)` gives the sparse row of the text over `size` features (the blocks'
 * vocabularies one after the other). Matches scikit-learn's `TfidfVectorizer` with the same settings (a block per
 * vectoriser, hstacked), up to float rounding.
 *
 * ```ts
 * const tfidf = TfidfVectorizer.fit(trainTexts); // DEFAULT_TFIDF_SPEC
 * const { indices, values } = tfidf.transform('Profit rose 5 %');
 * writeFileAtomic('tfidf.json', JSON.stringify(tfidf.toJson()));
 * ```
 */
export class TfidfVectorizer {
  /** Number of features (columns). */
  readonly size: number;
  private readonly offsets: number[];

  private constructor(
    readonly spec: TfidfSpec,
    readonly documents: number,
    private readonly blocks: Block[],
  ) {
    let offset = 0;
    this.offsets = blocks.map((b) => {
      const start = offset;
      offset += b.terms.length;
      return start;
    });
    this.size = offset;
  }

  /** Fits the vocabularies and idf on `texts` (the training texts only). */
  static fit(texts: readonly string[], spec: TfidfSpec = DEFAULT_TFIDF_SPEC): TfidfVectorizer {
    if (texts.length === 0) throw new Error('TfidfVectorizer.fit: no training texts');
    const checked = tfidfSpecSchema.safeParse(spec);
    if (!checked.success) throw new Error(`TfidfVectorizer.fit: bad spec: field "${(checked.error.issues[0]?.path ?? []).join('.')}": ${checked.error.issues[0]?.message ?? 'invalid'}`);
    const prepared = texts.map((t) => (spec.lowercase ? t.toLowerCase() : t));
    const n = texts.length;
    const blocks = spec.blocks.map((blockSpec): Block => {
      const df = new Map<string, number>();
      for (const text of prepared) for (const term of new Set(analyze(text, blockSpec))) df.set(term, (df.get(term) ?? 0) + 1);
      const terms = [...df.entries()].filter(([, d]) => d >= blockSpec.minDf).map(([t]) => t).sort();
      const idf = Float64Array.from(terms, (t) => {
        const d = df.get(t) as number;
        return spec.smoothIdf ? Math.log((1 + n) / (1 + d)) + 1 : Math.log(n / d) + 1;
      });
      return { spec: { ...blockSpec }, index: new Map(terms.map((t, i) => [t, i])), idf, terms };
    });
    if (blocks.every((b) => b.terms.length === 0)) throw new Error(`TfidfVectorizer.fit: no feature is left from ${n} texts (minDf too high?)`);
    return new TfidfVectorizer(structuredClone(spec), n, blocks);
  }

  /** A vectoriser saved by `toJson`; `source` names the file in errors. */
  static fromJson(raw: unknown, source = 'tfidf.json'): TfidfVectorizer {
    const parsed = tfidfJsonSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${source}: field "${(issue?.path ?? []).join('.')}": ${issue?.message ?? 'invalid'}`);
    }
    const json = parsed.data;
    if (json.vocabularies.length !== json.spec.blocks.length) {
      throw new Error(`${source}: ${json.vocabularies.length} vocabularies for ${json.spec.blocks.length} blocks`);
    }
    const blocks = json.spec.blocks.map((spec, k): Block => {
      const { terms, idf } = json.vocabularies[k] as TfidfJson['vocabularies'][number];
      if (terms.length !== idf.length) throw new Error(`${source}: field "vocabularies.${k}": ${terms.length} terms but ${idf.length} idf values`);
      const index = new Map(terms.map((t, i) => [t, i]));
      if (index.size !== terms.length) throw new Error(`${source}: field "vocabularies.${k}.terms": a term is listed twice`);
      return { spec, index, idf: Float64Array.from(idf), terms };
    });
    return new TfidfVectorizer(json.spec, json.documents, blocks);
  }

  /** The JSON `fromJson` reads back. */
  toJson(): TfidfJson {
    return {
      kind: 'finmm/tfidf',
      version: 1,
      spec: structuredClone(this.spec),
      documents: this.documents,
      vocabularies: this.blocks.map((b) => ({ terms: [...b.terms], idf: Array.from(b.idf) })),
    };
  }

  /** Features of each block (in order). */
  blockSizes(): number[] {
    return this.blocks.map((b) => b.terms.length);
  }

  /** The feature name of column `i` (`word:interest rate`, `char_wb: ra`). */
  featureName(i: number): string {
    for (let k = this.blocks.length - 1; k >= 0; k--) {
      const offset = this.offsets[k] as number;
      if (i >= offset) {
        const block = this.blocks[k] as Block;
        const term = block.terms[i - offset];
        if (term === undefined) break;
        return `${block.spec.analyzer}:${term}`;
      }
    }
    throw new Error(`TfidfVectorizer.featureName: column ${i} is outside 0..${this.size - 1}`);
  }

  /** The sparse TF-IDF row of a text; n-grams outside the vocabulary are ignored (a row may be empty). */
  transform(text: string): SparseRow {
    const prepared = this.spec.lowercase ? text.toLowerCase() : text;
    const indices: number[] = [];
    const values: number[] = [];
    this.blocks.forEach((block, k) => {
      const entries: Array<[number, number]> = [];
      for (const [term, count] of countTerms(analyze(prepared, block.spec))) {
        const i = block.index.get(term);
        if (i === undefined) continue;
        const tf = this.spec.sublinearTf ? 1 + Math.log(count) : count;
        entries.push([i, tf * (block.idf[i] as number)]);
      }
      entries.sort((a, b) => a[0] - b[0]);
      const norm = this.spec.l2 ? Math.sqrt(entries.reduce((s, [, v]) => s + v * v, 0)) : 1;
      const offset = this.offsets[k] as number;
      for (const [i, v] of entries) {
        indices.push(offset + i);
        values.push(norm > 0 ? v / norm : v);
      }
    });
    return { indices, values };
  }
}
