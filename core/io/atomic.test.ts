// writeFileAtomic: the bytes given arrive exactly (binary too: plugin files and blobs are
// Buffers), and no temporary sibling is left, on success or on failure.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';

test('writeFileAtomic writes bytes exactly (not UTF-8 text), replaces the file whole, and leaves no temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
  try {
    const path = join(dir, 'sub', 'blob.bin');
    // 0xff 0xfe is invalid UTF-8: a string round trip would change it.
    const bytes = Uint8Array.from([0xff, 0xfe, 0x00, 0x41, 0x80]);
    writeFileAtomic(path, bytes);
    assert.deepEqual(new Uint8Array(readFileSync(path)), bytes);
    writeFileAtomic(path, 'text');
    assert.equal(readFileSync(path, 'utf8'), 'text');
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['blob.bin']);
    // A directory in the way: the write fails and its temporary file is removed.
    mkdirSync(join(dir, 'sub', 'taken'));
    assert.throws(() => writeFileAtomic(join(dir, 'sub', 'taken'), bytes));
    assert.deepEqual(readdirSync(join(dir, 'sub')).sort(), ['blob.bin', 'taken']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
