/**
 * Weak spots about output directories, through the CLI (the input cases are in
 * weak-inputs.test.ts): summarize, a foreign manifest, measure-only, the lock, progress and the
 * kernel notice. Each case asserts the exit status, the message and what is left on disk.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CLI as cli, files, gradflat, inTemp, QUARTIC } from '../core/testing/cli.js';


test('summarize on a run directory rebuilds a deleted summary; a damaged record is named and counts as unfinished, and resume reruns it', () => inTemp('summarize', (dir) => {
  assert.equal(gradflat(dir, [...QUARTIC, '--out', 'o']).status, 0);
  const summary = readFileSync(join(dir, 'o', 'summary.json'), 'utf8');
  unlinkSync(join(dir, 'o', 'summary.json'));
  let r = gradflat(dir, ['summarize', 'o']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(join(dir, 'o', 'summary.json'), 'utf8'), summary);
  const record = readFileSync(join(dir, 'o', 'runs', 'run-002.json'), 'utf8');
  writeFileSync(join(dir, 'o', 'runs', 'run-002.json'), record.slice(0, record.length / 2));
  writeFileSync(join(dir, 'o', 'runs', 'run-003.json'), '');
  r = gradflat(dir, ['summarize', 'o']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /o\/runs\/run-002\.json is damaged \(not valid JSON/);
  assert.match(r.stderr, /o\/runs\/run-003\.json is damaged \(empty file\)/);
  assert.match(r.stderr, /2 of 4 runs finished/);
  r = gradflat(dir, [...QUARTIC, '--out', 'o']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /resumed o: 2 finished run\(s\) kept/);
  // The wall time, and the checksum that covers it, differ between the two computations.
  const strip = (s: string) => s.replace(/"wallMs": [0-9.e+-]+/, '').replace(/"checksum": "sha256:[0-9a-f]+"/, '');
  assert.equal(strip(readFileSync(join(dir, 'o', 'runs', 'run-002.json'), 'utf8')), strip(record));
}));

test("a foreign manifest.json is refused (exit 2) without suggesting --force, and --force does not touch it", () => inTemp('foreign', (dir) => {
  mkdirSync(join(dir, 'web'));
  const manifest = JSON.stringify({ name: 'my web app', icons: [] });
  writeFileSync(join(dir, 'web', 'manifest.json'), manifest);
  for (const extra of [[], ['--force']]) {
    const r = gradflat(dir, [...QUARTIC, '--out', 'web', ...extra]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /web: refusing (to write there|--force): its manifest\.json is not a gradflat manifest/);
    assert.doesNotMatch(r.stderr, /hash undefined|or --force/);
  }
  assert.deepEqual(files(join(dir, 'web')), ['manifest.json']);
  assert.equal(readFileSync(join(dir, 'web', 'manifest.json'), 'utf8'), manifest);
}));

test('reproduce --measure-only with nothing on disk exits 1 naming the expected folders and the command that makes them', () => inTemp('measure', (dir) => {
  const r = gradflat(dir, ['reproduce', '--measure-only', '--out', 'nothing']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--measure-only: nothing holds none of the figure folders .*nothing\/fig1-linear.*`gradflat reproduce --out nothing`/);
  assert.equal(existsSync(join(dir, 'nothing')), false);
}));

test('a directory in use by another live process is refused with exit 1, naming the pid and the lock file', () => inTemp('lock', (dir) => {
  mkdirSync(join(dir, 'o'));
  // This test process is the live holder.
  writeFileSync(join(dir, 'o', '.gradflat.lock'), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', command: 'gradflat run' }));
  let r = gradflat(dir, [...QUARTIC, '--out', 'o']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`o is in use by pid ${process.pid} \\(started 2026-01-01T00:00:00.000Z: gradflat run\\); wait for it to finish, or remove .*o/\\.gradflat\\.lock if that process is gone`));
  assert.deepEqual(files(join(dir, 'o')), ['.gradflat.lock']);
  // A lock whose process is gone is stale: taken over, and released at the end.
  writeFileSync(join(dir, 'o', '.gradflat.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', command: '' }));
  r = gradflat(dir, [...QUARTIC, '--out', 'o']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(existsSync(join(dir, 'o', '.gradflat.lock')), false);
}));

test('progress: a line per finished run with done/total when stderr is not a terminal; none with --quiet or in CI', () => inTemp('progress', (dir) => {
  let r = gradflat(dir, [...QUARTIC, '--out', 'a'], {});
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /newton-mr runs 4\/4 done/);
  r = gradflat(dir, [...QUARTIC, '--out', 'b', '--quiet'], {});
  assert.doesNotMatch(r.stderr, /done/);
  r = gradflat(dir, [...QUARTIC, '--out', 'c'], { CI: 'true' });
  assert.doesNotMatch(r.stderr, /done/);
  r = gradflat(dir, [...QUARTIC, '--out', 'd', '--progress'], { CI: 'true' });
  assert.match(r.stderr, /4\/4 done/);
}));

test('the kernel notice carries one "gradflat:" prefix, not two (koffi hidden, auto kernels)', () => inTemp('prefix', (dir) => {
  // Preloaded: CommonJS resolution of 'koffi' (how the OpenBLAS kernels load it) fails, as if it were not installed.
  writeFileSync(join(dir, 'hide-koffi.cjs'), `const M = require('node:module'); const r = M._resolveFilename;
M._resolveFilename = function (req, ...rest) { if (req === 'koffi') throw Object.assign(new Error('hidden'), { code: 'MODULE_NOT_FOUND' }); return r.call(this, req, ...rest); };\n`);
  const r = spawnSync(process.execPath, ['-r', join(dir, 'hide-koffi.cjs'), cli, 'info'], { cwd: dir, encoding: 'utf8', env: { ...process.env, GRADFLAT_KERNELS: 'auto' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^gradflat: using the pure-TypeScript dense kernels \(slower\) because OpenBLAS is unavailable: the optional npm dependency koffi/m);
  assert.doesNotMatch(r.stderr, /gradflat: gradflat:/);
}));
