import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('./main.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });

test('gradflat plugins lists newton-mr with its hyperparameters and defaults', () => {
  const r = run('plugins');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /newton-mr/);
  assert.match(r.stdout, /rtol: number .*= 1e-10/);
  assert.match(r.stdout, /maxit: integer .*null \(n, the number of parameters\)/);
});

test('gradflat run on the quartic writes summary.json in the documented shape', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-cli-'));
  try {
    const r = run('run', '--problem', 'quartic', '--grid', '3', '--iterations', '30', '--out', dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /quartic × newton-mr: 9 runs/);
    const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    assert.deepEqual(Object.keys(s.runs[0].final).sort(), ['class', 'classPaper', 'gradNormSq', 'index', 'loss', 'r', 'rH', 'theta']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--data reads an autoencoder data set from a headerless CSV, and its hash guards resume', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-cli-csv-'));
  try {
    const csv = join(dir, 'd.csv');
    // 64 samples whose 16 coordinates have distinct variances (distinct covariance eigenvalues).
    const rows = Array.from({ length: 64 }, (_, i) => Array.from({ length: 16 }, (_, j) => (Math.sin(1.3 * i * (j + 1) + j) * (j + 1)).toFixed(6)).join(','));
    writeFileSync(csv, rows.join('\n') + '\n');
    const args = ['run', '--problem', 'linear-ae', '--data', csv, '--runs', '2', '--iterations', '5', '--train-steps', '20', '--out', join(dir, 'o')];
    const r = run(...args);
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(readFileSync(join(dir, 'o', 'manifest.json'), 'utf8'));
    assert.equal(m.problem.data.samples, 64);
    assert.match(m.identity.dataSha256, /^[0-9a-f]{64}$/);
    writeFileSync(csv, rows.slice(1).join('\n') + '\n'); // the data changed: resuming would mix experiments
    const again = run(...args);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /different configuration/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a non-empty directory that is not a gradflat run is never written into', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-cli-foreign-'));
  try {
    writeFileSync(join(dir, 'report.md'), 'precious');
    const r = run('run', '--problem', 'quartic', '--grid', '2', '--out', dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /is not empty and holds no gradflat run/);
    assert.equal(readFileSync(join(dir, 'report.md'), 'utf8'), 'precious');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a --config file supplies what flags do not, and flags override it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-cli-config-'));
  try {
    const cfg = join(dir, 'c.json');
    writeFileSync(cfg, JSON.stringify({ problem: { name: 'quartic', grid: 2 }, iterations: 5, seed: 7, hyperparameters: { rho: 0.2 } }));
    const r = run('run', '--config', cfg, '--hp', 'beta=0.25', '--out', join(dir, 'o'));
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(readFileSync(join(dir, 'o', 'manifest.json'), 'utf8'));
    assert.equal(m.identity.config.iterations, 5);
    assert.equal(m.identity.config.seed, 7);
    assert.equal(m.identity.config.hyperparameters.rho, 0.2);
    assert.equal(m.identity.config.hyperparameters.beta, 0.25);
    const again = run('run', '--config', cfg, '--hp', 'beta=0.25', '--out', join(dir, 'o'));
    assert.match(again.stderr, /resumed .*: 4 finished run\(s\) kept/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input: unknown problem, unknown stepper, bad hyperparameter, NaN data, missing file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-cli-bad-'));
  try {
    const expectError = (args: string[], pattern: RegExp) => {
      const r = run(...args, '--out', join(dir, 'o'), '--force');
      assert.equal(r.status, 2, `exit status for ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
    };
    expectError(['run', '--problem', 'cubic'], /unknown problem 'cubic'\. Available problems: quartic, linear-ae, swish-ae/);
    expectError(['run', '--problem', 'quartic', '--stepper', 'lbfgs'], /unknown stepper 'lbfgs'\. Registered steppers: .*newton-mr/);
    expectError(['run', '--problem', 'quartic', '--hp', 'rho=2'], /hyperparameter 'rho' must be ≤ 1, got 2/);
    expectError(['run', '--problem', 'quartic', '--hp', 'rho'], /--hp expects key=value/);
    expectError(['run', '--problem', 'quartic', '--hp', 'beta=1'], /'beta' must be < 1/);
    expectError(['run', '--problem', 'quartic', '--index-cutoff', '-1'], /indexCutoff: must be ≥ 0, got -1/);
    expectError(['run', '--problem', 'quartic', '--runs', 'abc'], /--runs must be a number/);
    const typo = join(dir, 'typo.json');
    writeFileSync(typo, JSON.stringify({ problem: { name: 'quartic', grids: 3 } }));
    expectError(['run', '--config', typo], /problem\.grids: unknown field\. Valid fields of problem: name, seed/);
    const csv = join(dir, 'nan.csv');
    writeFileSync(csv, Array.from({ length: 3 }, (_, i) => Array.from({ length: 16 }, (_, j) => (i === 1 && j === 4 ? 'NaN' : '0.5')).join(',')).join('\n'));
    expectError(['run', '--problem', 'linear-ae', '--data', csv], /nan\.csv:2: column 5 is "NaN", not a finite number/);
    expectError(['run', '--problem', 'linear-ae', '--data', join(dir, 'missing.csv')], /data file not found/);
    expectError(['run', '--problem', 'quartic', '--config', join(dir, 'missing.json')], /config file not found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGKILL mid-run, then the same command: finished runs are kept and the summary equals an uninterrupted run', async () => {
  const { spawn } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-kill-'));
  try {
    const args = ['run', '--problem', 'linear-ae', '--samples', '400', '--train-steps', '40', '--runs', '4', '--iterations', '40', '--seed', '3'];
    const whole = run(...args, '--out', join(dir, 'whole'));
    assert.equal(whole.status, 0, whole.stderr);
    const killed = join(dir, 'killed');
    const child = spawn(process.execPath, [cli, ...args, '--out', killed], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Kill as soon as the first run's final record exists (the second run is then in progress).
    const deadline = Date.now() + 60_000;
    while (!existsSync(join(killed, 'runs', 'run-000.json')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    await exited;
    assert.ok(!existsSync(join(killed, 'summary.json')), 'killed before the end');
    const resumed = run(...args, '--out', killed);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, /resumed .*finished run\(s\) kept/);
    const a = JSON.parse(readFileSync(join(dir, 'whole', 'summary.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(killed, 'summary.json'), 'utf8'));
    assert.deepEqual(b, a);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--plugin FILE (repeatable) registers a user\'s steppers for `plugins` and `run`', async () => {
  const { pluginSandbox, EXAMPLE_PLUGIN } = await import('../core/registry/load-fixtures.js');
  const box = pluginSandbox();
  try {
    const file = box.write('tr.js', readFileSync(EXAMPLE_PLUGIN, 'utf8'));
    const r = run('plugins', '--plugin', file, '--plugin', file); // the same file twice is harmless
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^newton-mr — /m);
    assert.match(r.stdout, /^tr-newton — trust-region Newton/m);
    assert.match(r.stdout, /radius0: number .*= 1 — initial trust-region radius/);
    const ran = run('run', '--plugin', file, '--stepper', 'tr-newton', '--hp', 'eta=0.2', '--problem', 'quartic', '--grid', '2', '--iterations', '40', '--out', join(box.dir, 'o'));
    assert.equal(ran.status, 0, ran.stderr);
    // Every start of the 2×2 grid ends at a minimiser, by both criteria.
    const summary = JSON.parse(readFileSync(join(box.dir, 'o', 'summary.json'), 'utf8'));
    assert.equal(summary.runs.length, 4);
    assert.equal(summary.classes.critical, 4);
    assert.equal(summary.classesPaper.critical, 4);
  } finally {
    box.remove();
  }
});

test('--plugin errors: missing file, nothing usable, syntax error, name clash — one line naming the file, exit 2', async () => {
  const { pluginSandbox } = await import('../core/registry/load-fixtures.js');
  const box = pluginSandbox();
  try {
    const expectError = (cmd: 'run' | 'plugins', file: string, pattern: RegExp) => {
      const r = cmd === 'run'
        ? run('run', '--plugin', file, '--stepper', 'x', '--problem', 'quartic', '--out', join(box.dir, 'o'))
        : run('plugins', '--plugin', file);
      assert.equal(r.status, 2, `${cmd} --plugin ${file}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    };
    expectError('run', join(box.dir, 'nope.js'), /^gradflat: error: plugin file not found: .*nope\.js/);
    expectError('plugins', box.write('nothing.js', 'export const helper = 1;'), /plugin file .*nothing\.js: exports nothing gradflat can use \(its exports: helper\)\. A plugin file must `export default` a stepper plugin/);
    expectError('run', box.write('syntax.js', 'export default { name: "x",'), /plugin file .*syntax\.js failed to load: SyntaxError: /);
    const clash = box.write('clash.js', "export default { name: 'newton-mr', description: 'mine', hyperparameters: {}, create: () => null };");
    expectError('plugins', clash, /plugin file .*clash\.js: the default export is named 'newton-mr', but a different stepper of that name is already registered/);
  } finally {
    box.remove();
  }
});
