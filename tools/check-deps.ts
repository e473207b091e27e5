// Checks that @finmm packages depend on each other only in the design's direction, with no cycles:
// core <- data, encoders-*, fusion, losses <- trainer <- finance-tasks <- apps.
// Run: `node tools/run-ts.mjs tools/check-deps.ts` (also run by the tools test suite).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Layer of each package: a package may depend only on packages of a strictly lower layer. */
export const LAYERS: Readonly<Record<string, number>> = {
  '@finmm/core': 0,
  '@finmm/data': 1,
  '@finmm/encoders-text': 1,
  '@finmm/encoders-vision': 1,
  '@finmm/encoders-timeseries': 1,
  '@finmm/encoders-tabular': 1,
  '@finmm/fusion': 1,
  '@finmm/losses': 1,
  '@finmm/trainer': 2,
  '@finmm/finance-tasks': 3,
  '@finmm/app-sentiment': 4,
  '@finmm/app-credit': 4,
  '@finmm/app-stock': 4,
};

/** One workspace project as the check sees it. */
export interface Project {
  name: string;
  dir: string;
  /** @finmm packages named in package.json dependencies. */
  declared: string[];
  /** @finmm packages imported by source files, with the importing file. */
  imports: Array<{ dep: string; file: string }>;
  /** Relative imports that leave the project folder. */
  escapes: Array<{ spec: string; file: string }>;
}

const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mts|js|mjs)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Reads every project under `root`/packages and `root`/apps. */
export function readProjects(root: string): Project[] {
  const projects: Project[] = [];
  for (const group of ['packages', 'apps']) {
    const groupDir = path.join(root, group);
    if (!fs.existsSync(groupDir)) continue;
    for (const entry of fs.readdirSync(groupDir).sort()) {
      const dir = path.join(groupDir, entry);
      const manifest = path.join(dir, 'package.json');
      if (!fs.existsSync(manifest)) continue;
      const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name: string; dependencies?: Record<string, string> };
      const declared = Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@finmm/'));
      const imports: Project['imports'] = [];
      const escapes: Project['escapes'] = [];
      for (const file of sourceFiles(path.join(dir, 'src'))) {
        const text = fs.readFileSync(file, 'utf8');
        for (const match of text.matchAll(IMPORT_RE)) {
          const spec = match[1] as string;
          const rel = path.relative(root, file);
          if (spec.startsWith('@finmm/')) imports.push({ dep: spec.split('/').slice(0, 2).join('/'), file: rel });
          else if (spec.startsWith('.') && !path.resolve(path.dirname(file), spec).startsWith(dir + path.sep)) {
            escapes.push({ spec, file: rel });
          }
        }
      }
      projects.push({ name: pkg.name, dir, declared, imports, escapes });
    }
  }
  return projects;
}

/** Finds one dependency cycle among the declared dependencies, as a list of names, or null. */
export function findCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle !== null) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node);
    if (cycle !== null) return cycle;
  }
  return null;
}

/** Every violation of the dependency rules in the projects, as readable messages (empty when clean). */
export function checkProjects(projects: readonly Project[], layers: Readonly<Record<string, number>> = LAYERS): string[] {
  const problems: string[] = [];
  const names = new Set(projects.map((p) => p.name));
  for (const project of projects) {
    const layer = layers[project.name];
    if (layer === undefined) {
      problems.push(`${project.name} has no layer in tools/check-deps.ts LAYERS; add it where it belongs in the design`);
    }
    for (const dep of project.declared) {
      if (!names.has(dep)) problems.push(`${project.name} depends on ${dep}, which is not a workspace package`);
      const depLayer = layers[dep];
      if (layer !== undefined && depLayer !== undefined && depLayer >= layer) {
        problems.push(`${project.name} (layer ${layer}) must not depend on ${dep} (layer ${depLayer}): dependencies point down only`);
      }
    }
    for (const { dep, file } of project.imports) {
      if (dep === project.name) problems.push(`${file} imports its own package ${dep}; use a relative import`);
      else if (!project.declared.includes(dep)) {
        problems.push(`${file} imports ${dep}, which ${project.name}'s package.json does not list in dependencies`);
      }
    }
    for (const { spec, file } of project.escapes) {
      problems.push(`${file} imports '${spec}' outside its package; import the other package by its @finmm name`);
    }
  }
  const edges = new Map(projects.map((p) => [p.name, p.declared] as const));
  const cycle = findCycle(edges);
  if (cycle !== null) problems.push(`dependency cycle: ${cycle.join(' -> ')}`);
  return [...new Set(problems)];
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkProjects(readProjects(root));
  for (const problem of problems) console.error(`check-deps: ${problem}`);
  if (problems.length > 0) process.exit(1);
  console.log('check-deps: dependency direction and cycles OK');
}
