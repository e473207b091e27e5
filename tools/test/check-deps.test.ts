import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkProjects, findCycle, readProjects, type Project } from '../check-deps.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function project(name: string, declared: string[], imports: string[] = declared): Project {
  return { name, dir: `/x/${name}`, declared, imports: imports.map((dep) => ({ dep, file: `${name}/src/index.ts` })), escapes: [] };
}

describe('dependency direction check', () => {
  it('passes on this repository', () => {
    const projects = readProjects(root);
    expect(projects.map((p) => p.name)).toContain('@finmm/core');
    expect(projects.length).toBe(13);
    expect(checkProjects(projects)).toEqual([]);
  });

  it('rejects a package depending upward (core on trainer)', () => {
    const problems = checkProjects([project('@finmm/core', ['@finmm/trainer']), project('@finmm/trainer', ['@finmm/core'])]);
    expect(problems.join('\n')).toMatch(/@finmm\/core \(layer 0\) must not depend on @finmm\/trainer \(layer 2\)/);
  });

  it('rejects a dependency between packages of the same layer (encoder on data)', () => {
    const problems = checkProjects([project('@finmm/core', []), project('@finmm/data', ['@finmm/core']), project('@finmm/encoders-text', ['@finmm/core', '@finmm/data'])]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/encoders-text \(layer 1\) must not depend on @finmm\/data \(layer 1\)/);
  });

  it('rejects imports not declared in package.json and unknown packages', () => {
    const problems = checkProjects([project('@finmm/core', []), project('@finmm/trainer', ['@finmm/core'], ['@finmm/core', '@finmm/losses'])]);
    expect(problems.join('\n')).toMatch(/imports @finmm\/losses, which @finmm\/trainer's package.json does not list/);
    expect(checkProjects([project('@finmm/new-thing', [])]).join('\n')).toMatch(/has no layer/);
  });

  it('finds cycles', () => {
    const edges = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', []]]);
    expect(findCycle(edges)).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', ['b']], ['b', []]]))).toBeNull();
    const problems = checkProjects([project('@finmm/x', ['@finmm/y']), project('@finmm/y', ['@finmm/x'])], { '@finmm/x': 1, '@finmm/y': 1 });
    expect(problems.join('\n')).toMatch(/dependency cycle: @finmm\/x -> @finmm\/y -> @finmm\/x/);
  });

  it('reads imports and escaping relative imports from source files', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'finmm-deps-'));
    const write = (rel: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
      fs.writeFileSync(path.join(tmp, rel), text);
    };
    write('packages/core/package.json', JSON.stringify({ name: '@finmm/core' }));
    write('packages/core/src/index.ts', "import { x } from '../../trainer/src/index.js';\nexport const y = await import('@finmm/trainer');\n");
    write('packages/trainer/package.json', JSON.stringify({ name: '@finmm/trainer', dependencies: { '@finmm/core': '0.1.0' } }));
    write('packages/trainer/src/index.ts', "export * from '@finmm/core';\n");
    const problems = checkProjects(readProjects(tmp));
    fs.rmSync(tmp, { recursive: true, force: true });
    expect(problems.join('\n')).toMatch(/imports '..\/..\/trainer\/src\/index.js' outside its package/);
    expect(problems.join('\n')).toMatch(/imports @finmm\/trainer, which @finmm\/core's package.json does not list/);
  });
});
