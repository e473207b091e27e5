/** Fusion of modality embeddings (concat, gated, attention, late), task heads and the model builder; importing registers them. */
import { registerFusionComponents } from './registration.js';

export * from './fusions/layout.js';
export * from './fusions/concat.js';
export * from './fusions/gated.js';
export * from './fusions/attention.js';
export * from './fusions/late.js';
export * from './heads/heads.js';
export * from './registration.js';
export { ACTIVATIONS, type Activation } from '@finmm/core';
export * from './model/config.js';
export * from './model/embeddings.js';
export * from './model/modality-dropout.js';
export * from './model/fused-model.js';
export * from './model/build.js';
export * from './model/multitask.js';
export * from './model/co-training.js';
export * from './model/co-training-loop.js';
export * from './model/persist.js';

registerFusionComponents();
