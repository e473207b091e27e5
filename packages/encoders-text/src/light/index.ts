/** Light text encoders for fast baselines and small data: a fastText-style embedding bag, a TextCNN, and a TF-IDF vectoriser with its linear ("wide") encoder. */
export * from './fnv1a.js';
export * from './ngrams.js';
export * from './embedding-bag.js';
export * from './text-cnn.js';
export * from './tfidf.js';
export * from './tfidf-encoder.js';
export * from './registration.js';
