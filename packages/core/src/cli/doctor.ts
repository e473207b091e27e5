// `finmm doctor`: reports the backend, TensorFlow version, GPU, threads and the data directory's datasets.
import { initBackend, NATIVE_INSTALL_HINT, type BackendInfo } from '../backend.js';
import { fusedKernelsStatus } from '../native-kernels.js';
import { datasetsIn, findDataDir, KNOWN_DATASETS, expectedLayout } from '../data-dir.js';

/** What doctor found; `ok` is false when the native backend is missing. */
export interface DoctorReport {
  ok: boolean;
  lines: string[];
}

/** Checks the environment and returns the report doctor prints. */
export async function runDoctor(): Promise<DoctorReport> {
  const lines: string[] = [];
  let backend: BackendInfo | null = null;
  let backendError: string | null = null;
  try {
    backend = await initBackend();
  } catch (error) {
    backendError = error instanceof Error ? error.message : String(error);
  }
  if (backend !== null) {
    lines.push(`backend:      ${backend.name}${backend.forced ? ' (forced by FINMM_BACKEND)' : ''}`);
    lines.push(`tfjs:         ${backend.tfjsVersion}`);
    lines.push(`tensorflow:   ${backend.tensorflowVersion ?? '(native library not loaded)'}`);
    lines.push(`gpu:          ${backend.gpu ? 'yes' : 'no'}`);
    lines.push(`threads:      ${backend.threads}`);
    if (backend.name === 'tensorflow') {
      const fused = fusedKernelsStatus();
      lines.push(`fused ops:    ${fused.active ? fused.ops.join(', ') : `not used: ${fused.reason ?? ''}`}`);
    }
    for (const reason of backend.fallbackReasons) lines.push(`not used:     ${reason}`);
  } else {
    lines.push(`backend:      none (${backendError ?? 'unknown error'})`);
  }
  let dataLine: string;
  try {
    const found = findDataDir();
    if (found === null) {
      dataLine = `data dir:     not found. ${expectedLayout()}`;
    } else {
      const held = datasetsIn(found.dir);
      lines.push(`data dir:     ${found.dir} (${found.how === 'default' ? 'default ../shared/data' : 'FINMM_DATA_DIR'})`);
      dataLine = `datasets:     ${KNOWN_DATASETS.map((d) => `${d.folder} ${held.includes(d) ? 'yes' : 'missing'}`).join(', ')}`;
    }
  } catch (error) {
    dataLine = `data dir:     ${error instanceof Error ? error.message : String(error)}`;
  }
  lines.push(dataLine);
  const native = backend !== null && backend.name === 'tensorflow';
  if (!native) {
    lines.push(
      backend?.forced === true
        ? `note:         FINMM_BACKEND forces '${backend.name}'; unset it to check the native backend.`
        : `problem:      the native TensorFlow backend is missing. ${NATIVE_INSTALL_HINT}`,
    );
  }
  return { ok: native || backend?.forced === true, lines };
}
