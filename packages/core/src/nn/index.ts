// Neural-network building blocks shared by the encoder and fusion packages.
export * from './names.js';
export * from './params.js';
export * from './ops.js';
export * from './attention.js';
export * from './dropout-seeds.js';
