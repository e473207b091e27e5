// The parts of Hugging Face's `tokenizer.json` format that finmm's trainers write, and writing it to disk.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JsonValue } from '@finmm/core';

/** An entry of `added_tokens`: a token matched in raw text before normalisation (special tokens). */
export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

/** One element of a TemplateProcessing template: a special token or the sequence A/B. */
export type TemplatePieceJson = { SpecialToken: { id: string; type_id: number } } | { Sequence: { id: 'A' | 'B'; type_id: number } };

/** The `TemplateProcessing` post-processor: `single` is e.g. `[CLS] $A [SEP]`. */
export interface TemplateProcessingJson {
  type: 'TemplateProcessing';
  single: TemplatePieceJson[];
  pair: TemplatePieceJson[];
  special_tokens: Record<string, { id: string; ids: number[]; tokens: string[] }>;
}

/** A `WordPiece` model: greedy longest-match-first over `vocab`. */
export interface WordPieceModelJson {
  type: 'WordPiece';
  unk_token: string;
  continuing_subword_prefix: string;
  max_input_chars_per_word: number;
  vocab: Record<string, number>;
}

/** A `BPE` model: `merges` applied by rank over `vocab`. */
export interface BpeModelJson {
  type: 'BPE';
  dropout: null;
  unk_token: string | null;
  continuing_subword_prefix: string | null;
  end_of_word_suffix: string | null;
  fuse_unk: boolean;
  byte_fallback: boolean;
  ignore_merges: boolean;
  vocab: Record<string, number>;
  merges: Array<[string, string]>;
}

/** A whole `tokenizer.json` as finmm's trainers write it (no padding or truncation: the caller decides those). */
export interface TokenizerJson {
  version: '1.0';
  truncation: null;
  padding: null;
  added_tokens: AddedTokenJson[];
  normalizer: { [key: string]: JsonValue } | null;
  pre_tokenizer: { [key: string]: JsonValue } | null;
  model: WordPieceModelJson | BpeModelJson;
  post_processor: TemplateProcessingJson;
  decoder: { [key: string]: JsonValue } | null;
}

/** `added_tokens` entries for special tokens (matched verbatim, never normalised). */
export function specialAddedTokens(tokens: readonly string[], vocab: ReadonlyMap<string, number>): AddedTokenJson[] {
  return tokens.map((content) => {
    const id = vocab.get(content);
    if (id === undefined) throw new Error(`special token ${content} is not in the vocabulary`);
    return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
  });
}

/** A TemplateProcessing `start $A end` (pairs: `start $A end $B:1 end:1`), as BERT's and RoBERTa's tokenizers use. */
export function templateProcessing(start: string, end: string, vocab: ReadonlyMap<string, number>): TemplateProcessingJson {
  const special = (id: string, typeId: number): TemplatePieceJson => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: 'A' | 'B', typeId: number): TemplatePieceJson => ({ Sequence: { id, type_id: typeId } });
  const entry = (token: string): { id: string; ids: number[]; tokens: string[] } => {
    const id = vocab.get(token);
    if (id === undefined) throw new Error(`special token ${token} is not in the vocabulary`);
    return { id: token, ids: [id], tokens: [token] };
  };
  return {
    type: 'TemplateProcessing',
    single: [special(start, 0), sequence('A', 0), special(end, 0)],
    pair: [special(start, 0), sequence('A', 0), special(end, 0), sequence('B', 1), special(end, 1)],
    special_tokens: { [start]: entry(start), [end]: entry(end) },
  };
}

/** Writes a tokenizer.json (creating its folder); both `@huggingface/tokenizers` and Python's `tokenizers` load it. */
export function writeTokenizerJson(path: string, json: TokenizerJson): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(json)}\n`);
}
