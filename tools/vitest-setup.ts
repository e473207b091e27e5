// Runs before every test file: picks the TensorFlow.js backend (FINMM_BACKEND or the best available).
import { initBackend } from '@finmm/core';

await initBackend();
