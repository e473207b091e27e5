// Registers the components sentiment models are built from: text encoders, fusions and heads, losses, and the
// app's two-branch text encoder `text/ngram-transformer`.
import { registry } from '@finmm/core';
import '@finmm/encoders-text';
import '@finmm/fusion';
import '@finmm/losses';
import { DUAL_TEXT_TYPE, dualTextRegistration } from './model/dual-encoder.js';

if (registry.get(DUAL_TEXT_TYPE) === undefined) registry.register(dualTextRegistration);
