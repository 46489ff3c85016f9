import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutDirectory, isGradflatManifest, openRunDirectory, parseManifest } from './run-directory.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'gradflat-rundir-'));
const manifest = { gradflat: '0.0.0' };

test('an empty --out is refused before any path is built from it', () => {
  for (const bad of ['', '  ', undefined, 3]) assert.throws(() => checkOutDirectory(bad), /--out must name a directory/);
  assert.throws(() => openRunDirectory('', { a: 1 }, manifest, true), /--out must name a directory/);
  assert.equal(checkOutDirectory('x'), 'x');
});

test('--force in a directory gradflat did not write refuses and deletes nothing', () => {
  const dir = fresh();
  try {
    mkdirSync(join(dir, 'runs'));
    writeFileSync(join(dir, 'runs', 'thesis.tex'), 'mine');
    writeFileSync(join(dir, 'summary.json'), '{"mine":true}');
    mkdirSync(join(dir, 'report'));
    assert.throws(() => openRunDirectory(dir, { a: 1 }, manifest, true), /refusing --force.*no gradflat run.*would have deleted or overwritten (?=.*runs)(?=.*summary\.json)(?=.*report)/);
    assert.throws(() => openRunDirectory(dir, { a: 1 }, manifest, false), /refusing to write there.*no gradflat run/);
    assert.equal(readFileSync(join(dir, 'runs', 'thesis.tex'), 'utf8'), 'mine');
    assert.equal(readFileSync(join(dir, 'summary.json'), 'utf8'), '{"mine":true}');
    assert.ok(existsSync(join(dir, 'report')));
    assert.ok(!existsSync(join(dir, 'manifest.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a foreign or damaged manifest.json is not a gradflat directory, even with --force', () => {
  const dir = fresh();
  try {
    writeFileSync(join(dir, 'manifest.json'), '{"name":"my web app","icons":[]}');
    writeFileSync(join(dir, 'summary.json'), 'mine');
    for (const force of [false, true]) assert.throws(() => openRunDirectory(dir, { a: 1 }, manifest, force), /not a gradflat manifest/);
    writeFileSync(join(dir, 'manifest.json'), '{"trunc');
    assert.throws(() => openRunDirectory(dir, { a: 1 }, manifest, true), /not valid JSON/);
    assert.equal(readFileSync(join(dir, 'summary.json'), 'utf8'), 'mine');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('in its own directory --force deletes the outputs and keeps other files; without it a new config is refused', () => {
  const dir = fresh();
  try {
    assert.deepEqual(openRunDirectory(dir, { a: 1 }, manifest, false).resuming, false);
    assert.ok(isGradflatManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))));
    assert.equal(openRunDirectory(dir, { a: 1 }, manifest, false).resuming, true);
    mkdirSync(join(dir, 'runs'));
    writeFileSync(join(dir, 'runs', 'run-000.json'), '{}');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    assert.throws(() => openRunDirectory(dir, { a: 2 }, manifest, false), /different configuration/);
    assert.equal(openRunDirectory(dir, { a: 2 }, manifest, true).resuming, false);
    assert.ok(!existsSync(join(dir, 'runs')));
    assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'mine');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a directory holding only the lock and a killed writer\'s temporary manifest is a new run directory, not a foreign one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-temps-'));
  try {
    // Ctrl-C while the manifest was being written: its temporary file is all that is left.
    writeFileSync(join(dir, '.manifest.json.4242.0.tmp'), '{"conf');
    assert.equal(openRunDirectory(dir, { config: { a: 1 } }, { gradflat: 'x' }, false).resuming, false);
    assert.ok(existsSync(join(dir, 'manifest.json')));
    // A user's own dot file is still the user's.
    const other = mkdtempSync(join(tmpdir(), 'gradflat-dotfile-'));
    writeFileSync(join(other, '.notes.tmp'), 'mine');
    assert.throws(() => openRunDirectory(other, { config: { a: 1 } }, { gradflat: 'x' }, false), /not empty and holds no gradflat run/);
    rmSync(other, { recursive: true, force: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('manifests are read through one schema: fields of the wrong type read as absent, other fields are kept', () => {
  assert.equal(parseManifest(null), undefined);
  assert.equal(parseManifest([1]), undefined);
  const m = parseManifest({ configHash: 7, gradflat: '1.0.0', kind: 'suite', identity: 'x', problem: { name: 'quartic' }, createdAt: 'now' });
  assert.deepEqual({ ...m }, { configHash: undefined, gradflat: '1.0.0', kind: 'suite', identity: undefined, problem: { name: 'quartic' }, createdAt: 'now' });
  assert.equal(isGradflatManifest({ configHash: 'abc', identity: {} }), true);
  assert.equal(isGradflatManifest({ configHash: 'abc' }), false);
  assert.equal(isGradflatManifest({ configHash: 1, gradflat: '1.0.0' }), false);
});
