import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_PLUGIN, pluginSandbox } from '../core/registry/load-fixtures.js';

const cli = fileURLToPath(new URL('./main.js', import.meta.url));
const env = { ...process.env, CI: 'true' };
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env });

/** A small linear-AE suite with a user's plugin from a folder outside the package. */
const SUITE = `
name: kill-test
problem: { name: linear-ae, seed: 3, samples: 300, starts: { trainings: 2, steps: 40 } }
seed: 4
starts: { count: 3 }
iterations: 25
plugins: [./tr.js]
steppers:
  - { stepper: newton-mr }
  - { stepper: tr-newton }
  - { stepper: adam, hyperparameters: { learningRate: 0.01 } }
  - { stepper: gd, label: gd-momentum, hyperparameters: { learningRate: 0.05, momentum: 0.9 } }
summary: { lossAfter: [5], targets: { gradNormSq: 1.0e-8 } }
`;

/** summary.json without the wall times, which differ between two executions. */
function numbers(path: string): unknown {
  const s = JSON.parse(readFileSync(path, 'utf8')) as { methods: Array<Record<string, unknown>> };
  return s.methods.map(({ wallMs: _w, headToHead, ...m }) => {
    const { targets, ...h } = headToHead as { targets: Record<string, Record<string, unknown>> };
    return { ...m, h, targets: Object.fromEntries(Object.entries(targets).map(([k, { wallMs: _x, ...t }]) => [k, t])) };
  });
}

const finished = (dir: string) => (existsSync(join(dir, 'runs'))
  ? readdirSync(join(dir, 'runs')).flatMap((l) => readdirSync(join(dir, 'runs', l)).filter((f) => f.endsWith('.json'))).length : 0);

test('gradflat suite: SIGKILL mid-suite, then the same command resumes and gives the summary of an uninterrupted suite', async () => {
  const box = pluginSandbox();
  try {
    box.write('tr.js', readFileSync(EXAMPLE_PLUGIN, 'utf8'));
    const file = box.write('suite.yaml', SUITE);
    const whole = run('suite', file, '--out', join(box.dir, 'whole'), '--workers', '2');
    assert.equal(whole.status, 0, whole.stderr);
    assert.match(whole.stdout, /^tr-newton\s+3\/3/m);
    const killed = join(box.dir, 'killed');
    const child = spawn(process.execPath, [cli, 'suite', file, '--out', killed, '--workers', '2'], { stdio: 'ignore', env });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 60_000;
    while (finished(killed) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    await exited;
    assert.ok(!existsSync(join(killed, 'summary.json')), 'killed before the end');
    assert.ok(finished(killed) < 12, 'some runs were left to do');
    const resumed = run('suite', file, '--out', killed, '--workers', '1');
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, /resumed .*finished run\(s\) kept/);
    assert.deepEqual(numbers(join(killed, 'summary.json')), numbers(join(box.dir, 'whole', 'summary.json')));
    const summarized = run('summarize', killed);
    assert.equal(summarized.status, 0, summarized.stderr);
    assert.match(summarized.stdout, /^gd-momentum\s+3\/3/m);
  } finally {
    box.remove();
  }
});

test('gradflat suite: bad suite files are rejected with one line naming the field', () => {
  const box = pluginSandbox();
  try {
    const bad = (name: string, text: string, pattern: RegExp) => {
      const r = run('suite', box.write(name, text), '--out', join(box.dir, 'o'));
      assert.equal(r.status, 2, r.stdout);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    };
    const ok = 'problem: { name: quartic, seed: 1 }\nseed: 1\nstarts: { count: 2 }\niterations: 5\n';
    bad('a.yaml', ok + 'steppers: [{ stepper: adam, hyperparameters: { lr: 1 } }]\n', /steppers\[0\]\.hyperparameters: stepper 'adam': unknown hyperparameter 'lr'/);
    bad('b.yaml', ok + 'steppers: [{ stepper: gd }]\nprobe: { every: 0 }\n', /probe\.every: must be ≥ 1, got 0/);
    bad('c.yaml', ok + 'steppers: [{ stepper: gd }]\nplugins: [./missing.js]\n', /missing\.js/);
    bad('d.json', '{"problem": {"name": "quartic", "seed": 1}, "seed": 1, "starts": {"count": 2}, "steppers": [{"stepper": "gd"}]}', /iterations: is required/);
    writeFileSync(join(box.dir, 'e.yaml'), ok + 'steppers: [{ stepper: gd }]\n');
    const r = run('suite', join(box.dir, 'e.yaml'), '--out', join(box.dir, 'o2'), '--workers', '0');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--workers must be a positive integer/);
  } finally {
    box.remove();
  }
});
