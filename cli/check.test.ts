// `gradflat check PLUGIN…`: a readable report per property, exit 0 / 1 (a property fails) / 2 (bad input).
import test from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gradflat, inTemp } from '../core/testing/cli.js';

const PROBLEM = (scale: number) => `
import { functionOracle } from 'gradflat';
const f = ([x, y]) => x * x - y * y + y ** 4 / 4;
export default {
  name: 'saddle', description: 'a saddle and two minima', options: {},
  build: () => ({
    oracle: functionOracle({ dim: 2, loss: f, gradient: (t) => ({ loss: f(t), gradient: [2 * t[0], -2 * t[1] + t[1] ** 3] }),
      hvp: (t, v) => [${scale} * 2 * v[0], ${scale} * (3 * t[1] ** 2 - 2) * v[1]] }),
    startingPoints: (count, rng) => Array.from({ length: count }, () => Float64Array.of(rng.normal(), rng.normal())),
  }),
};
`;

test('gradflat check: a good problem passes (exit 0), one with a scaled HVP fails naming it (exit 1), a missing file is bad input (exit 2)', () => {
  inTemp('check', (dir) => {
    writeFileSync(join(dir, 'good.mjs'), PROBLEM(1));
    writeFileSync(join(dir, 'bad.mjs'), PROBLEM(3));
    const good = gradflat(dir, ['check', 'good.mjs']);
    assert.equal(good.status, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /^problem 'saddle' \(good\.mjs\): passed$/m);
    assert.match(good.stdout, /^ {2}ok {3}H·v is symmetric/m);
    const bad = gradflat(dir, ['check', 'good.mjs', 'bad.mjs']);
    assert.equal(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /^problem 'saddle' \(bad\.mjs\): FAILED 1 of 10$/m);
    assert.match(bad.stdout, /^ {2}FAIL H·v matches finite differences of the gradient: .*looks scaled by that factor/m);
    assert.match(bad.stdout, /1 of 2 plugin\(s\) failed/);
    const missing = gradflat(dir, ['check', 'nope.mjs']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /plugin file not found: nope\.mjs/);
  });
});

test('gradflat check --problem: a built-in stepper checked on a named problem', () => {
  inTemp('check-problem', (dir) => {
    writeFileSync(join(dir, 'gd.mjs'), "import { registry } from 'gradflat';\nexport default { ...registry.get('gd'), name: 'my-gd' };\n");
    const r = gradflat(dir, ['check', 'gd.mjs', '--problem', 'quartic', '--option', 'grid=2', '--steps', '4']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^ {2}ok {3}builds on problem 'quartic' \(n = 2\)/m);
    const unknown = gradflat(dir, ['check', 'gd.mjs', '--problem', 'no-such']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown problem 'no-such'/);
  });
});
