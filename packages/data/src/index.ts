/** Apache Arrow tables, dataset schemas, readers, splits, preprocessing and batching. */
export {};
