/**
 * NDJSON step logs written with pino: one JSON object per line, appended synchronously so a
 * killed run keeps every step it logged. Records carry `v` (format version) and a `type` ('start', 'step', 'final').
 * Non-finite numbers cannot be JSON: they are written as strings ("NaN", "Infinity") so a
 * reader sees them for what they are instead of a silent null.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
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
  // Our own descriptor, written and closed synchronously: pino's sonic-boom destination closes
  // its file asynchronously (fsync, then close, on later event-loop turns), which a synchronous
  // loop over hundreds of runs never reaches, so every run leaked one descriptor (EMFILE).
  let fd: number | undefined = openSync(path, append ? 'a' : 'w');
  const dest = {
    write(line: string) {
      if (fd === undefined) throw new Error(`step log ${path} is closed`);
      writeSync(fd, line);
    },
  };
  const logger: Logger = pino(
    // pino's level slot carries the log format version instead of a level nobody filters on.
    { base: undefined, timestamp: false, formatters: { level: () => ({ v: STEP_LOG_VERSION }) } },
    dest,
  );
  return {
    write: (record) => logger.info(toJsonSafe(record) as object),
    close: () => {
      if (fd === undefined) return;
      closeSync(fd);
      fd = undefined;
    },
  };
}
