// BERT-style text normalisation and pre-tokenisation, as Hugging Face's BertNormalizer and BertPreTokenizer do it:
// the trainers split a corpus into words with it, so that they learn from the words the tokenizer will see.

/** Options of BERT normalisation (the fields of Hugging Face's `BertNormalizer`). */
export interface BertNormalizeOptions {
  /** Lowercase the text (uncased models); default true. */
  lowercase?: boolean;
  /** Remove accents (NFD, then drop combining marks); default: the value of `lowercase`, as in BERT. */
  stripAccents?: boolean | null;
  /** Drop control characters and turn every whitespace character into a space; default true. */
  cleanText?: boolean;
  /** Put spaces around CJK ideographs so that each becomes a word; default true. */
  handleChineseChars?: boolean;
}

const CONTROL = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}]/u;
const WHITESPACE = /\s/u;
const COMBINING_MARK = /\p{Mn}/gu;
/** Unicode punctuation (P*) plus every ASCII non-alphanumeric printable character, as BERT treats them. */
const PUNCTUATION = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const WORD_OR_PUNCTUATION = new RegExp(`[^\\s${PUNCTUATION}]+|[${PUNCTUATION}]`, 'gu');

/** Whether a code point is a CJK ideograph (the ranges of BERT's `_is_chinese_char`). */
function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** Normalises text as Hugging Face's `BertNormalizer`: clean, space CJK, strip accents, lowercase. */
export function bertNormalize(text: string, options: BertNormalizeOptions = {}): string {
  const lowercase = options.lowercase ?? true;
  const stripAccents = options.stripAccents ?? lowercase;
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (options.cleanText ?? true) {
      const isTabOrNewline = ch === '\t' || ch === '\n' || ch === '\r';
      if (cp === 0 || cp === 0xfffd || (!isTabOrNewline && CONTROL.test(ch))) continue;
      if (isTabOrNewline || WHITESPACE.test(ch)) {
        out += ' ';
        continue;
      }
    }
    out += (options.handleChineseChars ?? true) && isChineseChar(cp) ? ` ${ch} ` : ch;
  }
  if (stripAccents) out = out.normalize('NFD').replace(COMBINING_MARK, '');
  return lowercase ? out.toLowerCase() : out;
}

/** Splits normalised text as `BertPreTokenizer`: on whitespace, with each punctuation character a word of its own. */
export function bertPreTokenize(text: string): string[] {
  return text.match(WORD_OR_PUNCTUATION) ?? [];
}

/** The words of a text after BERT normalisation and pre-tokenisation, e.g. `"Net sales rose 5%."` -> `net sales rose 5 % .`. */
export function bertWords(text: string, options: BertNormalizeOptions = {}): string[] {
  return bertPreTokenize(bertNormalize(text, options));
}
