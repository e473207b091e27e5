import { defineProject } from 'vitest/config';
import { finmmProject } from '../../vitest.shared.js';

export default defineProject(finmmProject('sentiment'));
