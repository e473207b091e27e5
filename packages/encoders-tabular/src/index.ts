/** Tabular encoders: numeric and categorical features as an MLP or feature tokens. */
export {};
