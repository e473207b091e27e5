// Registers the components sentiment models are built from: text encoders, fusions and heads, losses, and the
// app's multi-branch text encoders `text/ngram-transformer` and `text/tfidf-plus`.
import { registry } from '@finmm/core';
import '@finmm/encoders-text';
import '@finmm/fusion';
import '@finmm/losses';
import { DUAL_TEXT_TYPE, dualTextRegistration } from './model/dual-encoder.js';
import { TFIDF_PLUS_TYPE, tfidfPlusRegistration } from './model/tfidf-plus.js';

if (registry.get(DUAL_TEXT_TYPE) === undefined) registry.register(dualTextRegistration);
if (registry.get(TFIDF_PLUS_TYPE) === undefined) registry.register(tfidfPlusRegistration);
