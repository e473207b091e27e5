// GPT-2 / RoBERTa byte-level pre-tokenisation, as Hugging Face's ByteLevel pre-tokenizer does it: split with GPT-2's
// pattern, then write every UTF-8 byte of a piece as one printable character, so that no text is ever unknown.

/** GPT-2's split pattern (contractions, letter runs, digit runs, other runs, whitespace), each with one leading space. */
const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's map from each byte 0..255 to a printable character (printable Latin-1 bytes map to themselves). */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const printable = (b: number): boolean => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const chars: string[] = [];
  let shifted = 0;
  for (let b = 0; b < 256; b++) chars.push(String.fromCodePoint(printable(b) ? b : 256 + shifted++));
  return chars;
})();

/** The 256 characters of the byte-level alphabet, the initial alphabet of a byte-level BPE. */
export function byteLevelAlphabet(): string[] {
  return [...BYTE_TO_CHAR];
}

const encoder = new TextEncoder();

/** Byte-level pre-tokens of a text; with `addPrefixSpace` a space is prepended unless the text starts with one. */
export function byteLevelPreTokenize(text: string, addPrefixSpace: boolean): string[] {
  const input = addPrefixSpace && !text.startsWith(' ') ? ` ${text}` : text;
  return (input.match(GPT2_PATTERN) ?? []).map((piece) => Array.from(encoder.encode(piece), (b) => BYTE_TO_CHAR[b] as string).join(''));
}
