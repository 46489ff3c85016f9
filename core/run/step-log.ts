/**
 * NDJSON step logs written with pino: one JSON object per line, appended synchronously so a
 * killed run keeps every step it logged. Records carry `v` (format version) and a `type` ('start', 'step', 'final').
 * Non-finite numbers cannot be JSON: they are written as strings ("NaN", "Infinity") so a
 * reader sees them for what they are instead of a silent null.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger } from 'pino';
import { toJsonSafe } from '../io/json.js';

/** Bumped when the meaning of a record field changes. */
export const STEP_LOG_VERSION = 1;

export interface StepLog {
  write(record: Record<string, unknown>): void;
  close(): void;
}

export function openStepLog(path: string, append = false): StepLog {
  mkdirSync(dirname(path), { recursive: true });
  const dest = pino.destination({ dest: path, sync: true, append });
  const logger: Logger = pino(
    // pino's level slot carries the log format version instead of a level nobody filters on.
    { base: undefined, timestamp: false, formatters: { level: () => ({ v: STEP_LOG_VERSION }) } },
    dest,
  );
  return {
    write: (record) => logger.info(toJsonSafe(record) as object),
    close: () => dest.flushSync(),
  };
}
