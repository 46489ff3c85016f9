// The two example plugin packages (examples/packages/: an L-BFGS stepper, a matrix-factorisation
// problem), made with `gradflat new`, built and packed as their author would (tsc, npm pack),
// then installed from the tarballs into a user's folder and used BY NAME: `gradflat check`, and a
// suite listing both under plugins:. Offline: gradflat itself is linked, not packed and installed
// (its own dependencies would need the registry), and a tarball is unpacked where npm would put it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gradflat, inTemp } from '../core/testing/cli.js';
import { PACKAGE_ROOT } from '../core/registry/load-fixtures.js';

const sh = (cwd: string, cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true', npm_config_offline: 'true', npm_config_update_notifier: 'false' }, timeout: 180_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r.stdout;
};

/** Builds examples/packages/<folder> in a copy, runs its own test, packs it; returns the tarball's path. */
function buildAndPack(work: string, folder: string): string {
  const dir = join(work, folder);
  cpSync(join(PACKAGE_ROOT, 'examples', 'packages', folder), dir, { recursive: true, filter: (src) => !/[\\/](node_modules|dist)$/.test(src) });
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  symlinkSync(PACKAGE_ROOT, join(dir, 'node_modules', 'gradflat'), 'dir');
  symlinkSync(join(PACKAGE_ROOT, 'node_modules', 'typescript'), join(dir, 'node_modules', 'typescript'), 'dir');
  symlinkSync(join(PACKAGE_ROOT, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'), 'dir');
  sh(dir, process.execPath, [join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
  sh(dir, process.execPath, ['--test', 'dist/index.test.js']);
  // --ignore-scripts: `prepare` (tsc) already ran above, with the linked compiler.
  const name = sh(dir, 'npm', ['pack', '--ignore-scripts', '--silent']).trim().split('\n').pop()!;
  return join(dir, name);
}

test('the example packages: built, packed, installed from their tarballs, checked and run in a suite by package name', () => {
  inTemp('example-packages', (work) => {
    const tarballs = { 'gradflat-lbfgs': buildAndPack(work, 'lbfgs'), 'gradflat-matrix-factorization': buildAndPack(work, 'matrix-factorization') };
    const user = join(work, 'user');
    mkdirSync(join(user, 'node_modules'), { recursive: true });
    symlinkSync(PACKAGE_ROOT, join(user, 'node_modules', 'gradflat'), 'dir');
    for (const [name, tgz] of Object.entries(tarballs)) {
      const into = join(user, 'node_modules', name);
      mkdirSync(into);
      sh(into, 'tar', ['-xzf', tgz, '--strip-components=1']);
      assert.deepEqual(readdirSync(into).sort(), ['README.md', 'dist', 'package.json'], `${name}: what npm pack ships`);
    }

    const checked = gradflat(user, ['check', 'gradflat-lbfgs', 'gradflat-matrix-factorization', '--option', 'rows=4', '--option', 'cols=3', '--option', 'rank=1']);
    assert.equal(checked.status, 0, checked.stdout + checked.stderr);
    assert.match(checked.stdout, /^stepper 'lbfgs' \(gradflat-lbfgs\): passed$/m);
    assert.match(checked.stdout, /^problem 'matrix-factorization' \(gradflat-matrix-factorization\): passed$/m);
    // L-BFGS also keeps the contract on the packaged problem.
    const onProblem = gradflat(user, ['check', 'gradflat-lbfgs', 'gradflat-matrix-factorization', '--problem', 'matrix-factorization', '--option', 'rows=4', '--option', 'cols=3']);
    assert.equal(onProblem.status, 0, onProblem.stdout + onProblem.stderr);

    writeFileSync(join(user, 'suite.yaml'), [
      'plugins: [gradflat-lbfgs, gradflat-matrix-factorization]',
      'problem: { name: matrix-factorization, seed: 3, rows: 6, cols: 5, rank: 2, k: 2 }',
      'seed: 1', 'starts: { count: 4 }', 'iterations: 60',
      'steppers: [{ stepper: lbfgs }, { stepper: gd, hyperparameters: { learningRate: 0.01 } }]', '',
    ].join('\n'));
    const r = gradflat(user, ['suite', 'suite.yaml', '--out', 'o', '--workers', '2']);
    assert.equal(r.status, 0, r.stderr);
    const out = join(user, 'o', 'runs');
    const finals = (label: string) => readdirSync(join(out, label)).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(out, label, f), 'utf8')) as { start: { loss: number }; final: { loss: number } });
    const lbfgs = finals('lbfgs'), gd = finals('gd');
    assert.equal(lbfgs.length, 4);
    // A rank-2 fit of a rank-2 matrix: L-BFGS reaches the valley of exact fits (loss → 0) in 60 steps, far below GD.
    for (const [i, rec] of lbfgs.entries()) {
      assert.ok(rec.final.loss < 1e-8 * rec.start.loss, `lbfgs run ${i}: ${rec.start.loss} → ${rec.final.loss}`);
      assert.ok(rec.final.loss < gd[i].final.loss, `lbfgs ${rec.final.loss} vs gd ${gd[i].final.loss}`);
    }
  });
});
