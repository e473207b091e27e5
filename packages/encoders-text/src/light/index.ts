/** Light text encoders for fast baselines and small data: a fastText-style embedding bag and a TextCNN. */
export * from './fnv1a.js';
export * from './ngrams.js';
export * from './embedding-bag.js';
export * from './text-cnn.js';
export * from './registration.js';
