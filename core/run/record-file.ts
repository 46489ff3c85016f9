/**
 * Reading a run's final record (runs/run-NNN.json) back. A record that is empty or cut short
 * (a disk filled up, a file copied half-way, an editor) is not a finished run: it reads as
 * missing, so resume runs it again and summaries count it as unfinished, naming the file,
 * instead of stopping every later command with a bare JSON parse error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseRunRecord } from './records.js';
import { DamagedRecordError } from '../io/errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { withChecksumField } from '../io/checksum.js';
import { toJsonSafe } from '../io/json.js';
import type { RunRecord } from './run-one.js';

/**
 * Writes a run's final record atomically, with a checksum of its content (a `checksum` field):
 * a record changed after it was written reads as damaged, is counted as unfinished and run again.
 */
export function writeRunRecord(path: string, record: RunRecord): void {
  writeFileAtomic(path, withChecksumField(toJsonSafe(record) as Record<string, unknown>));
}

/** Why a record file on disk could not be used (to name it in a warning). */
export type DamagedRecord = (path: string, reason: string) => void;

export const warnDamagedRecord: DamagedRecord = (path, reason) =>
  process.emitWarning(`${path} is damaged (${reason}): that run counts as unfinished and is run again on resume`, { code: 'GRADFLAT_DAMAGED_RECORD' });

/**
 * The record at `path`, or undefined when there is none or it is damaged (reported to `onDamaged`).
 * Parsed through the record schema (core/run/records.ts): stored NaN/±Infinity come back as numbers.
 */
export function readRunRecord(path: string, onDamaged: DamagedRecord = warnDamagedRecord): RunRecord | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  if (text.trim() === '') {
    onDamaged(path, 'empty file');
    return undefined;
  }
  try {
    return parseRunRecord(text, path);
  } catch (e) {
    if (!(e instanceof DamagedRecordError)) throw e;
    onDamaged(path, e.reason);
    return undefined;
  }
}
