/** Evaluation metrics over plain arrays, verified against scikit-learn. */
export * from './confusion.js';
export * from './report.js';
export * from './ranking.js';
export * from './probability.js';
export * from './regression.js';
