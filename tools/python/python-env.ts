// The reference Python environment used by tools/ and test fixtures only: finmm never runs Python at runtime.
// It lives in the user's cache (FINMM_PYTHON_VENV overrides), shared by every clone on the machine, and is
// rebuilt when tools/python/requirements.txt changes. `node tools/run-ts.mjs tools/python/python-env.ts` creates it.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const toolsPythonDir = dirname(fileURLToPath(import.meta.url));

/** Absolute path of the repository root (two folders above tools/python/). */
export const repoRoot = resolve(toolsPythonDir, '..', '..');
/** Absolute path of the pinned requirements file the venv is built from. */
export const requirementsPath = join(toolsPythonDir, 'requirements.txt');
const cacheRoot = process.env['FINMM_CACHE_DIR'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'finmm');
/** Absolute path of the reference virtual environment. */
export const venvDir = resolve(process.env['FINMM_PYTHON_VENV'] ?? join(cacheRoot, 'python-ref'));

// Written after a successful `pip install`; holds the hash of the requirements it installed.
const markerPath = join(venvDir, '.finmm-requirements.sha256');
// In the temp folder, keyed by the venv path, so that a lock left by a killed process never litters the repo.
const lockDir = join(tmpdir(), `finmm-venv-ref-${createHash('sha256').update(venvDir).digest('hex').slice(0, 12)}.lock`);
const lockWaitMs = 30 * 60_000;
const outputTailChars = 4000;

/** Options for ensurePythonVenv. */
export interface PythonVenvOptions {
  /** Stream the output of `python3 -m venv` and `pip install` to this process's stdout/stderr (default false). */
  verbose?: boolean;
}

/** Returns the path of the reference venv's python, creating the venv and installing the pinned requirements if needed. */
export function ensurePythonVenv(options: PythonVenvOptions = {}): string {
  const python = venvPython();
  const wanted = requirementsHash();
  if (isReady(python, wanted)) return python;
  withLock(() => {
    if (isReady(python, wanted)) return; // another process finished it while we waited
    if (!existsSync(python)) {
      rmSync(venvDir, { recursive: true, force: true }); // a half-created venv is not worth repairing
      runStep('python3', ['-m', 'venv', venvDir], 'create the venv', options);
    }
    // Few retries: an index that cannot be reached should fail in seconds, not minutes.
    const pipArgs = ['-m', 'pip', 'install', '--retries', '1', '--timeout', '30', '-r', requirementsPath];
    runStep(python, pipArgs, 'install tools/python/requirements.txt', options);
    writeFileSync(markerPath, `${wanted}\n`);
  });
  return python;
}

/** Path of the python executable inside the reference venv (it may not exist yet). */
export function venvPython(): string {
  return process.platform === 'win32' ? join(venvDir, 'Scripts', 'python.exe') : join(venvDir, 'bin', 'python');
}

function requirementsHash(): string {
  return createHash('sha256').update(readFileSync(requirementsPath)).digest('hex');
}

function isReady(python: string, wantedHash: string): boolean {
  if (!existsSync(python) || !existsSync(markerPath)) return false;
  return readFileSync(markerPath, 'utf8').trim() === wantedHash;
}

function runStep(command: string, args: string[], what: string, options: PythonVenvOptions): void {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: options.verbose ? 'inherit' : 'pipe',
    maxBuffer: 256 * 1024 * 1024,
  });
  const failure = result.error as NodeJS.ErrnoException | undefined;
  if (failure?.code === 'ENOENT') {
    throw new Error(
      `ensurePythonVenv: '${command}' was not found; install Python 3 (with the venv module) to ${what} in ${venvDir}`,
      { cause: failure },
    );
  }
  if (failure) throw new Error(`ensurePythonVenv: could not ${what}: ${failure.message}`, { cause: failure });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.slice(-outputTailChars);
    const exit = result.status === null ? `signal ${result.signal ?? '?'}` : `exit code ${result.status}`;
    throw new Error(`ensurePythonVenv: could not ${what} (${command} ${args.join(' ')}: ${exit})\n${output}`);
  }
}

// A lock directory serialises concurrent creators (e.g. several test workers); a lock left by a dead process is taken over.
function withLock(body: () => void): void {
  const deadline = Date.now() + lockWaitMs;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (lockIsStale()) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`ensurePythonVenv: timed out waiting for the lock ${lockDir}`, { cause: error });
      }
      sleepSync(1000);
    }
  }
  try {
    writeFileSync(join(lockDir, 'pid'), String(process.pid));
    body();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function lockIsStale(): boolean {
  try {
    const pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EPERM') return false; // alive, owned by someone else
    // No pid file yet: the owner may be between mkdir and writeFile; only call it stale after a minute.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return lockAgeMs() > 60_000;
    return true;
  }
}

function lockAgeMs(): number {
  try {
    return Date.now() - statSync(lockDir).mtimeMs;
  } catch {
    return 0; // released meanwhile: the next mkdir will tell
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const python = ensurePythonVenv({ verbose: true });
  console.log(python);
}
