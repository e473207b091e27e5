// Errors the app kit reports to users: one line each, with a stack trace only when FINMM_DEBUG=1.

/** A mistake in how a command was called (bad option, unknown split): reported without a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The error's message on one line (inner line breaks become "; "). */
export function oneLineMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.trim().split(/\s*\r?\n\s*/).filter((part) => part !== '').join('; ') || 'unknown error';
}

/** Whether FINMM_DEBUG asks for stack traces. */
export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env['FINMM_DEBUG'];
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
