import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../di.js';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { PluginRegistry } from '../registry/registry.js';
import { registerBuiltins } from '../../builtins.js';
import { resolveSuite } from '../suite/config.js';
import { runSuite } from '../suite/suite.js';
import { jsonWithoutTiming, logTextWithoutEvaluationTime, logWithoutTiming } from '../testing/timing.js';
import { runExperiment, type ExperimentConfig } from './experiment.js';
import type { Progress } from './progress.js';

const registry = new PluginRegistry();
registerBuiltins(registry);
const quiet: Progress = { update() {}, done() {} };

/** A progress sink that "kills" the run (throws) at its n-th step line. */
function killAt(n: number): Progress {
  let seen = 0;
  return { update(text) { if (/ step \d/.test(text) && ++seen === n) throw new Error('killed'); }, done() {} };
}

/** Every file under dir (relative path → text), checkpoints excluded. */
function files(dir: string, sub = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
    const rel = join(sub, e.name);
    if (e.isDirectory()) for (const [k, v] of files(dir, rel)) out.set(k, v);
    else out.set(rel, readFileSync(join(dir, rel), 'utf8'));
  }
  return out;
}

function assertSameRuns(a: string, b: string, sub: string, exactLogs: boolean): void {
  const fa = files(a, sub), fb = files(b, sub);
  assert.deepEqual([...fb.keys()].sort(), [...fa.keys()].sort(), 'the same files (no checkpoint left behind)');
  for (const [k, text] of fa) {
    if (k.endsWith('.ndjson')) {
      if (exactLogs) assert.equal(logTextWithoutEvaluationTime(fb.get(k)!), logTextWithoutEvaluationTime(text), `${k}: byte-identical step log (but the evaluation time)`);
      else assert.deepEqual(logWithoutTiming(fb.get(k)!), logWithoutTiming(text), `${k}: step log (timing aside)`);
    } else assert.equal(jsonWithoutTiming(fb.get(k)!), jsonWithoutTiming(text), `${k}: record (timing aside)`);
  }
}

test('gradflat run: a run killed after a checkpoint resumes from it and ends bit-identical', () => {
  const root = mkdtempSync(join(tmpdir(), 'gradflat-ckpt-'));
  try {
    for (const stepper of ['adam', 'gd']) {
      const config: ExperimentConfig = {
        problem: { name: 'quartic', seed: 1, grid: 2 },
        stepper, runs: 1, iterations: 40, seed: 3, hyperparameters: stepper === 'adam' ? { learningRate: 0.01 } : { learningRate: 0.001, momentum: 0.9 },
      };
      const whole = join(root, `${stepper}-whole`), killed = join(root, `${stepper}-killed`);
      const policy = { everySteps: 7, everySeconds: 0 };
      runExperiment(config, whole, typescriptKernels, { registry, progress: quiet, checkpoint: false });
      // The quartic's 2×2 grid: run 0 finishes (40 step lines), run 1 dies at its step 31 (checkpoint at step 28).
      assert.throws(() => runExperiment(config, killed, typescriptKernels, { registry, progress: killAt(40 + 32), checkpoint: policy }), /killed/);
      assert.ok(existsSync(join(killed, 'runs', 'run-001.checkpoint')), 'a checkpoint exists');
      assert.ok(!existsSync(join(killed, 'runs', 'run-000.checkpoint')), 'a finished run leaves none');
      const logged = readFileSync(join(killed, 'runs', 'run-001.ndjson'), 'utf8').trim().split('\n').length;
      assert.equal(logged, 1 + 32, 'the killed run logged past its checkpoint');
      let steps = 0;
      const counting: Progress = { update(text) { if (/ step \d/.test(text)) steps++; }, done() {} };
      const res = runExperiment(config, killed, typescriptKernels, { registry, progress: counting, checkpoint: policy });
      assert.equal(res.resumed, 1);
      assert.equal(steps, 40 - 28 + 2 * 40, 'run 1 reran only the steps after its checkpoint (runs 2 and 3 ran whole)');
      assertSameRuns(whole, killed, 'runs', true);
      assert.equal(jsonWithoutTiming(readFileSync(join(killed, 'summary.json'), 'utf8')), jsonWithoutTiming(readFileSync(join(whole, 'summary.json'), 'utf8')));
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('gradflat suite: a task killed after a checkpoint resumes it (observer and probe RNG included) and ends bit-identical', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gradflat-ckpt-suite-'));
  try {
    const suite = resolveSuite({
      name: 'ckpt', problem: { name: 'swish-ae', seed: 2, samples: 40, starts: { trainings: 1, steps: 10 } }, seed: 4,
      starts: { count: 2 }, iterations: 30,
      steppers: [
        { stepper: 'kfac' },
        { stepper: 'adam', hyperparameters: { learningRate: 0.01 } },
      ],
      // Rayleigh probes draw Rademacher vectors: the RNG's position must survive the restart.
      probe: { kind: 'rayleigh', every: 3 },
      evaluation: { cutoffs: [1e-2] },
      summary: { lossAfter: [5, 25], leaveWindow: 2, targets: { loss: 1e9 } },
    }, registry);
    const whole = join(root, 'whole'), killed = join(root, 'killed');
    const policy = { everySteps: 4, everySeconds: 0 };
    await runSuite(suite, whole, typescriptKernels, { registry, workers: 1, progress: quiet, checkpoint: false });
    // kfac's two runs (60 lines), then adam run 0 dies at its step 18 (checkpoint at 16).
    await assert.rejects(runSuite(suite, killed, typescriptKernels, { registry, workers: 1, progress: killAt(60 + 19), checkpoint: policy }), /killed/);
    assert.ok(existsSync(join(killed, 'runs', 'adam', 'run-000.checkpoint')));
    await runSuite(suite, killed, typescriptKernels, { registry, workers: 1, progress: quiet, checkpoint: policy });
    assertSameRuns(whole, killed, 'runs', false);
    assert.equal(jsonWithoutTiming(readFileSync(join(killed, 'summary.json'), 'utf8')), jsonWithoutTiming(readFileSync(join(whole, 'summary.json'), 'utf8')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a checkpoint of another run is ignored with a warning, and the run starts over', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gradflat-ckpt-bad-'));
  try {
    const config: ExperimentConfig = { problem: { name: 'quartic', seed: 1, grid: 2 }, stepper: 'gd', hyperparameters: { learningRate: 0.01 }, runs: 1, iterations: 30, seed: 1 };
    const whole = join(root, 'whole'), killed = join(root, 'killed');
    runExperiment(config, whole, typescriptKernels, { registry, progress: quiet, checkpoint: false });
    assert.throws(() => runExperiment(config, killed, typescriptKernels, { registry, progress: killAt(30 + 12), checkpoint: { everySteps: 5, everySeconds: 0 } }), /killed/);
    // Swap run 1's checkpoint in for run 2's: a different start, so it must not be used.
    const ckpt = (i: number) => join(killed, 'runs', `run-00${i}.checkpoint`);
    writeFileSync(ckpt(2), readFileSync(ckpt(1), 'utf8'));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      runExperiment(config, killed, typescriptKernels, { registry, progress: quiet, checkpoint: { everySteps: 5, everySeconds: 0 } });
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /run-002\.checkpoint: it belongs to another run/);
    assertSameRuns(whole, killed, 'runs', true);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/** Warnings emitted while `body` runs (and on the tick after it). */
async function warningsOf(body: () => unknown): Promise<string[]> {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    await body();
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
  } finally {
    process.off('warning', onWarning);
  }
  return warnings;
}

test('a checkpoint with one base64 character of θ flipped is damaged: said once, discarded, the run recomputed from its start, identical to an undisturbed run', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gradflat-ckpt-flip-'));
  try {
    const config: ExperimentConfig = { problem: { name: 'quartic', seed: 1, grid: 2 }, stepper: 'gd', hyperparameters: { learningRate: 0.001, momentum: 0.9 }, runs: 1, iterations: 30, seed: 1 };
    const whole = join(root, 'whole'), killed = join(root, 'killed');
    const policy = { everySteps: 5, everySeconds: 0 };
    runExperiment(config, whole, typescriptKernels, { registry, progress: quiet, checkpoint: false });
    assert.throws(() => runExperiment(config, killed, typescriptKernels, { registry, progress: killAt(30 + 12), checkpoint: policy }), /killed/);
    const ckpt = join(killed, 'runs', 'run-001.checkpoint');
    const text = readFileSync(ckpt, 'utf8');
    const at = text.indexOf('"theta":{"$typed":"Float64Array","base64":"');
    assert.ok(at > 0, 'θ is in the checkpoint');
    // Character 9 of θ's base64 holds bits of θ[0]'s exponent: a large change, still a valid checkpoint to decode.
    const i = at + '"theta":{"$typed":"Float64Array","base64":"'.length + 9;
    writeFileSync(ckpt, text.slice(0, i) + (text[i] === 'A' ? 'Q' : 'A') + text.slice(i + 1));
    let steps = 0;
    const counting: Progress = { update(t) { if (/ step \d/.test(t)) steps++; }, done() {} };
    const warnings = await warningsOf(() => runExperiment(config, killed, typescriptKernels, { registry, progress: counting, checkpoint: policy }));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /run-001\.checkpoint: it is damaged: its content does not match its checksum/);
    assert.equal(steps, 3 * 30, 'run 1 ran from its first step (and runs 2, 3 whole)');
    assertSameRuns(whole, killed, 'runs', true);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a final record changed after it was written is damaged: said once, counted as unfinished, run again, identical to an undisturbed run', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gradflat-record-flip-'));
  try {
    const config: ExperimentConfig = { problem: { name: 'quartic', seed: 1, grid: 2 }, stepper: 'gd', hyperparameters: { learningRate: 0.001 }, runs: 1, iterations: 20, seed: 1 };
    const whole = join(root, 'whole'), again = join(root, 'again');
    runExperiment(config, whole, typescriptKernels, { registry, progress: quiet, checkpoint: false });
    runExperiment(config, again, typescriptKernels, { registry, progress: quiet, checkpoint: false });
    const record = join(again, 'runs', 'run-002.json');
    const text = readFileSync(record, 'utf8');
    // A plausible edit: still valid JSON and a valid record, one digit of the final loss changed.
    const edited = text.replace(/("loss": -?\d+\.\d)(\d)/, (_m, head: string, d: string) => head + String((Number(d) + 1) % 10));
    assert.notEqual(edited, text);
    writeFileSync(record, edited);
    const warnings = await warningsOf(() => {
      const res = runExperiment(config, again, typescriptKernels, { registry, progress: quiet, checkpoint: false });
      assert.equal(res.resumed, 3, 'the three intact records are kept, the damaged one is run again');
    });
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /run-002\.json is damaged \(altered: its content does not match its checksum/);
    assertSameRuns(whole, again, 'runs', true);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
