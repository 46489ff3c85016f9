import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { PluginRegistry } from '../registry/registry.js';
import { newtonMrPlugin } from '../../plugins/newton-mr/index.js';
import { runExperiment } from './experiment.js';
import { openStepLog } from './step-log.js';
import { registerBuiltinProblems } from '../../builtins.js';

const openFds = () => readdirSync('/proc/self/fd').length;
const noProc = !existsSync('/proc/self/fd') && 'no /proc/self/fd on this platform';
const quiet = { update() {}, done() {} };
// tmpfs where there is one: 2,025 atomic record writes each fsync, which costs seconds on a disk.
const scratch = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

// Regression: every run used to leak its step log's descriptor (pino's destination closes
// asynchronously, which a synchronous experiment loop never reached): EMFILE at run ~1000.
test('a 2,025-run quartic experiment keeps the open file descriptor count flat', { skip: noProc }, () => {
  const registry = new PluginRegistry();
  registerBuiltinProblems(registry);
  registry.register(newtonMrPlugin);
  const dir = mkdtempSync(join(scratch, 'gradflat-fd-'));
  try {
    const before = openFds();
    const res = runExperiment({ problem: { name: 'quartic', seed: 1, grid: 45 }, stepper: 'newton-mr', runs: 1, iterations: 1, seed: 1 },
      dir, typescriptKernels, { registry, progress: quiet });
    const after = openFds();
    assert.equal(res.records.length, 2025);
    assert.ok(after - before <= 2, `open descriptors grew from ${before} to ${after} over 2,025 runs`);
    // The last log line (the final point) is on disk by the time the record is.
    const last = readFileSync(join(dir, 'runs', 'run-2024.ndjson'), 'utf8').trim().split('\n').pop()!;
    assert.equal(JSON.parse(last).type, 'final');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a step log is written through and closed synchronously; writing after close throws', { skip: noProc }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-fd-'));
  try {
    const before = openFds();
    const log = openStepLog(join(dir, 'a.ndjson'));
    assert.equal(openFds(), before + 1);
    log.write({ type: 'step', x: Number.NaN });
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'a.ndjson'), 'utf8')), { v: 1, type: 'step', x: 'NaN' });
    log.close();
    log.close();
    assert.equal(openFds(), before);
    assert.throws(() => log.write({ type: 'step' }), /closed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
