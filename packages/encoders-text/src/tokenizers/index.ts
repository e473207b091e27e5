/** Tokenizers of @finmm/encoders-text: Hugging Face tokenizer.json files through @huggingface/tokenizers, and trainers. */
export * from './bert-text.js';
export * from './byte-level.js';
export * from './merge-trainer.js';
export * from './wordpiece-trainer.js';
export * from './bpe-trainer.js';
export * from './tokenizer-json.js';
export * from './special-template.js';
export * from './hf-tokenizer.js';
export { countWords } from './word-counts.js';
