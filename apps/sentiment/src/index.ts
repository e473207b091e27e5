/** Financial sentiment analysis app (Financial PhraseBank). */
export {};
