// Reads a JSON file; unreadable or malformed JSON is a DataError naming the file.
import { readTextFile } from './read-text.js';
import { DataError } from '@finmm/data';

/** Parses a JSON file, naming it (and the parser's position message) when it is not valid JSON. */
export function readJsonFile(file: string): unknown {
  const text = readTextFile(file);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DataError({ file }, `not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
