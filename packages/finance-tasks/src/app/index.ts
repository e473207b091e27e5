/** The app kit shared by finmm's apps: CLI skeleton, config files and overrides, run directories, reports, predict input, explanations. */
export * from './errors.js';
export * from './cli.js';
export * from './overrides.js';
export * from './config-file.js';
export * from './app-config.js';
export * from './fingerprint.js';
export * from './run-dir.js';
export * from './stats.js';
export * from './binary-report.js';
export * from './report-markdown.js';
export * from './records.js';
export * from './progress.js';
export * from './integrated-gradients.js';
export * from './info-file.js';
