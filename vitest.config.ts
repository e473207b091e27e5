// Runs every project's tests: `npm test` (after a type check) or `npx vitest run`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tools'],
  },
});
