/** Masked per-task losses and multi-task loss combiners; importing this package registers the losses. */
import { registerLosses } from './register.js';

export * from './masked.js';
export * from './cross-entropy.js';
export * from './bce.js';
export * from './focal.js';
export * from './mse.js';
export * from './huber.js';
export * from './hinge.js';
export * from './combine.js';
export { registerLosses, LOSS_TYPES } from './register.js';

registerLosses();
