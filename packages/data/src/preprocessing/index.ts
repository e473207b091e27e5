/** Preprocessing fitted on training rows only: scalers, quantile normalisers, category maps and their bundle. */
export * from './standard-scaler.js';
export * from './quantile-normalizer.js';
export * from './category-map.js';
export * from './bundle.js';
