// A core TextTokenizer over a Hugging Face tokenizer.json, run by @huggingface/tokenizers (Tokenizers.js, pure JS).
import { existsSync, readFileSync } from 'node:fs';
import type { TextTokenizer } from '@finmm/core';
import { Tokenizer } from '@huggingface/tokenizers';
import { specialTemplate, type SpecialTemplate } from './special-template.js';

/** Options of an `HfTokenizer`. */
export interface HfTokenizerOptions {
  /** Most ids `encode` returns, special tokens included; longer texts lose their last tokens. Default 512. */
  maxLength?: number;
  /** Add the post-processor's special tokens (`[CLS] ... [SEP]`, `<s> ... </s>`); default true. */
  addSpecialTokens?: boolean;
  /** The padding token; default: the tokenizer.json's padding token, else `[PAD]` or `<pad>`. */
  padToken?: string;
}

/** Raised when a tokenizer.json is missing or cannot be loaded; the message names the file. */
export class TokenizerFileError extends Error {
  constructor(
    message: string,
    /** The tokenizer.json path (or a description of the object given). */
    readonly file: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'TokenizerFileError';
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Encodes text with a Hugging Face tokenizer.json (WordPiece, BPE, Unigram) through `@huggingface/tokenizers`:
 * normalise, pre-tokenise, model, then the special tokens of the post-processor, truncated to `maxLength`
 * (as Python's `tokenizers` truncates: the text's tokens are cut, the special tokens kept).
 *
 * ```ts
 * const tokenizer = HfTokenizer.fromFile('models/finbert/tokenizer.json', { maxLength: 128 });
 * tokenizer.encode('Net sales rose 5%.'); // [2, ..., 3]
 * ```
 */
export class HfTokenizer implements TextTokenizer {
  readonly padId: number;
  readonly vocabSize: number;
  readonly maxLength: number;
  readonly addSpecialTokens: boolean;
  private readonly tokenizer: Tokenizer;
  private readonly template: SpecialTemplate;

  private constructor(json: Json, source: string, options: HfTokenizerOptions) {
    const fail = (what: string, cause?: unknown): TokenizerFileError =>
      new TokenizerFileError(`tokenizer ${source}: ${what}`, source, cause === undefined ? undefined : { cause });
    try {
      this.tokenizer = new Tokenizer(json, {});
      this.template = specialTemplate(json['post_processor']);
    } catch (error) {
      throw fail(`is not a Hugging Face tokenizer.json that @huggingface/tokenizers can load: ${(error as Error).message}`, error);
    }
    this.addSpecialTokens = options.addSpecialTokens ?? true;
    this.maxLength = options.maxLength ?? 512;
    const specials = this.addSpecialTokens ? this.template.prefix.length + this.template.suffix.length : 0;
    if (!Number.isInteger(this.maxLength) || this.maxLength <= specials) {
      throw fail(`maxLength must be an integer above the ${specials} special tokens, got ${this.maxLength}`);
    }
    const vocab = this.tokenizer.get_vocab(true);
    let maxId = -1;
    for (const id of vocab.values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    const padding = json['padding'];
    const padToken = options.padToken ?? (isObject(padding) && typeof padding['pad_token'] === 'string' ? padding['pad_token'] : undefined);
    const candidates = padToken === undefined ? ['[PAD]', '<pad>'] : [padToken];
    const padId = candidates.map((t) => vocab.get(t)).find((id) => id !== undefined);
    if (padId === undefined) throw fail(`has no padding token ${candidates.join(' or ')}; pass the padToken option`);
    this.padId = padId;
  }

  /** Loads a tokenizer.json; throws TokenizerFileError naming the file when it is missing or invalid. */
  static fromFile(path: string, options: HfTokenizerOptions = {}): HfTokenizer {
    if (!existsSync(path)) throw new TokenizerFileError(`tokenizer file ${path} does not exist`, path);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new TokenizerFileError(`tokenizer file ${path} is not valid JSON: ${(error as Error).message}`, path, { cause: error });
    }
    return HfTokenizer.fromJson(json, options, path);
  }

  /** A tokenizer from a parsed tokenizer.json; `source` names it in errors. */
  static fromJson(json: unknown, options: HfTokenizerOptions = {}, source = '(tokenizer.json object)'): HfTokenizer {
    if (!isObject(json)) throw new TokenizerFileError(`tokenizer ${source}: expected a JSON object`, source);
    return new HfTokenizer(json, source, options);
  }

  /** Token ids of a text: the special tokens around its tokens, at most `maxLength` ids. */
  encode(text: string): number[] {
    const ids = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    if (!this.addSpecialTokens) return ids.slice(0, this.maxLength);
    const { prefix, suffix } = this.template;
    return [...prefix, ...ids.slice(0, this.maxLength - prefix.length - suffix.length), ...suffix];
  }

  /** The tokens of a text, without special tokens or truncation (e.g. `['net', 'sales', 'rose', ...]`). */
  tokenize(text: string): string[] {
    return this.tokenizer.tokenize(text, { add_special_tokens: false });
  }

  /** The text of ids, without special tokens. */
  decode(ids: readonly number[]): string {
    return ids.length === 0 ? '' : this.tokenizer.decode([...ids], { skip_special_tokens: true });
  }

  /** The id of a token, or undefined. */
  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  /** The token of an id, or undefined. */
  idToToken(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }
}
