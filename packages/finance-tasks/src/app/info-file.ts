// Reads a model directory's JSON info file (credit.json, sentiment.json, ensemble.json, ...) and validates it with
// a schema (zod's or any with the same `safeParse`); errors name the file and the first bad field.
import { readFileSync } from 'node:fs';

/** What readInfoFile needs of a schema: zod's `safeParse` result shape. */
export interface InfoFileSchema<T> {
  safeParse(raw: unknown): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } };
}

/** Parses and validates a JSON info file; invalid JSON or a bad field is an Error naming the file (and the field). */
export function readInfoFile<T>(file: string, schema: InfoFileSchema<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(`${file}: field "${(issue?.path ?? []).map(String).join('.')}": ${issue?.message ?? 'invalid'}`);
}
