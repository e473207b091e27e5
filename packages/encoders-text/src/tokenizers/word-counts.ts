// Counting the words of a corpus, the input of the merge trainer.

/** How often each word occurs in a corpus, after splitting each text with `split`. */
export function countWords(texts: Iterable<string>, split: (text: string) => string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const word of split(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/** Token -> id of a token list. */
export function vocabMap(tokens: readonly string[]): Map<string, number> {
  return new Map(tokens.map((t, i) => [t, i]));
}
