// The shared app kit of @finmm/finance-tasks: overrides, config headers, input records, thresholds, run
// directories and the CLI skeleton's exit codes and one-line errors.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  applyOverrides,
  bayesThreshold,
  chooseCostThreshold,
  configHeaderProblem,
  createAppCli,
  expectedCost,
  parseOverride,
  readConfigFile,
  readInfoFile,
  readInputRecords,
  runAppCli,
  RunDir,
  spread,
  type CliOutput,
} from '@finmm/finance-tasks';
import { tempDir } from './helpers.js';

const dir = tempDir('kit');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('--set overrides', () => {
  it('types values as YAML scalars and collections', () => {
    expect(parseOverride('trainer.epochs=3')).toMatchObject({ path: ['trainer', 'epochs'], value: 3 });
    expect(parseOverride('cv=false').value).toBe(false);
    expect(parseOverride('seeds=[0, 1, 2]').value).toEqual([0, 1, 2]);
    expect(parseOverride('name=my run').value).toBe('my run');
    expect(parseOverride('trainer.optimizer={type: sgd, lr: 0.1}').value).toEqual({ type: 'sgd', lr: 0.1 });
    expect(parseOverride('data.positive=1e-3').value).toBe(0.001);
    expect(parseOverride('x=').value).toBe('');
  });

  it('sets dotted keys, creating objects on the way, and list entries by index', () => {
    const config = { trainer: { epochs: 10 }, seeds: [0, 1] };
    const out = applyOverrides(config, ['trainer.epochs=3', 'trainer.optimizer.lr=0.01', 'seeds[1]=7', 'seeds.2=9']);
    expect(out).toEqual({ trainer: { epochs: 3, optimizer: { lr: 0.01 } }, seeds: [0, 7, 9] });
    expect(config.trainer.epochs).toBe(10); // the input is not changed
  });

  it('rejects malformed overrides with the offending text', () => {
    expect(() => parseOverride('epochs')).toThrow(/expected key=value/);
    expect(() => applyOverrides({ a: 1 }, ['a.b=2'])).toThrow(/"a" is not an object/);
    expect(() => applyOverrides({ a: [1] }, ['a[5]=2'])).toThrow(/past the end/);
  });
});

describe('config files', () => {
  it('require a first-line comment with the command naming the file', () => {
    const file = 'apps/x/configs/run.yaml';
    expect(configHeaderProblem(file, '# node tools/run-ts.mjs apps/x/src/main.ts train --config apps/x/configs/run.yaml\na: 1')).toBeNull();
    expect(configHeaderProblem(file, 'a: 1\n')).toMatch(/first line must be a "#" comment/);
    expect(configHeaderProblem(file, '# a config\n')).toMatch(/starting with node, npm or npx/);
    expect(configHeaderProblem(file, '# node main.ts train --config other.yaml\n')).toMatch(/name the config file itself/);
    expect(configHeaderProblem('c.json', '// npm run demo -- c.json\n{}')).toBeNull();
  });

  it('reads YAML and JSON (a leading // comment allowed) and names the line of a syntax error', () => {
    fs.writeFileSync(path.join(dir, 'a.json'), '// node x.js --config a.json\n{"a": 1}\n');
    expect(readConfigFile(path.join(dir, 'a.json')).config).toEqual({ a: 1 });
    fs.writeFileSync(path.join(dir, 'bad.yaml'), '# node x\na: 1\nb: [1, 2\n');
    expect(() => readConfigFile(path.join(dir, 'bad.yaml'))).toThrow(/bad\.yaml(:\d+)?: not valid YAML/);
    fs.writeFileSync(path.join(dir, 'list.yaml'), '- 1\n');
    expect(() => readConfigFile(path.join(dir, 'list.yaml'))).toThrow(/expected a mapping/);
  });
});

describe('predict input records', () => {
  it('reads JSON lines with one error item per bad line, keeping line numbers', async () => {
    const file = path.join(dir, 'in.jsonl');
    fs.writeFileSync(file, '{"a": 1}\n\nnot json\n[1, 2]\r\n{"a": 2}\n');
    const items = await readInputRecords(file);
    expect(items).toEqual([
      { line: 1, record: { a: 1 } },
      { line: 3, error: expect.stringMatching(/not valid JSON/) as unknown },
      { line: 4, error: 'expected a JSON object, got an array' },
      { line: 5, record: { a: 2 } },
    ]);
  });

  it('reads CSV records with their first line, and flags a wrong field count', async () => {
    const file = path.join(dir, 'in.csv');
    fs.writeFileSync(file, 'a,b\n1,2\n"x\ny",3\n4\n5,6\n');
    expect(await readInputRecords(file)).toEqual([
      { line: 2, record: { a: '1', b: '2' } },
      { line: 3, record: { a: 'x\ny', b: '3' } },
      { line: 5, error: 'expected 2 fields (as the header), got 1' },
      { line: 6, record: { a: '5', b: '6' } },
    ]);
    await expect(readInputRecords(path.join(dir, 'in.txt'))).rejects.toThrow(/cannot tell the format/);
    await expect(readInputRecords(path.join(dir, 'missing.csv'))).rejects.toThrow(/does not exist/);
  });
});

describe('costs and thresholds', () => {
  const german = { classes: ['good', 'bad'], cost: [[0, 1], [5, 0]] };

  it('gives the Bayes threshold 1/6 for german.doc and the mean cost per sample', () => {
    expect(bayesThreshold(german)).toBeCloseTo(1 / 6, 12);
    // a bad applicant predicted good (5) and a good one predicted bad (1) over 4 samples
    expect(expectedCost([1, 0, 1, 0], [0.1, 0.9, 0.9, 0.1], 0.5, german)).toBe(1.5);
  });

  it('chooses the cheapest threshold between scores', () => {
    const y = [0, 0, 0, 1, 1];
    const p = [0.1, 0.2, 0.3, 0.25, 0.8];
    const best = chooseCostThreshold(y, p, german);
    expect(best.cost).toBeCloseTo(1 / 5, 12); // catch both bad ones by flagging 0.25, 0.3 and 0.8: one good flagged
    expect(best.threshold).toBeCloseTo(0.225, 12);
  });

  it('reports mean and sample standard deviation', () => {
    expect(spread([1, 2, 3])).toEqual({ mean: 2, std: 1, min: 1, max: 3, n: 3 });
    expect(() => spread([1, Number.NaN])).toThrow(/value 1 is NaN/);
  });
});

describe('model info files', () => {
  it('returns the validated contents, and names the file and the first bad field otherwise', () => {
    const schema = z.object({ kind: z.literal('demo'), seeds: z.array(z.number().int()) });
    const file = path.join(dir, 'info.json');
    fs.writeFileSync(file, JSON.stringify({ kind: 'demo', seeds: [1, 2] }));
    expect(readInfoFile(file, schema)).toEqual({ kind: 'demo', seeds: [1, 2] });
    fs.writeFileSync(file, JSON.stringify({ kind: 'demo', seeds: [1, 2.5] }));
    expect(() => readInfoFile(file, schema)).toThrow(`${file}: field "seeds.1": `);
    fs.writeFileSync(file, '{"kind": "demo",');
    expect(() => readInfoFile(file, schema)).toThrow(`${file}: not valid JSON: `);
  });
});

describe('run directories', () => {
  it('are runs/<app>/<UTC timestamp>-<name>, never reused', () => {
    const now = new Date(Date.UTC(2025, 0, 2, 3, 4, 5));
    const a = RunDir.create({ root: dir, app: 'credit', name: 'my run/1', now });
    const b = RunDir.create({ root: dir, app: 'credit', name: 'my run/1', now });
    expect(path.relative(dir, a.path)).toBe(path.join('credit', '20250102-030405-my-run-1'));
    expect(b.path).toBe(`${a.path}-2`);
    a.writeJson('x.json', { v: Number.NaN });
    expect(fs.readFileSync(a.file('x.json'), 'utf8')).toBe('{\n  "v": null\n}\n');
  });
});

describe('the CLI skeleton', () => {
  function capture(): CliOutput & { text: () => string } {
    let text = '';
    return { out: (t) => (text += t), err: (t) => (text += t), text: () => text };
  }
  const app = (fail: Error | null) => ({
    name: 'demo',
    description: 'a demo app',
    splits: ['test', 'valid'],
    train: async () => {
      if (fail !== null) throw fail;
    },
    evaluate: async () => {},
    predict: async () => {},
  });

  it('prints help with exit code 0 for every command', async () => {
    for (const argv of [['--help'], ['train', '--help'], ['evaluate', '--help'], ['predict', '--help']]) {
      const out = capture();
      expect(await runAppCli(createAppCli(app(null), out), argv, out)).toBe(0);
      expect(out.text()).toMatch(/Usage: demo/);
    }
  });

  it('exits 1 with one line for a usage mistake or a failure, with the stack only under FINMM_DEBUG=1', async () => {
    const usage = capture();
    expect(await runAppCli(createAppCli(app(null), usage), ['train'], usage)).toBe(1);
    expect(usage.text().trim().split('\n')).toHaveLength(1);
    expect(usage.text()).toMatch(/required option '-c, --config <file>'/);

    const failing = new Error('data.csv:3 field "age": expected a number,\n got "x"');
    const out = capture();
    expect(await runAppCli(createAppCli(app(failing), out), ['train', '--config', 'c.yaml'], out)).toBe(1);
    expect(out.text()).toBe('demo: error: data.csv:3 field "age": expected a number,; got "x"\n');

    const previous = process.env['FINMM_DEBUG'];
    process.env['FINMM_DEBUG'] = '1';
    try {
      const debug = capture();
      expect(await runAppCli(createAppCli(app(failing), debug), ['train', '--config', 'c.yaml'], debug)).toBe(1);
      expect(debug.text()).toMatch(/\n {4}at /);
    } finally {
      if (previous === undefined) delete process.env['FINMM_DEBUG'];
      else process.env['FINMM_DEBUG'] = previous;
    }
  });

  it('passes repeated --set options in order', async () => {
    let seen: string[] = [];
    const program = createAppCli({ ...app(null), train: async (o) => void (seen = o.set) }, capture());
    expect(await runAppCli(program, ['train', '-c', 'x.yaml', '--set', 'a=1', '-s', 'b.c=2'], capture())).toBe(0);
    expect(seen).toEqual(['a=1', 'b.c=2']);
  });
});
