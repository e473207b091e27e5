/** Time-series encoders and OHLCV features: LSTM, GRU, ALSTM, TCN, transformer. */
import { registry } from '@finmm/core';
import { alstmRegistration } from './encoders/alstm.js';
import { gruRegistration, lstmRegistration } from './encoders/recurrent-encoder.js';
import { tcnRegistration } from './encoders/tcn.js';
import { seriesTransformerRegistration } from './encoders/transformer.js';

export * from './data/ohlcv.js';
export * from './data/yahoo-csv.js';
export * from './data/features.js';
export * from './data/windows.js';
export * from './data/scaler.js';
export * from './encoders/recurrent-encoder.js';
export * from './encoders/alstm.js';
export * from './encoders/tcn.js';
export * from './encoders/transformer.js';
export type { CommonArgs } from './encoders/common.js';
export type { NamedVariable } from '@finmm/core';
export { CELLS, type CellKind } from './layers/recurrent.js';

/** Every time-series encoder registration, in the order they are registered. */
export const timeseriesRegistrations = [lstmRegistration, gruRegistration, alstmRegistration, tcnRegistration, seriesTransformerRegistration] as const;

registry.register(lstmRegistration);
registry.register(gruRegistration);
registry.register(alstmRegistration);
registry.register(tcnRegistration);
registry.register(seriesTransformerRegistration);
