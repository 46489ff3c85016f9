/**
 * Two kinds of failure, told apart by the exit code (README "Exit codes"):
 *   UsageError  — bad flags, config, data or output directory: the user must change the input (exit 2);
 *   anything else — I/O errors, a plugin throwing during a run, numerical failures (exit 1).
 * Validators throw UsageError (ConfigError is one); `asUsageErrors` classifies a whole
 * checking phase at once, so that every message a validator throws needs no class of its own.
 */

export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** Exit status of the CLI for an error that reached it. */
export function exitCodeOf(err: unknown): 1 | 2 {
  return err instanceof UsageError ? 2 : 1;
}

/** An operating-system error (ENOENT, EACCES, ENOSPC, EMFILE…): a runtime failure, not bad input. */
export function isSystemError(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((err as NodeJS.ErrnoException).code!);
}

/**
 * Runs a phase that only checks input (parse, validate, build the problem): what it throws is
 * the user's to fix, except system errors, which keep their class. Returns fn's value.
 */
export function asUsageErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw toUsageError(e);
  }
}

export async function asUsageErrorsAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toUsageError(e);
  }
}

function toUsageError(e: unknown): unknown {
  if (e instanceof UsageError || isSystemError(e) || !(e instanceof Error)) return e;
  return new UsageError(e.message, { cause: e });
}

/**
 * A value as the user gave it, for messages: numbers as written (Infinity, NaN — JSON.stringify
 * would print them as "null"), strings quoted, undefined as "nothing".
 */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)) ?? String(v);
}
