/** Text encoders: tokenizers, BERT-family transformers with Hugging Face weights, MLM pretraining, light encoders. */
import { registry } from '@finmm/core';
import { transformerRegistration } from './transformer/registration.js';

export * from './transformer/config.js';
export * from './transformer/encoder.js';
export { transformerRegistration, transformerSchema, resolveArchitecture, type TransformerComponentConfig } from './transformer/registration.js';
export * from './transformer/hf-checkpoint.js';
export type { NamedWeight } from './transformer/params.js';

registry.register(transformerRegistration);
export * from './tokenizers/index.js';
export * from './light/index.js';
export * from './pretraining/index.js';
import { registerLightTextEncoders } from './light/registration.js';
registerLightTextEncoders(); // text/embedding-bag, text/cnn and text/tfidf
