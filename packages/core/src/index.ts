/** @finmm/core: typed contracts, the component registry, backend selection, safetensors and model directories. */
export * from './contracts.js';
export * from './registry.js';
export * from './backend.js';
export * from './data-dir.js';
export { runDoctor, type DoctorReport } from './cli/doctor.js';
export * from './rng.js';
