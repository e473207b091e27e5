/** Loaders and task definitions for Financial PhraseBank, StockNet and German Credit. */
export {};
