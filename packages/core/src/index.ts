/** @finmm/core: typed contracts, the component registry, backend selection, safetensors, model directories and the shared neural-network building blocks (nn/). */
export * from './contracts.js';
export * from './registry.js';
export * from './backend.js';
export * from './native-kernels.js';
export { installNativeMatMul, nativeMatMulInstalled } from './native-matmul.js';
export * from './data-dir.js';
export { runDoctor, type DoctorReport } from './cli/doctor.js';
export * from './rng.js';
export * from './float16.js';
export * from './safetensors.js';
export * from './safetensors-tf.js';
export * from './model-dir.js';
export { fsyncDirectory, tempSiblingPath, writeAndSync } from './atomic-write.js';
export * from './nn/index.js';
