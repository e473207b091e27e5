// The sentiment command line: --help for every command, --seeds, one-line errors and non-zero exit codes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAppCli, type CliOutput } from '@finmm/finance-tasks';
import { seedsOverride, sentimentCli } from '../src/index.js';
import { tempDir } from './helpers.js';

const dir = tempDir('cli');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const output: CliOutput = { out: (t) => (out += t), err: (t) => (err += t) };
  const code = await runAppCli(sentimentCli(output), args, output);
  return { code, out, err };
}

describe('sentiment command line', () => {
  it('prints help for the program and every command', async () => {
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    for (const command of ['train', 'evaluate', 'predict', 'pretrain']) expect(top.out).toContain(command);
    const train = await run(['train', '--help']);
    expect(train.code).toBe(0);
    expect(train.out).toContain('--seeds <list>');
    expect(train.out).toContain('phrasebank-quick.yaml');
    expect((await run(['evaluate', '--help'])).out.replace(/\s+/g, ' ')).toContain('--split <split> which rows to evaluate (choices: "test", "validation", "train", default: "test")');
    expect((await run(['predict', '--help'])).out).toContain('--input <file>');
    const pretrain = await run(['pretrain', '--help']);
    expect(pretrain.code).toBe(0);
    expect(pretrain.out).toContain('pretrain-mlm.yaml');
  });

  it('exits non-zero with one line naming the problem', async () => {
    expect((await run([])).code).toBe(1);
    const missing = await run(['train']);
    expect(missing.code).not.toBe(0);
    expect(missing.err).toContain("required option '-c, --config <file>' not specified");
    const model = path.join(dir, 'nowhere');
    const noModel = await run(['evaluate', '--model', model]);
    expect(noModel.code).toBe(1);
    expect(noModel.err).toBe(`sentiment: error: model directory ${model} does not exist\n`);
    const badSplit = await run(['evaluate', '--model', model, '--split', 'dev']);
    expect(badSplit.code).not.toBe(0);
    expect(badSplit.err).toContain("argument 'dev' is invalid");
    const noConfig = await run(['pretrain', '--config', path.join(dir, 'none.yaml')]);
    expect(noConfig.code).toBe(1);
    expect(noConfig.err).toMatch(/^sentiment: error: config file .*none\.yaml: does not exist\n$/);
    const badSeeds = await run(['train', '--config', path.join(dir, 'none.yaml'), '--seeds', '1,x']);
    expect(badSeeds.code).toBe(1);
    expect(badSeeds.err).toBe('sentiment: error: --seeds expects comma-separated integers, e.g. --seeds 1,2,3; got "1,x"\n');
  });

  it('turns --seeds into the seeds override', () => {
    expect(seedsOverride('1,2,3')).toBe('seeds=[1,2,3]');
    expect(seedsOverride(' 7 ')).toBe('seeds=[7]');
    expect(() => seedsOverride('')).toThrow(/comma-separated integers/);
  });
});
