// Pretraining corpus and masked-language-model pretraining through the trainer.
export * from './pretraining-corpus.js';
export * from './pretrain.js';
