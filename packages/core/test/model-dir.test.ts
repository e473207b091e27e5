import { afterAll, describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ModelDirError,
  loadModelDir,
  saveModelDir,
  writeFileAtomic,
  type ModelDirContents,
} from '../src/model-dir.js';
import { SafetensorsError, type SafetensorsTensor } from '../src/safetensors.js';
import { everyDtypeTensors, tempDirs } from './safetensors-helpers.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const crashHelper = fileURLToPath(new URL('./helpers/crash-during-save.ts', import.meta.url));

const temp = tempDirs('finmm-model-dir-');
const tempParent = temp.make;
afterAll(temp.cleanup);

function model(version: number): ModelDirContents<{ version: number; layers: number[] }> {
  return {
    config: { version, layers: [4, 2] },
    tensors: { 'dense.kernel': { dtype: 'F32', shape: [2], data: new Float32Array([version, -version]) } },
    metadata: { format: 'finmm', version: String(version) },
    extraFiles: { 'tokenizer.json': `{"version": ${version}}`, 'vocab.bin': new Uint8Array([1, 2, version]) },
  };
}

async function expectVersion(dir: string, version: number): Promise<void> {
  const loaded = await loadModelDir(dir);
  expect(loaded.config).toEqual({ version, layers: [4, 2] });
  expect(loaded.tensors.get('dense.kernel')?.data).toEqual(new Float32Array([version, -version]));
  expect(loaded.metadata).toEqual({ format: 'finmm', version: String(version) });
  expect(new TextDecoder().decode(loaded.extraFiles['tokenizer.json'])).toBe(`{"version": ${version}}`);
  expect(loaded.extraFiles['vocab.bin']).toEqual(new Uint8Array([1, 2, version]));
}

describe('model directory round trip', () => {
  it('saves and loads config, every dtype, metadata and extra files', async () => {
    const dir = join(await tempParent(), 'nested', 'model');
    await saveModelDir(dir, {
      config: { name: 'tiny', hidden: 8 },
      tensors: everyDtypeTensors(),
      metadata: { step: '10' },
      extraFiles: { 'preprocessing.json': '{"scale": 2}' },
    });
    expect((await readdir(dir)).sort()).toEqual(['config.json', 'model.safetensors', 'preprocessing.json']);
    const loaded = await loadModelDir(dir);
    expect(loaded.config).toEqual({ name: 'tiny', hidden: 8 });
    expect(loaded.metadata).toEqual({ step: '10' });
    for (const [name, tensor] of everyDtypeTensors()) expect(loaded.tensors.get(name)?.data, name).toEqual(tensor.data);
    expect(Object.keys(loaded.extraFiles)).toEqual(['preprocessing.json']);
  });

  it('replaces an existing model and leaves no temporary entries behind', async () => {
    const parent = await tempParent();
    const dir = join(parent, 'model');
    await saveModelDir(dir, model(1));
    await saveModelDir(dir, { ...model(2), extraFiles: { 'tokenizer.json': '{"version": 2}', 'vocab.bin': new Uint8Array([1, 2, 2]) } });
    await expectVersion(dir, 2);
    expect(await readdir(parent)).toEqual(['model']);
  });

  it('drops extra files of the previous model', async () => {
    const dir = join(await tempParent(), 'model');
    await saveModelDir(dir, model(1));
    await saveModelDir(dir, { ...model(2), extraFiles: {} });
    expect((await readdir(dir)).sort()).toEqual(['config.json', 'model.safetensors']);
  });

  it('validates the config with parseConfig', async () => {
    const dir = join(await tempParent(), 'model');
    await saveModelDir(dir, model(3));
    const loaded = await loadModelDir(dir, (raw) => {
      const version = (raw as { version?: unknown }).version;
      if (typeof version !== 'number') throw new Error('version must be a number');
      return { version };
    });
    expect(loaded.config.version).toBe(3);
    await expect(loadModelDir(dir, () => { throw new Error('missing field "heads"'); })).rejects.toThrow(
      `${join(dir, 'config.json')} is not a valid config: missing field "heads"`,
    );
  });
});

describe('model directory errors', () => {
  it('names a missing directory or file', async () => {
    const parent = await tempParent();
    const missing = join(parent, 'nothing');
    await expect(loadModelDir(missing)).rejects.toThrow(new ModelDirError(`model directory ${missing} does not exist`));

    const dir = join(parent, 'model');
    await saveModelDir(dir, model(1));
    await rm(join(dir, 'model.safetensors'));
    await expect(loadModelDir(dir)).rejects.toThrow(`model directory ${dir} has no model.safetensors`);
    await rm(join(dir, 'config.json'));
    await expect(loadModelDir(dir)).rejects.toThrow(`model directory ${dir} has no config.json`);
  });

  it('names a corrupt config.json or model.safetensors', async () => {
    const dir = join(await tempParent(), 'model');
    await saveModelDir(dir, model(1));
    await writeFile(join(dir, 'model.safetensors'), new Uint8Array(4));
    await expect(loadModelDir(dir)).rejects.toThrow(SafetensorsError);
    await expect(loadModelDir(dir)).rejects.toThrow(`${join(dir, 'model.safetensors')}: file has 4 bytes`);
    await writeFile(join(dir, 'config.json'), '{"version": ');
    await expect(loadModelDir(dir)).rejects.toThrow(`${join(dir, 'config.json')} is not valid JSON`);
  });

  it('refuses to replace a directory that is not a model, or a file', async () => {
    const parent = await tempParent();
    const notModel = join(parent, 'documents');
    await mkdir(notModel);
    await writeFile(join(notModel, 'thesis.txt'), 'precious');
    await expect(saveModelDir(notModel, model(1))).rejects.toThrow(/non-empty directory without config.json; refusing/);
    expect(await readFile(join(notModel, 'thesis.txt'), 'utf8')).toBe('precious');
    const file = join(parent, 'file');
    await writeFile(file, 'x');
    await expect(saveModelDir(file, model(1))).rejects.toThrow(`${file} exists and is not a directory`);
  });

  it('refuses extra file names that are paths, hidden or reserved', async () => {
    const dir = join(await tempParent(), 'model');
    for (const name of ['../escape.json', 'sub/file.json', '.hidden', 'config.json', 'model.safetensors', '']) {
      await expect(saveModelDir(dir, { ...model(1), extraFiles: { [name]: 'x' } }), name).rejects.toThrow(ModelDirError);
    }
  });
});

describe('model directory atomicity', () => {
  it('keeps the previous model intact when encoding fails midway, and cleans up', async () => {
    const parent = await tempParent();
    const dir = join(parent, 'model');
    await saveModelDir(dir, model(1));
    const broken: SafetensorsTensor = {
      dtype: 'F32',
      shape: [1],
      get data(): Float32Array {
        throw new Error('disk full while encoding');
      },
    };
    await expect(saveModelDir(dir, { ...model(2), tensors: { w: broken } })).rejects.toThrow('disk full while encoding');
    await expectVersion(dir, 1);
    expect(await readdir(parent)).toEqual(['model']);
  });

  it('keeps the previous model intact when the process is killed midway; the next save removes its leftovers', async () => {
    const parent = await tempParent();
    const dir = join(parent, 'model');
    await saveModelDir(dir, model(1));
    const child = spawnSync(process.execPath, ['--import', 'tsx', crashHelper, dir], { cwd: repoRoot, encoding: 'utf8' });
    expect(child.signal, child.stderr).toBe('SIGKILL');
    const leftovers = (await readdir(parent)).filter((name) => name !== 'model');
    expect(leftovers).toEqual([expect.stringMatching(new RegExp(`^\\.model\\.tmp-${child.pid}-[0-9a-f]+$`))]);
    expect((await readdir(join(parent, leftovers[0] ?? ''))).sort()).toEqual(['config.json']);
    await expectVersion(dir, 1);

    await saveModelDir(dir, model(2));
    await expectVersion(dir, 2);
    expect(await readdir(parent)).toEqual(['model']);
  });

  it('restores the previous model when a save died between its two renames', async () => {
    const parent = await tempParent();
    const dir = join(parent, 'model');
    await saveModelDir(dir, model(1));
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    await rename(dir, join(parent, `.model.old-${deadPid}-0badc0de`)); // the state right after "move the old one aside"
    await expectVersion(dir, 1);
    expect(await readdir(parent)).toEqual(['model']);
  });

  it('writeFileAtomic replaces a file in one step and leaves no temporary file', async () => {
    const parent = await tempParent();
    const path = join(parent, 'notes.json');
    await writeFileAtomic(path, 'first');
    await writeFileAtomic(path, new TextEncoder().encode('second'));
    expect(await readFile(path, 'utf8')).toBe('second');
    expect(await readdir(parent)).toEqual(['notes.json']);
    await expect(writeFileAtomic(join(parent, 'missing-dir', 'x'), 'x')).rejects.toThrow(/ENOENT/);
    expect(await readdir(parent)).toEqual(['notes.json']);
  });
});
