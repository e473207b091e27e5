/** Text encoders: tokenizers, BERT-family transformers with Hugging Face weights, MLM pretraining, light encoders. */
export {};
