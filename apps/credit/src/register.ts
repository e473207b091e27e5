// Registers the components credit models are built from (tabular encoders, fusions and heads, losses).
import '@finmm/encoders-tabular';
import '@finmm/fusion';
import '@finmm/losses';
