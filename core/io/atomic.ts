/**
 * Atomic file writes: write a temporary sibling, fsync, rename. A crash leaves old or new, never
 * half. The temporary name carries the pid and thread id: suite workers share one pid.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { toJsonSafe } from './json.js';

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${threadId}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    try {
      if (typeof data === 'string') writeSync(fd, data);
      else writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    // A failed write (disk full, a directory in the way) must not leave its temporary file.
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Non-finite numbers are written as strings ("NaN"), never as a silent null. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(toJsonSafe(value), null, 2) + '\n');
}
