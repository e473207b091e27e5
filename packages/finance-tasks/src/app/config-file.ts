// Config files (YAML or JSON): reading them with clear errors, and the rule that a shipped config starts with a
// comment giving the command that runs it.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { ConfigObject } from './overrides.js';

/** A config file as read: the parsed object and its first line. */
export interface ConfigFile {
  file: string;
  config: ConfigObject;
  firstLine: string;
}

/** Parses YAML (`.yaml`/`.yml`) or JSON (`.json`; a leading `//` comment line is allowed) config text. */
export function parseConfigText(text: string, file: string): ConfigObject {
  const json = /\.json$/i.test(file);
  let value: unknown;
  try {
    value = json ? JSON.parse(text.replace(/^\s*\/\/[^\n]*\n/, '\n')) : parseYaml(text, { prettyErrors: false });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const line = error.linePos?.[0]?.line;
      throw new Error(`${file}${line === undefined ? '' : `:${line}`}: not valid YAML: ${error.message.split('\n')[0]}`, { cause: error });
    }
    throw new Error(`${file}: not valid ${json ? 'JSON' : 'YAML'}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${file}: expected a mapping of config fields at the top level`);
  }
  return value as ConfigObject;
}

/** Reads and parses a config file; a missing file or bad syntax is an error naming the file (and line). */
export function readConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`config file ${file}: ${code === 'ENOENT' ? 'does not exist' : (error as Error).message}`, { cause: error });
  }
  return { file, config: parseConfigText(text, file), firstLine: text.split(/\r?\n/, 1)[0] ?? '' };
}

/**
 * Why a shipped config's first line is not a comment with the command that runs it (null when it is):
 * `# node tools/run-ts.mjs apps/credit/src/main.ts train --config apps/credit/configs/x.yaml` (`//` for JSON).
 * The command must start with node, npm or npx and name the file itself.
 */
export function configHeaderProblem(file: string, text: string): string | null {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  const marker = /\.json$/i.test(file) ? '//' : '#';
  if (!first.startsWith(marker)) return `${file}:1: the first line must be a "${marker}" comment giving the command that runs this config`;
  const command = first.slice(marker.length).trim();
  if (!/^(node|npm|npx)\s/.test(command)) return `${file}:1: the comment must be a command starting with node, npm or npx, got "${command}"`;
  if (!command.includes(basename(file))) return `${file}:1: the command must name the config file itself (${basename(file)})`;
  return null;
}
