#!/usr/bin/env node
/**
 * @file Makes the native TensorFlow backend of @tensorflow/tfjs-node-gpu work; the root postinstall.
 *
 * The package's own install script is denied (package.json allowScripts), so after `npm ci` it has no
 * deps/ and no compiled addon. This script: checks whether the addon already loads; else runs the
 * package's own installer (downloads libtensorflow from Google's storage); else assembles libtensorflow
 * from a tensorflow-cpu wheel (FINMM_TF_WHEEL, a cached copy, or `pip download`), puts it in deps/ and
 * builds the addon from source. Idempotent; safe to rerun by hand. See README.md beside it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TAG = '[finmm native-backend]';
const PKG = '@tensorflow/tfjs-node-gpu';
const SELF = 'node tools/native-backend/install-native-backend.mjs';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = process.env;
const TF_VERSION = env.FINMM_TF_VERSION || '2.21.0';
const PYTHON = env.FINMM_PYTHON || 'python3';
const CACHE_ROOT =
  env.FINMM_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'finmm');
const MARKER = '.finmm-libtensorflow.json';
const CC = 'libtensorflow_cc.so.2';
const FW = 'libtensorflow_framework.so.2';
/** Names binding.gyp links (-ltensorflow -ltensorflow_framework) and install.js looks for (2.9.1). */
const LINKS = [['libtensorflow.so', CC], ['libtensorflow.so.2', CC], ['libtensorflow.so.2.9.1', CC],
  ['libtensorflow_framework.so', FW], ['libtensorflow_framework.so.2.9.1', FW]];
/** Wheel members to extract; `*` also matches `/` (as in unzip and Python's fnmatch). */
const MEMBERS = [
  `tensorflow/${CC}`, `tensorflow/${FW}`,
  'tensorflow/include/tensorflow/c/*', 'tensorflow/include/xla/tsl/c/*',
  'tensorflow/include/tensorflow/core/platform/ctstring*', 'tensorflow/include/tsl/platform/ctstring*',
];
const HOW_TO = `${TAG} Any one of these installs the native TensorFlow backend:
  1. internet access to storage.googleapis.com, then rerun: ${SELF}
  2. a wheel copied from a machine with internet: FINMM_TF_WHEEL=/path/to/tensorflow_cpu-${TF_VERSION}-cp311-...whl ${SELF}
  3. a pip index serving tensorflow-cpu==${TF_VERSION} (\`${PYTHON} -m pip download --no-deps tensorflow-cpu==${TF_VERSION}\` must work), then rerun: ${SELF}
  Or set FINMM_SKIP_NATIVE=1 to install without it (finmm then falls back to the wasm or cpu backend).`;
const timings = [];

/** Prints one prefixed line. */
const log = (msg) => console.log(`${TAG} ${msg}`);

/** Returns the last n lines of a command's output, indented, for error messages. */
const tail = (text, n = 40) => String(text).trimEnd().split('\n').slice(-n).map((l) => `    ${l}`).join('\n');

/** Runs fn and prints and records how long the phase took. */
function phase(name, fn) {
  const t0 = Date.now();
  try { return fn(); } finally {
    const s = `${((Date.now() - t0) / 1000).toFixed(1)}s`;
    log(`${name}: ${s}`);
    timings.push(`${name} ${s}`);
  }
}

/** Runs a command synchronously; returns ok, status, error and its stdout and stderr interleaved as out. */
function run(cmd, args, opts = {}) {
  const file = path.join(os.tmpdir(), `finmm-native-backend-${process.pid}.log`);
  const fd = fs.openSync(file, 'w');
  let r;
  try { r = spawnSync(cmd, args, { stdio: ['ignore', fd, fd], ...opts }); } finally { fs.closeSync(fd); }
  const out = fs.readFileSync(file, 'utf8');
  fs.rmSync(file, { force: true });
  return { ok: r.status === 0, status: r.status ?? r.signal, error: r.error, out };
}

/** Returns the first error line of a failed command, or its exit status. */
const why = (r) =>
  (r.out.split('\n').find((l) => /^\s*\w*Error:|error:/.test(l)) ?? r.error?.message ?? `exit ${r.status}`).trim().slice(0, 240);

/** Loads the package in a child node (a crash stays there) and computes 1+2 on it. */
function checkBinding() {
  const code = `const tf=require(${JSON.stringify(PKG)});const s=tf.add(tf.scalar(1),tf.scalar(2)).dataSync()[0];` +
    `if(s!==3)throw new Error('1+2 gave '+s);console.log('FINMM_OK',tf.getBackend(),tf.backend().binding.TF_Version)`;
  const r = run(process.execPath, ['-e', code], { cwd: ROOT, timeout: 180_000 });
  const m = /FINMM_OK (\S+) (\S+)/.exec(r.out);
  return r.ok && m ? { ok: true, backend: m[1], version: m[2] } : { ok: false, reason: why(r) };
}

/** Runs the package's own installer as its install script would; true when it succeeded. */
function tryDownload(pkgDir) {
  const r = run(process.execPath, ['scripts/install.js', 'gpu', 'download'], { cwd: pkgDir, timeout: 15 * 60_000 });
  if (!r.ok) log(`download of libtensorflow failed (${why(r)}); falling back to a local TensorFlow wheel`);
  return r.ok;
}

/** Returns the cache dir for a wheel's distribution name and version. */
const cacheDirFor = (dist, version) =>
  path.join(CACHE_ROOT, `libtensorflow-${version}-${dist === 'tensorflow_cpu' ? 'cpu' : dist}`);

/** Reads a cache dir's completion marker, or returns null when the cache is absent or incomplete. */
function readMarker(dir) {
  try { return JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8')); } catch { return null; }
}

/** Downloads the tensorflow-cpu wheel with pip into dir and returns its path. */
function pipDownload(dir) {
  const spec = `tensorflow-cpu==${TF_VERSION}`;
  const base = ['-m', 'pip', 'download', '--no-deps', '--disable-pip-version-check', spec, '-d', dir];
  let r;
  // libtensorflow_cc does not link libpython, so a CPython 3.11 wheel serves any python.
  for (const extra of [[], ['--only-binary=:all:', '--python-version', '3.11']]) {
    log(`${PYTHON} ${[...base, ...extra].join(' ')}`);
    r = run(PYTHON, [...base, ...extra], { timeout: 30 * 60_000 });
    if (r.ok) break;
  }
  const wheel = r.ok && fs.readdirSync(dir).find((f) => f.endsWith('.whl'));
  if (wheel) return path.join(dir, wheel);
  throw new Error(`pip could not download ${spec}:\n${tail(r.out || r.error, 15)}`);
}

/** Extracts MEMBERS of a zip into dest: with unzip, else Python's zipfile, else adm-zip (all in memory). */
function unzipMembers(zip, dest, pkgDir) {
  fs.mkdirSync(dest, { recursive: true });
  if (run('unzip', ['-v']).ok) {
    const r = run('unzip', ['-q', '-o', zip, ...MEMBERS, '-d', dest]);
    if (r.ok || r.status === 11) return; // 11: some pattern matched nothing; missing libraries are checked later
    throw new Error(`unzip ${zip} failed:\n${tail(r.out)}`);
  }
  const py = 'import fnmatch,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\n' +
    'z.extractall(sys.argv[2],[n for n in z.namelist() if any(fnmatch.fnmatchcase(n,p) for p in sys.argv[3:])])';
  if (run(PYTHON, ['-c', py, zip, dest, ...MEMBERS]).ok) return;
  const AdmZip = createRequire(path.join(pkgDir, 'package.json'))('adm-zip');
  const glob = (g) => g.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  const re = new RegExp(`^(?:${MEMBERS.map(glob).join('|')})$`);
  const z = new AdmZip(zip);
  const wanted = z.getEntries().filter((e) => !e.isDirectory && re.test(e.entryName));
  for (const e of wanted) z.extractEntryTo(e, path.join(dest, path.dirname(e.entryName)), false, true);
}

/** Creates the library names the addon links against as relative symlinks in libDir. */
function makeLinks(libDir) {
  for (const [name, target] of LINKS) {
    fs.rmSync(path.join(libDir, name), { force: true });
    fs.symlinkSync(target, path.join(libDir, name));
  }
}

/** Builds the cache dir (include/, lib/, marker) from a wheel in a temp dir, then renames it into place. */
function extract(wheel, dir, stamp, pkgDir) {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    unzipMembers(wheel, tmp, pkgDir);
    const tf = path.join(tmp, 'tensorflow');
    const missing = [CC, FW, 'include/tensorflow/c/c_api.h'].filter((f) => !fs.existsSync(path.join(tf, f)));
    if (missing.length) throw new Error(`${wheel} lacks tensorflow/${missing.join(', ')}; is it a TensorFlow wheel?`);
    fs.renameSync(path.join(tf, 'include'), path.join(tmp, 'include'));
    fs.mkdirSync(path.join(tmp, 'lib'));
    for (const f of [CC, FW]) fs.renameSync(path.join(tf, f), path.join(tmp, 'lib', f));
    fs.rmSync(tf, { recursive: true });
    makeLinks(path.join(tmp, 'lib'));
    fs.writeFileSync(path.join(tmp, MARKER), `${JSON.stringify({ ...stamp, created: new Date().toISOString() })}\n`);
    if (fs.existsSync(dir)) fs.renameSync(dir, old);
    fs.renameSync(tmp, dir);
    log(`cached libtensorflow from ${stamp.wheel} in ${dir}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(old, { recursive: true, force: true });
  }
}

/** Returns a complete cache dir: from FINMM_TF_WHEEL, else an existing cache, else a pip-downloaded wheel. */
function ensureCache(pkgDir) {
  if (env.FINMM_TF_WHEEL) {
    const wheel = path.resolve(env.FINMM_TF_WHEEL);
    if (!fs.existsSync(wheel)) throw new Error(`FINMM_TF_WHEEL=${env.FINMM_TF_WHEEL} does not exist`);
    const [dist, version] = path.basename(wheel).split('-');
    const dir = cacheDirFor(dist, version);
    const stamp = { wheel: path.basename(wheel), size: fs.statSync(wheel).size };
    const m = readMarker(dir);
    if (m?.wheel === stamp.wheel && m?.size === stamp.size) log(`using cached ${dir} (from ${stamp.wheel})`);
    else phase('extract wheel', () => extract(wheel, dir, stamp, pkgDir));
    return dir;
  }
  const dir = cacheDirFor('tensorflow_cpu', TF_VERSION);
  if (readMarker(dir)) return (log(`using cached ${dir}`), dir);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'finmm-tf-wheel-'));
  try {
    const wheel = phase('pip download', () => pipDownload(tmp));
    const stamp = { wheel: path.basename(wheel), size: fs.statSync(wheel).size };
    phase('extract wheel', () => extract(wheel, dir, stamp, pkgDir));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

/** Fills the package's deps/ from the cache: headers copied, .so files hard-linked (else copied), links remade. */
function installDeps(cache, pkgDir) {
  const deps = path.join(pkgDir, 'deps');
  fs.rmSync(deps, { recursive: true, force: true });
  fs.mkdirSync(path.join(deps, 'lib'), { recursive: true });
  fs.cpSync(path.join(cache, 'include'), path.join(deps, 'include'), { recursive: true });
  let how = 'hard-linked';
  for (const f of [CC, FW]) {
    const [src, dst] = [path.join(cache, 'lib', f), path.join(deps, 'lib', f)];
    try { fs.linkSync(src, dst); } catch { fs.copyFileSync(src, dst); how = 'copied'; }
  }
  makeLinks(path.join(deps, 'lib'));
  log(`filled ${deps} from the cache (.so files ${how})`);
}

/** Compiles the addon with the package's own node-pre-gyp; shows the build output on failure. */
function buildAddon(pkgDir) {
  const bin = createRequire(path.join(pkgDir, 'package.json')).resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp');
  const prefix = path.resolve(process.execPath, '..', '..'); // node's own headers, so node-gyp needs no download
  const own = !env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include/node/node_api.h'));
  const buildEnv = own ? { ...env, npm_config_nodedir: prefix } : env;
  const r = run(process.execPath, [bin, 'install', '--build-from-source'], { cwd: pkgDir, env: buildEnv, timeout: 20 * 60_000 });
  if (!r.ok) throw new Error(`node-pre-gyp install --build-from-source failed in ${pkgDir}:\n${tail(r.out || r.error, 60)}`);
}

/** Runs the phases in order (see the file comment); returns the exit code or throws. */
function main() {
  const works = (c) => (log(`native backend works: backend '${c.backend}', TensorFlow ${c.version}`), 0);
  if (env.FINMM_SKIP_NATIVE === '1') return (log('FINMM_SKIP_NATIVE=1: skipping the native TensorFlow backend'), 0);
  let pkgDir;
  try {
    pkgDir = path.dirname(createRequire(path.join(ROOT, 'package.json')).resolve(`${PKG}/package.json`));
  } catch {
    return (log(`${PKG} is not installed; nothing to do`), 0);
  }
  let c = phase('check', checkBinding);
  if (c.ok) return works(c);
  log(`native binding not usable yet (${c.reason})`);
  if (env.FINMM_NATIVE_OFFLINE === '1') log("FINMM_NATIVE_OFFLINE=1: not trying the download from Google's storage");
  else if (phase('download (package install.js)', () => tryDownload(pkgDir))) {
    c = phase('check', checkBinding);
    if (c.ok) return works(c);
    log(`the downloaded backend does not load (${c.reason}); falling back to a local TensorFlow wheel`);
  }
  if (process.platform !== 'linux') throw new Error(`no wheel fallback on ${process.platform}: it assembles Linux .so files`);
  const cache = ensureCache(pkgDir);
  phase('fill deps/', () => installDeps(cache, pkgDir));
  phase('build addon', () => buildAddon(pkgDir));
  c = phase('check', checkBinding);
  if (c.ok) return works(c);
  throw new Error(`the addon was built but does not load: ${c.reason}`);
}

const start = Date.now();
try {
  process.exitCode = main();
} catch (e) {
  console.error(`${TAG} ERROR: ${e.message}\n${HOW_TO}`);
  process.exitCode = 1;
} finally {
  log(`total ${((Date.now() - start) / 1000).toFixed(1)}s${timings.length ? ` (${timings.join(', ')})` : ''}`);
}
