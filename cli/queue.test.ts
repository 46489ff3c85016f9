import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseQueueUrl, redisClient } from '../core/distributed/redis.js';
import { freePort, redisServerMissing, startRedis } from '../core/testing/redis-server.js';
import { SLOW_GD } from '../core/testing/slow-plugin.js';
import { jsonWithoutTiming, logWithoutTiming } from '../core/testing/timing.js';
import { exited, until } from '../core/testing/processes.js';

const cli = fileURLToPath(new URL('./main.js', import.meta.url));
const skip = redisServerMissing();
const base = { ...process.env, CI: 'true', GRADFLAT_QUEUE_LOCK_MS: '1500', GRADFLAT_CHECKPOINT_STEPS: '20' };

const SUITE = `
name: queue-test
problem: { name: quartic, seed: 1, grid: 2 }
seed: 5
starts: { count: 4 }
iterations: 250
plugins: [./slow-gd.mjs]
steppers:
  - { stepper: slow-gd }
  - { stepper: newton-mr }
  - { stepper: adam, hyperparameters: { learningRate: 0.01 } }
summary: { lossAfter: [5] }
`;

function sameRuns(a: string, b: string): void {
  for (const label of readdirSync(join(a, 'runs'))) {
    for (const f of readdirSync(join(a, 'runs', label))) {
      const x = readFileSync(join(a, 'runs', label, f), 'utf8'), y = readFileSync(join(b, 'runs', label, f), 'utf8');
      if (f.endsWith('.ndjson')) assert.deepEqual(logWithoutTiming(y), logWithoutTiming(x), `${label}/${f}`);
      else assert.equal(jsonWithoutTiming(y), jsonWithoutTiming(x), `${label}/${f}`);
    }
  }
  assert.equal(jsonWithoutTiming(readFileSync(join(b, 'summary.json'), 'utf8')), jsonWithoutTiming(readFileSync(join(a, 'summary.json'), 'utf8')), 'summary.json');
}


test('suite --queue with two workers, one SIGKILLed mid-task and the coordinator killed and restarted: records and summary equal a local run', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-queue-'));
  const redis = await startRedis();
  const children: ChildProcess[] = [];
  const client = redisClient(parseQueueUrl(redis.url));
  try {
    writeFileSync(join(dir, 'slow-gd.mjs'), SLOW_GD);
    const file = join(dir, 'suite.yaml');
    writeFileSync(file, SUITE);
    const local = spawnSync(process.execPath, [cli, 'suite', file, '--out', join(dir, 'local'), '--workers', '1'], { encoding: 'utf8', env: { ...base, GRADFLAT_CHECKPOINT: 'off' } });
    assert.equal(local.status, 0, local.stderr);

    const start = (args: string[]) => {
      const c = spawn(process.execPath, [cli, ...args], { env: base, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      c.stderr!.on('data', (d) => { err += String(d); });
      children.push(c);
      return { c, err: () => err };
    };
    const queued = join(dir, 'queued');
    let coordinator = start(['suite', file, '--out', queued, '--queue', redis.url]);
    const w1 = start(['worker', '--queue', redis.url]);
    // Kill worker 1 once a task of it has a checkpoint in Redis (mid-task), and the coordinator too.
    await until('a checkpoint in Redis', async () => (await client.keys('gradflat:ckpt:*')).length > 0);
    w1.c.kill('SIGKILL');
    coordinator.c.kill('SIGKILL');
    await exited(w1.c);
    await exited(coordinator.c);
    const w2 = start(['worker', '--queue', redis.url, '--concurrency', '2']);
    coordinator = start(['suite', file, '--out', queued, '--queue', redis.url]);
    assert.equal(await exited(coordinator.c), 0, coordinator.err());
    assert.match(w2.err(), /continuing from its checkpoint/, 'worker 2 continued the dead worker\'s task from its checkpoint');
    sameRuns(join(dir, 'local'), queued);
    w2.c.kill('SIGTERM');
    assert.equal(await exited(w2.c), 0, 'SIGTERM stops a worker cleanly');
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    client.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a task that throws fails after bounded attempts, and the coordinator shows its error', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-queue-bad-'));
  const redis = await startRedis();
  try {
    writeFileSync(join(dir, 'bad.mjs'), `export default { name: 'bad', description: 'throws', hyperparameters: {}, create: (o) => ({
      init(t) { const { loss, gradient } = o.gradient(t); return { iteration: 0, theta: t, loss, gradient, gradNormSq: 1, extra: {} }; },
      step() { throw new Error('bad plugin: step is broken'); } }) };`);
    const file = join(dir, 'suite.yaml');
    writeFileSync(file, SUITE.replace('./slow-gd.mjs', './bad.mjs').replace('stepper: slow-gd', 'stepper: bad'));
    const r = spawnSync(process.execPath, [cli, 'suite', file, '--out', join(dir, 'q'), '--queue', redis.url, '--workers', '1'], { encoding: 'utf8', env: base, timeout: 120_000 });
    assert.equal(r.status, 1, r.stderr); // a plugin failing during a run: the work failed (README "Exit codes")
    assert.match(r.stderr, /bad run \d failed after 2 attempt\(s\): step 0 threw: bad plugin: step is broken/);
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Redis unreachable: a clear error naming the URL, quickly', { skip }, async () => {
  const port = await freePort();
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [cli, 'worker', '--queue', `redis://:secret@127.0.0.1:${port}`], { encoding: 'utf8', env: base, timeout: 30_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}`));
  assert.doesNotMatch(r.stderr, /secret/, 'the password is not shown');
  assert.ok(Date.now() - t0 < 15_000);
});
