import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { Rng } from '../../core/random/rng.js';
import { buildProblem } from '../../core/registry/catalog.js';
import { covarianceEigen } from './covariance.js';
import { registerBuiltins } from '../../builtins.js';

registerBuiltins();

const dir = mkdtempSync(join(tmpdir(), 'gradflat-data-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const csv = (name: string, rows: number[][]) => {
  const p = join(dir, name);
  writeFileSync(p, rows.map((r) => r.join(',')).join('\n') + '\n');
  return p;
};
const rng = new Rng(7);
const randomRows = (n: number) => Array.from({ length: n }, () => Array.from({ length: 16 }, () => rng.normal()));
const build = (name: 'linear-ae' | 'swish-ae', dataFile: string) => buildProblem({ name, seed: 1, dataFile }, typescriptKernels);

test('too few samples are refused naming the file, the problem and the fix', () => {
  const one = csv('single.csv', randomRows(1));
  assert.throws(() => build('linear-ae', one), (e: Error) => /single\.csv: 1 sample, too few for the linear-ae problem: it needs at least 16.*Give at least 16 rows/.test(e.message));
  assert.throws(() => build('swish-ae', csv('few.csv', randomRows(15))), /few\.csv: 15 samples, too few for the swish-ae problem/);
  assert.throws(() => buildProblem({ name: 'linear-ae', seed: 1, samples: 3 }, typescriptKernels), /generated data \(samples: 3\).*Use --samples ≥ 16/);
});

test('identical or linearly dependent rows are refused as degenerate', () => {
  const row = randomRows(1)[0];
  const same = csv('const.csv', Array.from({ length: 200 }, () => row));
  for (const name of ['linear-ae', 'swish-ae'] as const) {
    assert.throws(() => build(name, same), new RegExp(`const\\.csv: the 200 samples span only 1 of 16 dimensions.*${name} problem is degenerate`));
  }
  const base = randomRows(8);
  const dependent = csv('dependent.csv', [...base, ...base.map((r) => r.map((v) => 2 * v)), ...base.map((r, i) => r.map((v, j) => v + base[(i + 1) % 8][j]))]);
  assert.throws(() => build('swish-ae', dependent), /span only 8 of 16 dimensions/);
});

test('repeated covariance eigenvalues are caught with a relative tolerance, not by exact order', () => {
  // ±√16·e_i: the second moment is exactly I, whose 16 eigenvalues differ only by round-off.
  const rows: number[][] = [];
  for (let i = 0; i < 16; i++) for (const s of [4, -4]) rows.push(Array.from({ length: 16 }, (_, j) => (j === i ? s : 0)));
  const iso = csv('isotropic.csv', rows);
  assert.throws(() => build('linear-ae', iso), /isotropic\.csv: the data covariance has a repeated eigenvalue/);
  // swish-ae has no analytic critical points to list: isotropic data is fine there.
  assert.equal(build('swish-ae', iso).name, 'swish-ae');
  // Perturbed by a relative 1e-13 the eigenvalues still count as repeated.
  const x = new Float64Array(16 * 16);
  for (let i = 0; i < 16; i++) x[i * 16 + i] = 4 * (1 + 1e-13 * i);
  assert.throws(() => covarianceEigen(x, 16, 16, typescriptKernels), /repeated eigenvalue/);
});

test('ordinary data still builds', () => {
  assert.equal(build('linear-ae', csv('good.csv', randomRows(40))).name, 'linear-ae');
});
