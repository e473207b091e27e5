// Data fingerprints: the sha256 of each source file a run read, so a result can be tied to its exact data.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** A source file and its digest. */
export interface FileFingerprint {
  /** The path as given. */
  path: string;
  name: string;
  bytes: number;
  sha256: string;
}

/** The sha256 and size of each file, in the order given. */
export function fingerprintFiles(paths: readonly string[]): FileFingerprint[] {
  return paths.map((path) => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new Error(`cannot fingerprint ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return { path, name: basename(path), bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
}

/** Throws naming the first file whose digest differs from `expected` (matched by file name). */
export function checkFingerprints(expected: readonly FileFingerprint[], actual: readonly FileFingerprint[], what: string): void {
  for (const want of expected) {
    const got = actual.find((f) => f.name === want.name);
    if (got === undefined) throw new Error(`${what}: the data no longer includes ${want.name}`);
    if (got.sha256 !== want.sha256) {
      throw new Error(`${what}: ${got.path} has changed since the model was trained (sha256 ${got.sha256.slice(0, 12)}…, expected ${want.sha256.slice(0, 12)}…)`);
    }
  }
}
