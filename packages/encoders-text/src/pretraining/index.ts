// Masked-language-model pretraining of the BERT encoder: vocabulary view, masking, sequences, batches, the MLM
// model with BERT's head and its Hugging Face BertForMaskedLM checkpoints.
export * from './mlm-vocab.js';
export * from './masking.js';
export * from './sequences.js';
export * from './collator.js';
export * from './mlm-data.js';
export * from './mlm-head.js';
export * from './mlm-loss.js';
export * from './mlm-model.js';
export * from './mlm-checkpoint.js';
export * from './evaluate.js';
