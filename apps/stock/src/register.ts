// Registers the components stock models are built from (text, time-series, vision and tabular encoders,
// fusions and heads, losses).
import '@finmm/encoders-text';
import '@finmm/encoders-timeseries';
import '@finmm/encoders-vision';
import '@finmm/encoders-tabular';
import '@finmm/fusion';
import '@finmm/losses';
