/** Masked per-task losses and multi-task loss combiners. */
export {};
