// Shared Vitest settings for every finmm project: resolve workspace packages to their TypeScript sources
// and select the TensorFlow.js backend once per test file.
import type { UserWorkspaceConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const setupFile = fileURLToPath(new URL('./tools/vitest-setup.ts', import.meta.url));

/** Vitest project config for the finmm project `name` (a folder under packages/, apps/ or tools/). */
export function finmmProject(name: string): UserWorkspaceConfig {
  return {
    resolve: { conditions: ['@finmm/source'] },
    ssr: { resolve: { conditions: ['@finmm/source'], externalConditions: ['@finmm/source'] } },
    test: {
      name,
      environment: 'node',
      include: ['test/**/*.test.ts'],
      setupFiles: [setupFile],
      pool: 'forks',
      // TensorFlow's C++ info lines (oneDNN, CPU features) would repeat in every worker.
      env: { TF_CPP_MIN_LOG_LEVEL: '2' },
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  };
}
