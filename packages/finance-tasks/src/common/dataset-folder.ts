// Locates a dataset's folder in its original layout, optionally under an explicit data directory.
import { requireDataset } from '@finmm/core';

/** A known dataset's folder: under `dataDir` when given, else via FINMM_DATA_DIR or ../shared/data; the error names the layout. */
export function datasetFolder(folder: string, dataDir?: string): string {
  const env = dataDir === undefined ? process.env : { ...process.env, FINMM_DATA_DIR: dataDir };
  return requireDataset(folder, env);
}
