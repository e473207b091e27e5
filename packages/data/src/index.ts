/** @finmm/data: Apache Arrow tables, dataset schemas, readers, splits, preprocessing and batching. */
export * from './errors.js';
export * from './schema.js';
