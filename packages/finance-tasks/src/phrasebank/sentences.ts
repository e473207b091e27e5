// Parses a Financial PhraseBank agreement file: ISO-8859-1, CRLF, one `sentence@label` per line.
import { DataError, rejectRecord, type BadRecordPolicy } from '@finmm/data';
import { splitLines } from '../common/lines.js';

/**
 * Sentiment classes in index order: negative 0, neutral 1, positive 2 (ordinal, so `index - 1` is the sign).
 * FinBERT's code orders them positive/negative/neutral; map by name, not index, when comparing.
 */
export const PHRASEBANK_CLASSES = ['negative', 'neutral', 'positive'] as const;
export type PhraseBankClass = (typeof PHRASEBANK_CLASSES)[number];

/** One labelled sentence. */
export interface PhraseBankRecord {
  /** 0-based index among the file's non-empty lines (the FinBERT split's index), kept when others are skipped. */
  row: number;
  /** 1-based line number in the file. */
  line: number;
  sentence: string;
  /** Index into PHRASEBANK_CLASSES. */
  label: number;
}

/** Decodes the bytes as ISO-8859-1 (every byte is one character, as in the original release). */
export function decodeLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** The parsed records and the number of non-empty lines (the row count the FinBERT split refers to). */
export interface ParsedPhraseBank {
  records: PhraseBankRecord[];
  rows: number;
}

/** The records of an agreement file's text; a line without `@`, an empty sentence or an unknown label is a DataError. */
export function parsePhraseBankText(text: string, file: string, policy: BadRecordPolicy = {}): ParsedPhraseBank {
  const records: PhraseBankRecord[] = [];
  let row = 0;
  for (const { line, text: raw } of splitLines(text)) {
    if (raw.trim() === '') continue;
    const thisRow = row++;
    const at = raw.lastIndexOf('@');
    if (at < 0) {
      rejectRecord(new DataError({ file, line, field: 'label' }, `expected "sentence@label", found no "@" in "${raw.slice(0, 60)}"`), policy);
      continue;
    }
    const sentence = raw.slice(0, at).trim();
    const labelText = raw.slice(at + 1).trim();
    const label = PHRASEBANK_CLASSES.indexOf(labelText as PhraseBankClass);
    if (label < 0) {
      rejectRecord(new DataError({ file, line, field: 'label' }, `unknown label "${labelText}"; expected one of ${PHRASEBANK_CLASSES.join(', ')}`), policy);
      continue;
    }
    if (sentence === '') {
      rejectRecord(new DataError({ file, line, field: 'sentence' }, 'empty sentence before "@"'), policy);
      continue;
    }
    records.push({ row: thisRow, line, sentence, label });
  }
  return { records, rows: row };
}
