import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJsonAtomic } from '../io/atomic.js';
import { toJsonSafe } from '../io/json.js';
import { parseRunRecord } from './records.js';
import { readRunRecord } from './record-file.js';
import { SAMPLE_RECORD as record } from '../testing/run-record.js';


test('a record written with NaN/±Infinity (stored as strings) reads back with the numbers restored, everywhere', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-records-'));
  try {
    const file = join(dir, 'run-003.json');
    writeJsonAtomic(file, record);
    const back = readRunRecord(file)!;
    assert.deepEqual(back, record);
    assert.equal(back.final.loss, -Infinity);
    assert.ok(Number.isNaN(back.final.gradNormSq));
    assert.equal((back.observed as { flat: { lastR: number } }).flat.lastR, Infinity);
    // A diverged run's final point (class non-finite) is a finished run, not a damaged record.
    const diverged = { ...record, final: { ...record.final, class: 'non-finite' as const } };
    writeJsonAtomic(file, diverged);
    assert.deepEqual(readRunRecord(file, () => assert.fail('read as damaged')), diverged);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged record names the file and the field; old records without gvp/statistics counters still read', () => {
  assert.throws(() => parseRunRecord('{"run": 1, "ste', 'runs/run-001.json'), /runs\/run-001\.json is not valid JSON .*damaged or unfinished run record/);
  const json = toJsonSafe({ ...record, final: { ...record.final, gradNormSq: 'big' } });
  assert.throws(() => parseRunRecord(JSON.stringify(json), 'r.json'), /r\.json is not a gradflat run record: final\.gradNormSq: /);
  const old = toJsonSafe({ ...record, start: undefined, work: { loss: 1, gradient: 2, hvp: 3 } });
  assert.deepEqual(parseRunRecord(JSON.stringify(old), 'old.json').work, { loss: 1, gradient: 2, hvp: 3, gvp: 0, statistics: 0 });
});
