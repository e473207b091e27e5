#!/usr/bin/env node
/**
 * @file Compiles finmm's fused TensorFlow kernels (packages/core/native/finmm_kernels.c) into a Node addon that
 * registers them with the native backend's libtensorflow; run by the root postinstall after
 * install-native-backend.mjs, and safe to rerun by hand (it skips an up-to-date build).
 *
 * The kernels are an optimisation: when the headers, the library or a C compiler are missing, or the build
 * fails, this prints why and exits 0, and finmm uses TensorFlow's own ops instead (same results, slower).
 * FINMM_SKIP_KERNELS=1 skips the build; CC picks the compiler (default `cc`).
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TAG = '[finmm kernels]';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SRC_DIR = path.join(ROOT, 'packages', 'core', 'native');
const SOURCES = ['finmm_kernels.c', 'tf_kernel_api.h'];
const OUT = path.join(SRC_DIR, 'build', 'finmm_kernels.node');
const STAMP = `${OUT}.json`;
const LIB = 'libtensorflow_framework.so.2';
// -ffinite-math-only lets gcc turn the clamps into vector min/max; NaN inputs still give NaN (every result is a
// product with the raw input).
const FLAGS = ['-O3', '-std=c11', '-fPIC', '-shared', '-D_GNU_SOURCE', '-Wall', '-Wextra', '-fno-math-errno',
  '-fno-trapping-math', '-ffinite-math-only'];

/** Prints one prefixed line. */
const log = (msg) => console.log(`${TAG} ${msg}`);

/** Returns the reason the build cannot run, or the paths it needs. */
function locate() {
  if (process.platform !== 'linux') return { skip: `fused kernels are built on Linux only (this is ${process.platform})` };
  let pkgDir;
  try {
    pkgDir = path.dirname(createRequire(path.join(ROOT, 'package.json')).resolve('@tensorflow/tfjs-node-gpu/package.json'));
  } catch {
    return { skip: '@tensorflow/tfjs-node-gpu is not installed' };
  }
  const deps = path.join(pkgDir, 'deps');
  const include = path.join(deps, 'include');
  const libDir = path.join(deps, 'lib');
  for (const header of ['tensorflow/c/ops.h', 'tensorflow/c/tf_tensor.h', 'tensorflow/c/tf_status.h']) {
    if (!fs.existsSync(path.join(include, header))) return { skip: `${path.join(include, header)} is missing (no native backend headers)` };
  }
  if (!fs.existsSync(path.join(libDir, LIB))) return { skip: `${path.join(libDir, LIB)} is missing (no native backend)` };
  const nodeInclude = [path.resolve(process.execPath, '..', '..', 'include', 'node'), '/usr/include/node']
    .find((dir) => fs.existsSync(path.join(dir, 'node_api.h')));
  if (nodeInclude === undefined) return { skip: "Node's headers (node_api.h) were not found next to the node binary or in /usr/include/node" };
  return { include, libDir, nodeInclude };
}

/** The compiler command for the located paths. */
function command(where) {
  const rpath = path.relative(path.dirname(OUT), where.libDir); // the library's place relative to the addon
  return [process.env.CC || 'cc', ...FLAGS, `-I${SRC_DIR}`, `-I${where.nodeInclude}`, `-I${where.include}`,
    path.join(SRC_DIR, 'finmm_kernels.c'), '-o', `${OUT}.tmp`, `-L${where.libDir}`, `-l:${LIB}`, '-lpthread',
    `-Wl,-rpath,$ORIGIN/${rpath}`];
}

/** A fingerprint of the sources and the command, so an unchanged build is skipped. */
function fingerprint(cmd) {
  const hash = createHash('sha256');
  for (const file of SOURCES) hash.update(fs.readFileSync(path.join(SRC_DIR, file)));
  hash.update(JSON.stringify(cmd));
  return hash.digest('hex');
}

/** Builds (or skips); returns the exit code, always 0: the kernels are optional. */
function main() {
  if (process.env.FINMM_SKIP_KERNELS === '1') return (log('FINMM_SKIP_KERNELS=1: not building the fused kernels'), 0);
  const where = locate();
  if ('skip' in where) return (log(`not built: ${where.skip}; finmm uses TensorFlow's own ops instead`), 0);
  const cmd = command(where);
  const stamp = fingerprint(cmd);
  if (fs.existsSync(OUT) && fs.existsSync(STAMP) && JSON.parse(fs.readFileSync(STAMP, 'utf8')).fingerprint === stamp) {
    return (log(`up to date: ${path.relative(ROOT, OUT)}`), 0);
  }
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  const t0 = Date.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) {
    fs.rmSync(`${OUT}.tmp`, { force: true });
    const why = r.error ? r.error.message : `${r.stderr}`.trim().split('\n').slice(-20).join('\n    ');
    log(`build failed; finmm uses TensorFlow's own ops instead. Command: ${cmd.join(' ')}\n    ${why}`);
    return 0;
  }
  fs.renameSync(`${OUT}.tmp`, OUT); // atomic: a half-written addon is never loaded
  fs.writeFileSync(STAMP, `${JSON.stringify({ fingerprint: stamp, command: cmd }, null, 2)}\n`);
  log(`built ${path.relative(ROOT, OUT)} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return 0;
}

process.exitCode = main();
