import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonWithoutTiming, logTextWithoutEvaluationTime } from '../core/testing/timing.js';
import { SLOW_GD } from '../core/testing/slow-plugin.js';

const cli = fileURLToPath(new URL('./main.js', import.meta.url));


test('gradflat run: SIGKILLed after a checkpoint, the same command resumes and ends bit-identical to an uninterrupted run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-cli-ckpt-'));
  try {
    const plugin = join(dir, 'slow-gd.mjs');
    writeFileSync(plugin, SLOW_GD);
    const args = (out: string) => [cli, 'run', '--problem', 'quartic', '--grid', '1', '--stepper', 'slow-gd', '--plugin', plugin, '--iterations', '600', '--out', join(dir, out)];
    const base = { ...process.env, CI: 'true' };
    const whole = spawnSync(process.execPath, args('whole'), { encoding: 'utf8', env: { ...base, GRADFLAT_CHECKPOINT: 'off' } });
    assert.equal(whole.status, 0, whole.stderr);

    const env = { ...base, GRADFLAT_CHECKPOINT_STEPS: '25' };
    const checkpoint = join(dir, 'killed', 'runs', 'run-000.checkpoint');
    const child = spawn(process.execPath, args('killed'), { stdio: 'ignore', env });
    const exited = new Promise<void>((res) => child.on('exit', () => res()));
    await new Promise<void>((res, rej) => {
      const poll = setInterval(() => {
        if (existsSync(checkpoint)) {
          clearInterval(poll);
          child.kill('SIGKILL');
          res();
        } else if (child.exitCode !== null) {
          clearInterval(poll);
          rej(new Error('the run finished before any checkpoint was seen'));
        }
      }, 5);
    });
    await exited;
    assert.ok(existsSync(checkpoint) && !existsSync(join(dir, 'killed', 'runs', 'run-000.json')), 'killed mid-run, after a checkpoint');
    const logged = readFileSync(join(dir, 'killed', 'runs', 'run-000.ndjson'), 'utf8').split('\n').length;
    assert.ok(logged < 600, `killed before the end (${logged} lines)`);

    const resumed = spawnSync(process.execPath, args('killed'), { encoding: 'utf8', env });
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.ok(!existsSync(checkpoint), 'the checkpoint is removed with the final record');
    const read = (out: string, f: string) => readFileSync(join(dir, out, f), 'utf8');
    assert.equal(logTextWithoutEvaluationTime(read('killed', 'runs/run-000.ndjson')), logTextWithoutEvaluationTime(read('whole', 'runs/run-000.ndjson')), 'byte-identical step log (but the evaluation time)');
    assert.equal(jsonWithoutTiming(read('killed', 'runs/run-000.json')), jsonWithoutTiming(read('whole', 'runs/run-000.json')), 'final record');
    assert.equal(read('killed', 'summary.json'), read('whole', 'summary.json'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
