/** Time-series encoders and OHLCV features: LSTM, GRU, ALSTM, TCN, transformer. */
export {};
