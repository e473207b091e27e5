// A model directory: config.json + model.safetensors (+ extra files such as tokenizer.json, preprocessing.json).
// Saving builds the whole directory in a hidden sibling, flushes it to disk, then swaps it into place with renames,
// so a process that dies at any point leaves either the previous model or the new one, never a mix.
import { lstat, mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fsyncDirectory, tempSiblingPath, writeAndSync } from './atomic-write.js';
import {
  encodeSafetensors,
  readSafetensors,
  type SafetensorsMetadata,
  type SafetensorsTensor,
  type SafetensorsTensors,
} from './safetensors.js';

export { writeFileAtomic } from './atomic-write.js';

/** Name of the JSON config file of a model directory. */
export const MODEL_CONFIG_FILE = 'config.json';
/** Name of the weights file of a model directory. */
export const MODEL_WEIGHTS_FILE = 'model.safetensors';

/** What saveModelDir writes. */
export interface ModelDirContents<C = unknown> {
  /** JSON-serialisable model config, written to config.json. */
  config: C;
  /** Weights, written to model.safetensors. */
  tensors: SafetensorsTensors;
  /** String metadata stored in the safetensors header. */
  metadata?: SafetensorsMetadata;
  /** Further files by plain file name (no folders), e.g. `tokenizer.json`; strings are written as UTF-8. */
  extraFiles?: Record<string, string | Uint8Array>;
}

/** What loadModelDir returns; extra files come back as bytes (decode text with `new TextDecoder().decode(bytes)`). */
export interface LoadedModelDir<C = unknown> {
  config: C;
  tensors: Map<string, SafetensorsTensor>;
  metadata: SafetensorsMetadata;
  extraFiles: Record<string, Uint8Array>;
}

/** A missing, corrupt or unwritable model directory; the message names the directory or file. */
export class ModelDirError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelDirError';
  }
}

const reservedNames = new Set([MODEL_CONFIG_FILE, MODEL_WEIGHTS_FILE]);

/** Saves a model directory atomically: the previous contents of `dir` stay intact until the complete new one replaces them. */
export async function saveModelDir<C>(dir: string, contents: ModelDirContents<C>): Promise<void> {
  const target = resolve(dir);
  const extraFiles = Object.entries(contents.extraFiles ?? {});
  for (const [name] of extraFiles) checkExtraFileName(target, name);
  await mkdir(dirname(target), { recursive: true });
  await recoverInterruptedSaves(target);
  const existing = await describePath(target);
  if (existing === 'file') throw new ModelDirError(`${target} exists and is not a directory`);
  if (existing === 'directory' && !(await looksLikeModelDir(target))) {
    throw new ModelDirError(`${target} is a non-empty directory without ${MODEL_CONFIG_FILE}; refusing to replace it`);
  }
  const staged = tempSiblingPath(target, 'tmp');
  await mkdir(staged);
  try {
    await writeAndSync(join(staged, MODEL_CONFIG_FILE), configJson(target, contents.config));
    const weights = encodeSafetensors(contents.tensors, contents.metadata, join(target, MODEL_WEIGHTS_FILE));
    await writeAndSync(join(staged, MODEL_WEIGHTS_FILE), weights);
    for (const [name, data] of extraFiles) await writeAndSync(join(staged, name), data);
    await fsyncDirectory(staged);
  } catch (error) {
    await rm(staged, { recursive: true, force: true });
    throw error;
  }
  await swapIntoPlace(staged, target, existing === 'directory');
}

/** Loads a model directory; `parseConfig` may validate the parsed config.json (its errors are reported with the file name). */
export async function loadModelDir<C = unknown>(
  dir: string,
  parseConfig?: (raw: unknown) => C,
): Promise<LoadedModelDir<C>> {
  const target = resolve(dir);
  if ((await describePath(target, true)) === 'missing') await recoverInterruptedSaves(target);
  const kind = await describePath(target, true);
  if (kind === 'missing') throw new ModelDirError(`model directory ${target} does not exist`);
  if (kind === 'file') throw new ModelDirError(`model directory ${target} is a file, not a directory`);
  const config = await readConfig(target, parseConfig);
  const weightsPath = join(target, MODEL_WEIGHTS_FILE);
  if ((await describePath(weightsPath, true)) !== 'file') {
    throw new ModelDirError(`model directory ${target} has no ${MODEL_WEIGHTS_FILE}`);
  }
  const { tensors, metadata } = await readSafetensors(weightsPath);
  const extraFiles: Record<string, Uint8Array> = {};
  for (const entry of await readdir(target, { withFileTypes: true })) {
    if (!entry.isFile() || reservedNames.has(entry.name) || entry.name.startsWith('.')) continue;
    const bytes = await readFile(join(target, entry.name));
    extraFiles[entry.name] = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return { config, tensors, metadata, extraFiles };
}

async function readConfig<C>(target: string, parseConfig: ((raw: unknown) => C) | undefined): Promise<C> {
  const path = join(target, MODEL_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? `has no ${MODEL_CONFIG_FILE}` : `cannot read ${MODEL_CONFIG_FILE}`;
    throw new ModelDirError(`model directory ${target} ${problem}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ModelDirError(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!parseConfig) return raw as C;
  try {
    return parseConfig(raw);
  } catch (error) {
    throw new ModelDirError(`${path} is not a valid config: ${(error as Error).message}`, { cause: error });
  }
}

function configJson(target: string, config: unknown): string {
  const text = JSON.stringify(config, null, 2) as string | undefined;
  if (text === undefined) throw new ModelDirError(`${join(target, MODEL_CONFIG_FILE)}: config is not JSON-serialisable`);
  return `${text}\n`;
}

function checkExtraFileName(target: string, name: string): void {
  const plain = /^[^./\\\0][^/\\\0]*$/.test(name);
  if (!plain || reservedNames.has(name)) {
    throw new ModelDirError(
      `${target}: extra file name ${JSON.stringify(name)} must be a plain file name (no folders, no leading dot), ` +
        `not ${MODEL_CONFIG_FILE} or ${MODEL_WEIGHTS_FILE}`,
    );
  }
}

// Moves the old directory aside, renames the staged one into place, then deletes the old one.
async function swapIntoPlace(staged: string, target: string, replacing: boolean): Promise<void> {
  const parent = dirname(target);
  if (!replacing) {
    await renameOrCleanUp(staged, target);
    await fsyncDirectory(parent);
    return;
  }
  const previous = tempSiblingPath(target, 'old');
  await renameOrCleanUp(target, previous, staged);
  try {
    await rename(staged, target);
  } catch (error) {
    await rename(previous, target); // put the old model back
    await rm(staged, { recursive: true, force: true });
    throw new ModelDirError(`cannot move the new model into ${target}: ${(error as Error).message}`, { cause: error });
  }
  await fsyncDirectory(parent);
  await rm(previous, { recursive: true, force: true });
}

async function renameOrCleanUp(from: string, to: string, staged = from): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    await rm(staged, { recursive: true, force: true });
    throw new ModelDirError(`cannot move ${from} to ${to}: ${(error as Error).message}`, { cause: error });
  }
}

// Leftovers of saves whose process died: staged copies are deleted; a moved-aside old model is restored if the
// target is missing (the process died between the two renames), else deleted. Live processes' files are left alone.
async function recoverInterruptedSaves(target: string): Promise<void> {
  const parent = dirname(target);
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  const leftovers = names
    .map((name) => ({ name, match: /^(tmp|old)-(\d+)-[0-9a-f]+$/.exec(name.slice(prefix.length)) }))
    .filter(({ name, match }) => name.startsWith(prefix) && match !== null && !processIsAlive(Number(match[2])));
  for (const { name, match } of leftovers) {
    const path = join(parent, name);
    if (match?.[1] === 'old' && (await describePath(target)) === 'missing') {
      await rename(path, target);
      await fsyncDirectory(parent);
    } else {
      await rm(path, { recursive: true, force: true });
    }
  }
}

function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function looksLikeModelDir(dir: string): Promise<boolean> {
  const names = await readdir(dir);
  return names.length === 0 || names.includes(MODEL_CONFIG_FILE) || names.includes(MODEL_WEIGHTS_FILE);
}

// Symbolic links count as files unless followLinks (saving never replaces a link; loading reads through it).
async function describePath(path: string, followLinks = false): Promise<'missing' | 'file' | 'directory'> {
  try {
    return (await (followLinks ? stat(path) : lstat(path))).isDirectory() ? 'directory' : 'file';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
}
