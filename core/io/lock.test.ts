import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { UsageError } from './errors.js';
import { LOCK_FILE, lockDirectory } from './lock.js';
import { DirectoryBusyError } from './errors.js';

const lockModule = new URL('./lock.js', import.meta.url).href;

test('two processes: the second is refused naming the holder; a killed holder leaves a stale lock that is taken over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-lock-'));
  const out = join(dir, 'out');
  // The holder: another process that takes the lock and waits.
  const holder = spawn(process.execPath, ['--input-type=module', '-e',
    `const { lockDirectory } = await import(${JSON.stringify(lockModule)}); lockDirectory(${JSON.stringify(out)}); console.log('locked'); setInterval(() => {}, 1000);`],
  { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [chunk] = await once(holder.stdout!, 'data');
    assert.equal(String(chunk).trim(), 'locked');
    const held = JSON.parse(readFileSync(join(out, LOCK_FILE), 'utf8'));
    assert.equal(held.pid, holder.pid);
    assert.throws(() => lockDirectory(out), (e: Error) => e instanceof DirectoryBusyError &&
      e.message.startsWith(`${out} is in use by pid ${holder.pid} (started ${held.startedAt}`) &&
      e.message.includes(`wait for it to finish, or remove ${join(out, LOCK_FILE)} if that process is gone`));
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    assert.ok(existsSync(join(out, LOCK_FILE)), 'SIGKILL leaves the lock behind');
    const lock = lockDirectory(out);
    assert.equal(JSON.parse(readFileSync(join(out, LOCK_FILE), 'utf8')).pid, process.pid, 'the stale lock was taken over');
    assert.equal(lock.created, false);
    lock.release();
    assert.deepEqual(readdirSync(out), [], 'release removes the lock file');
  } finally {
    holder.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the lock is re-entrant within a process, reports whether it created the folder, and refuses a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-lock2-'));
  try {
    const out = join(dir, 'new');
    const a = lockDirectory(out);
    assert.equal(a.created, true);
    const b = lockDirectory(out);
    b.release();
    assert.ok(existsSync(join(out, LOCK_FILE)), 'still held by the outer lock');
    a.release();
    assert.equal(existsSync(join(out, LOCK_FILE)), false);
    writeFileSync(join(dir, 'afile.txt'), 'x');
    assert.throws(() => lockDirectory(join(dir, 'afile.txt')), (e: Error) => e instanceof UsageError && /afile\.txt is a file, not a directory/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the lock file is readable by its owner only, and a URL password in the command is masked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-lock-secret-'));
  const argv = process.argv;
  process.argv = [argv[0], 'gradflat', 'suite', 's.yaml', '--queue', 'rediss://alice:hunter2@cache.lan:6380/3'];
  try {
    const lock = lockDirectory(join(dir, 'out'));
    try {
      const path = join(dir, 'out', LOCK_FILE);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      const text = readFileSync(path, 'utf8');
      assert.ok(!text.includes('hunter2'), text);
      assert.equal(JSON.parse(text).command, 'gradflat suite s.yaml --queue rediss://alice:***@cache.lan:6380/3');
    } finally {
      lock.release();
    }
  } finally {
    process.argv = argv;
    rmSync(dir, { recursive: true, force: true });
  }
});
