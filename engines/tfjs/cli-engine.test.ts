// The tfjs engine through the CLI: `gradflat run --engine tfjs`, a suite with `engine: tfjs` on two
// worker threads (each worker must compute on the backend the main process chose), `gradflat info`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const cli = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const env = { ...process.env, GRADFLAT_TFJS_BACKEND: '', GRADFLAT_KERNELS: 'typescript' };

function gradflat(args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...env, ...extraEnv }, timeout: 120_000 });
  assert.equal(r.status, 0, `gradflat ${args.join(' ')} failed:\n${r.stderr}\n${r.stdout}`);
  return r;
}

function wasmInstalled(): boolean {
  try { createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'); return true; } catch { return false; }
}

test('gradflat info names the tfjs backend; gradflat run --engine tfjs records float32 provenance and the engine in its identity', () => {
  const info = gradflat(['info']);
  // auto: no tfjs-node here, so WASM when it is installed (a dependency), else cpu — not either.
  const expected = wasmInstalled() ? 'wasm' : 'cpu';
  assert.match(info.stdout, new RegExp(`tfjs engine \\(--engine tfjs\\): backend '${expected}' — .*float32; tfjs 4\\.\\d+\\.\\d+; @tensorflow\\/tfjs-node is not installed`));
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-tfjs-run-'));
  try {
    gradflat(['run', '--problem', 'swish-ae', '--engine', 'tfjs', '--samples', '200', '--runs', '1', '--iterations', '4', '--train-steps', '20', '--out', dir]);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { problem: { engine: string } };
    assert.equal(manifest.problem.engine, 'tfjs');
    const rec = JSON.parse(readFileSync(join(dir, 'runs', 'run-000.json'), 'utf8')) as { provenance: Record<string, string>; final: { gradNormSq: number } };
    assert.equal(rec.provenance.engine, 'tfjs');
    assert.equal(rec.provenance.precision, 'float32');
    assert.equal(rec.provenance.backend, expected);
    assert.ok(Number.isFinite(rec.final.gradNormSq));
    const bad = spawnSync(process.execPath, [cli, 'run', '--problem', 'linear-ae', '--engine', 'f32', '--out', dir], { encoding: 'utf8', env });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /engine.*f32|Invalid values/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a suite with engine: tfjs runs on 2 worker threads, every run on the backend the main process chose', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-tfjs-suite-'));
  try {
    const file = join(dir, 'suite.yaml');
    writeFileSync(file, [
      'name: tfjs-workers',
      'problem: { name: linear-ae, seed: 3, samples: 200, engine: tfjs, starts: { trainings: 1, steps: 30 } }',
      'seed: 3',
      'starts: { count: 2 }',
      'iterations: 2',
      'steppers:',
      '  - { stepper: newton-mr }',
      'probe: { kind: none }',
    ].join('\n'));
    const out = join(dir, 'out');
    gradflat(['suite', file, '--out', out, '--workers', '2']);
    const backends = new Set<string>();
    for (const label of ['newton-mr']) {
      for (const run of ['run-000', 'run-001']) {
        const rec = JSON.parse(readFileSync(join(out, 'runs', label, `${run}.json`), 'utf8')) as { provenance: Record<string, string> };
        assert.equal(rec.provenance.engine, 'tfjs');
        backends.add(rec.provenance.backend);
      }
    }
    // The main process chose wasm (auto, installed) or cpu; each worker must compute on the same.
    assert.deepEqual([...backends], [wasmInstalled() ? 'wasm' : 'cpu'], "every run (both workers) on the main process's choice");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
