// Splits file text into lines (CRLF or LF), keeping 1-based line numbers for error messages.

/** One line of a text file with its 1-based line number. */
export interface NumberedLine {
  line: number;
  text: string;
}

/** The lines of `text` (CRLF or LF endings); the empty piece after a final newline is dropped. */
export function splitLines(text: string): NumberedLine[] {
  const pieces = text.split('\n');
  if (pieces.length > 0 && pieces[pieces.length - 1] === '') pieces.pop();
  return pieces.map((piece, i) => ({ line: i + 1, text: piece.endsWith('\r') ? piece.slice(0, -1) : piece }));
}
