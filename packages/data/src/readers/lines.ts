// Splits a byte stream into numbered lines, decoding each strictly (invalid UTF-8 is flagged, not replaced).
import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';

/** Text encodings the readers accept. */
export type TextEncoding = 'utf8' | 'latin1';

/** One physical line without its line break. */
export interface Line {
  /** 1-based line number. */
  line: number;
  /** Decoded text; invalid UTF-8 bytes show as U+FFFD when `invalidUtf8` is true. */
  text: string;
  invalidUtf8: boolean;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

function decode(bytes: Buffer, line: number, encoding: TextEncoding): Line {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === CR) end -= 1;
  let start = 0;
  if (line === 1 && end >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3; // BOM
  const body = bytes.subarray(start, end);
  if (encoding === 'latin1') return { line, text: body.toString('latin1'), invalidUtf8: false };
  return { line, text: body.toString('utf8'), invalidUtf8: !isUtf8(body) };
}

/** Lines of a byte stream, in groups (one group per chunk read), numbered from 1. */
export async function* splitLines(chunks: AsyncIterable<Buffer> | Iterable<Buffer>, encoding: TextEncoding = 'utf8'): AsyncGenerator<Line[]> {
  let pending: Buffer[] = [];
  let lineNo = 0;
  for await (const chunk of chunks) {
    const out: Line[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl < 0) break;
      let bytes = chunk.subarray(start, nl);
      if (pending.length > 0) {
        bytes = Buffer.concat([...pending, bytes]);
        pending = [];
      }
      out.push(decode(bytes, ++lineNo, encoding));
      start = nl + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
    if (out.length > 0) yield out;
  }
  if (pending.length > 0) yield [decode(Buffer.concat(pending), lineNo + 1, encoding)];
}

/** The byte chunks of a file, read as a stream (64 KiB at a time). */
export function fileChunks(file: string): AsyncIterable<Buffer> {
  return fs.createReadStream(file, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>;
}
