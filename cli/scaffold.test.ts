// `gradflat new stepper|problem NAME`: the package it writes compiles against gradflat's types,
// its own test (checkPlugin) passes, and `gradflat check .` passes in it. No npm install here
// (offline): node_modules/gradflat, typescript and @types/node are linked to this checkout's.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gradflat, inTemp } from '../core/testing/cli.js';
import { PACKAGE_ROOT } from '../core/registry/load-fixtures.js';

function linkDependencies(dir: string): void {
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  symlinkSync(PACKAGE_ROOT, join(dir, 'node_modules', 'gradflat'), 'dir');
  symlinkSync(join(PACKAGE_ROOT, 'node_modules', 'typescript'), join(dir, 'node_modules', 'typescript'), 'dir');
  symlinkSync(join(PACKAGE_ROOT, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'), 'dir');
}

const node = (cwd: string, args: string[]) => spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 120_000 });

for (const kind of ['stepper', 'problem'] as const) {
  test(`gradflat new ${kind}: a package whose plugin compiles, passes its own test and gradflat check`, () => {
    inTemp(`new-${kind}`, (dir) => {
      const name = `my-${kind}`;
      const made = gradflat(dir, ['new', kind, name]);
      assert.equal(made.status, 0, made.stderr);
      const pkgDir = join(dir, name);
      for (const f of ['package.json', 'tsconfig.json', 'src/index.ts', 'src/index.test.ts', 'README.md', '.gitignore']) assert.ok(existsSync(join(pkgDir, f)), f);
      const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
      assert.equal(pkg.name, name);
      assert.equal(pkg.gradflat, './dist/index.js');
      assert.match(pkg.peerDependencies.gradflat, /^\^\d+\.\d+\.\d+/);

      linkDependencies(pkgDir);
      const tsc = node(pkgDir, [join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
      assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
      const ownTest = node(pkgDir, ['--test', 'dist/index.test.js']);
      assert.equal(ownTest.status, 0, ownTest.stdout + ownTest.stderr);
      const checked = gradflat(pkgDir, ['check', '.']);
      assert.equal(checked.status, 0, checked.stdout + checked.stderr);
      assert.match(checked.stdout, new RegExp(`^${kind} '${name}' \\(.*\\): passed$`, 'm'));

      // Used from another folder by its path, as its README shows.
      const args = kind === 'stepper'
        ? ['run', '--plugin', pkgDir, '--stepper', name, '--problem', 'quartic', '--grid', '2', '--iterations', '5', '--out', 'o']
        : ['run', '--plugin', pkgDir, '--problem', name, '--option', 'n=6', '--runs', '2', '--iterations', '5', '--out', 'o'];
      const run = gradflat(dir, args);
      assert.equal(run.status, 0, run.stderr);
    });
  });
}

test('gradflat new refuses a bad name or a folder that is not empty (exit 2)', () => {
  inTemp('new-bad', (dir) => {
    const bad = gradflat(dir, ['new', 'stepper', 'My_Method']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /'My_Method' is not a valid plugin name/);
    mkdirSync(join(dir, 'taken'));
    writeFileSync(join(dir, 'taken', 'x'), '');
    const taken = gradflat(dir, ['new', 'problem', 'taken']);
    assert.equal(taken.status, 2);
    assert.match(taken.stderr, /exists and is not empty/);
  });
});
