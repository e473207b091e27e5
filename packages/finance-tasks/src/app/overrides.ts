// `--set key=value` overrides: dotted keys into a config object, values typed as YAML scalars (3 -> number,
// true -> boolean, null, [1, 2] -> list, {a: 1} -> object, anything else a string).
import { parse as parseYaml } from 'yaml';
import { UsageError } from './errors.js';

/** A JSON-like config object. */
export type ConfigObject = { [key: string]: unknown };

/** One parsed override: the key path (`['trainer', 'epochs']`) and the typed value. */
export interface Override {
  path: Array<string | number>;
  value: unknown;
  /** The text as given, for messages. */
  text: string;
}

/** Splits `trainer.epochs` or `seeds[1]` / `seeds.1` into path parts (numbers index lists). */
export function parseKeyPath(key: string): Array<string | number> {
  if (key.trim() === '') throw new UsageError('--set: empty key');
  const parts: Array<string | number> = [];
  for (const piece of key.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (piece === '') throw new UsageError(`--set: key "${key}" has an empty part`);
    parts.push(/^\d+$/.test(piece) ? Number(piece) : piece);
  }
  return parts;
}

/** Parses `key=value`; the value is read as a YAML scalar or flow collection (`--set seeds=[0,1,2]`). */
export function parseOverride(text: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set "${text}": expected key=value, e.g. --set trainer.epochs=3`);
  const raw = text.slice(eq + 1);
  let value: unknown;
  try {
    value = raw.trim() === '' ? '' : parseYaml(raw);
  } catch (error) {
    throw new UsageError(`--set "${text}": cannot read the value: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { path: parseKeyPath(text.slice(0, eq).trim()), value, text };
}

function isObject(value: unknown): value is ConfigObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of `config` with the value at `path` replaced (missing objects on the way are created). */
export function setPath(config: ConfigObject, override: Override): ConfigObject {
  const root = structuredClone(config);
  let node: unknown = root;
  override.path.forEach((part, i) => {
    const last = i === override.path.length - 1;
    const where = override.path.slice(0, i).join('.') || '(root)';
    if (typeof part === 'number') {
      if (!Array.isArray(node)) throw new UsageError(`--set ${override.text}: "${where}" is not a list`);
      if (part > node.length) throw new UsageError(`--set ${override.text}: index ${part} is past the end of "${where}" (length ${node.length})`);
      if (last) node[part] = override.value;
      else node = node[part] ??= typeof override.path[i + 1] === 'number' ? [] : {};
      return;
    }
    if (!isObject(node)) throw new UsageError(`--set ${override.text}: "${where}" is not an object`);
    if (last) node[part] = override.value;
    else {
      const next = node[part];
      if (next === undefined || next === null) node[part] = typeof override.path[i + 1] === 'number' ? [] : {};
      node = node[part];
    }
  });
  return root;
}

/** Applies `key=value` texts to a config in order; later ones win. */
export function applyOverrides(config: ConfigObject, texts: readonly string[]): ConfigObject {
  return texts.map(parseOverride).reduce((acc, o) => setPath(acc, o), config);
}
