/** Tabular encoders: numeric and categorical features as an MLP or feature tokens; importing registers them. */
import { registerTabularEncoders } from './registration.js';

export * from './features.js';
export * from './mlp-encoder.js';
export * from './ft-transformer.js';
export * from './preprocessor.js';
export { ACTIVATIONS, type Activation } from '@finmm/core';
export {
  ftTransformerRegistration,
  ftTransformerSchema,
  registerTabularEncoders,
  resolveLayout,
  TABULAR_ENCODER_TYPES,
  tabularMlpRegistration,
  tabularMlpSchema,
} from './registration.js';

registerTabularEncoders();
