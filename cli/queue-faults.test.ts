import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseQueueUrl, redisClient } from '../core/distributed/redis.js';
import { redisServerMissing, startRedis } from '../core/testing/redis-server.js';
import { exited, startNode, until } from '../core/testing/processes.js';
import { queueTestEnv, tinyQueueSuite } from '../core/testing/queue-fixtures.js';

const cli = fileURLToPath(new URL('./main.js', import.meta.url));
const skip = redisServerMissing();
const base = queueTestEnv;
const gradflat = (args: string[], env = base) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env, timeout: 60_000 });

const SUITE = tinyQueueSuite('faults-test');

/** A URL of `server` with this user and password. */
const asUser = (server: string, user: string, password: string) => server.replace('redis://', `redis://${user}:${password}@`);

test('Redis permissions are checked up front: a user missing a command the queue needs is refused at once (exit 2), naming the user and the command; the grant it suggests works', { skip }, async () => {
  const redis = await startRedis();
  const admin = redisClient(parseQueueUrl(redis.url));
  const children: ChildProcess[] = [];
  try {
    await admin.call('ACL', 'SETUSER', 'pingonly', 'on', '>pw1', '+ping');
    await admin.call('ACL', 'SETUSER', 'noxadd', 'on', '>pw2', '+@all', '-xadd', '~*', '&*');
    const t0 = Date.now();
    const r = gradflat(['worker', '--queue', asUser(redis.url, 'pingonly', 'pw1')]);
    assert.equal(r.status, 2, r.stderr);
    assert.ok(Date.now() - t0 < 20_000, 'at once');
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line:\n${r.stderr}`);
    assert.match(r.stderr, /Redis user 'pingonly' at redis:\/\/pingonly:\*\*\*@127\.0\.0\.1:\d+ may not run the 'info' command/);
    assert.doesNotMatch(r.stderr, /pw1/);
    const x = gradflat(['worker', '--queue', asUser(redis.url, 'noxadd', 'pw2')]);
    assert.equal(x.status, 2, x.stderr);
    assert.match(x.stderr, /Redis user 'noxadd' .* may not run the 'xadd' command/);
    // The coordinator checks the same, before any work.
    const dir = mkdtempSync(join(tmpdir(), 'gradflat-noperm-'));
    try {
      writeFileSync(join(dir, 'suite.yaml'), SUITE);
      const c = gradflat(['suite', join(dir, 'suite.yaml'), '--out', join(dir, 'out'), '--queue', asUser(redis.url, 'noxadd', 'pw2')]);
      assert.equal(c.status, 2, c.stderr);
      assert.match(c.stderr, /may not run the 'xadd' command/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The grant the message suggests is enough for a worker.
    const grant = /ACL SETUSER pingonly (.*?), or use a user/.exec(r.stderr)![1].split(' ');
    await admin.call('ACL', 'SETUSER', 'pingonly', ...grant);
    const w = startNode(cli, ['worker', '--queue', asUser(redis.url, 'pingonly', 'pw1')], base, children);
    await until('the worker to start', () => /taking tasks/.test(w.err()) || w.c.exitCode !== null, 20_000);
    assert.match(w.err(), /taking tasks/);
    w.c.kill('SIGTERM');
    assert.equal(await exited(w.c), 0, w.err());
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    admin.disconnect();
    await redis.stop();
  }
});

test('a database index the server does not have is an error (exit 2), never a silent database 0', { skip }, async () => {
  const redis = await startRedis();
  try {
    const r = gradflat(['worker', '--queue', `${redis.url}/99`]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /Redis at redis:\/\/127\.0\.0\.1:\d+\/99 has no database 99 \(ERR DB index is out of range\)/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  } finally {
    await redis.stop();
  }
});

test('rediss:// against a plain server is named as a TLS failure', { skip }, async () => {
  const redis = await startRedis();
  try {
    const r = gradflat(['worker', '--queue', redis.url.replace('redis://', 'rediss://')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /cannot reach Redis at rediss:\/\/127\.0\.0\.1:\d+: the TLS connection failed .*is 127\.0\.0\.1:\d+ a TLS port/);
  } finally {
    await redis.stop();
  }
});

test('Redis gone while the coordinator waits: one line with the masked URL and the wait, then exit 1 after --queue-timeout', { skip }, async () => {
  const redis = await startRedis({ password: 'hush-123' });
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-redis-down-'));
  const children: ChildProcess[] = [];
  const admin = redisClient(parseQueueUrl(redis.url));
  try {
    writeFileSync(join(dir, 'suite.yaml'), SUITE);
    // No worker: the coordinator queues the jobs and waits.
    const c = startNode(cli, ['suite', join(dir, 'suite.yaml'), '--out', join(dir, 'out'), '--queue', redis.url, '--queue-timeout', '4'], base, children);
    await until('the jobs in Redis', async () => (await admin.keys('bull:gradflat-suites:*')).length > 0);
    admin.disconnect();
    await redis.stop();
    const t0 = Date.now();
    assert.equal(await exited(c.c), 1, c.err());
    assert.ok(Date.now() - t0 < 20_000, `bounded (${Date.now() - t0} ms)`);
    const lines = c.err().trim().split('\n');
    assert.ok(lines.length <= 4, `a few lines, no error objects:\n${c.err()}`);
    assert.match(c.err(), /gradflat: Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ unreachable for \d+ s \(.*\); waiting for it up to 4 s/);
    assert.match(lines.at(-1)!, /^gradflat: error: Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ has been unreachable for \d+ s .*rerun the same command/);
    assert.doesNotMatch(c.err(), /hush-123/);
  } finally {
    for (const ch of children) if (ch.exitCode === null) ch.kill('SIGKILL');
    admin.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Redis gone under a worker: one line saying so, then exit 1 after --queue-timeout', { skip }, async () => {
  const redis = await startRedis();
  const children: ChildProcess[] = [];
  try {
    const w = startNode(cli, ['worker', '--queue', redis.url, '--queue-timeout', '3'], base, children);
    await until('the worker to start', () => /taking tasks/.test(w.err()), 20_000);
    await redis.stop();
    const t0 = Date.now();
    assert.equal(await exited(w.c), 1, w.err());
    assert.ok(Date.now() - t0 < 20_000, `bounded (${Date.now() - t0} ms)`);
    assert.match(w.err(), /gradflat: Redis at redis:\/\/127\.0\.0\.1:\d+ unreachable for \d+ s \(.*\); waiting for it up to 3 s/);
    assert.match(w.err(), /gradflat: error: Redis at redis:\/\/127\.0\.0\.1:\d+ has been unreachable for \d+ s/);
    assert.ok(w.err().trim().split('\n').length <= 5, w.err());
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await redis.stop();
  }
});

test('SIGTERM stops a worker within seconds while Redis is gone', { skip }, async () => {
  const redis = await startRedis();
  const children: ChildProcess[] = [];
  try {
    const w = startNode(cli, ['worker', '--queue', redis.url], base, children);
    await until('the worker to start', () => /taking tasks/.test(w.err()), 20_000);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = Date.now();
    w.c.kill('SIGTERM');
    await exited(w.c);
    assert.ok(Date.now() - t0 < 10_000, `exited after ${Date.now() - t0} ms`);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await redis.stop();
  }
});

test('--concurrency far beyond the CPUs is refused before connecting (each task is a CPU-bound thread with its own problem in memory)', () => {
  const r = gradflat(['worker', '--queue', 'redis://127.0.0.1:1', '--concurrency', '1000']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--concurrency 1000 is more than 4 tasks per CPU on this machine \(\d+ CPU\(s\)\)/);
});

test('--force with a queue computes every task again instead of refilling OUT from results stored in Redis, and says so', { skip }, async () => {
  const redis = await startRedis();
  const admin = redisClient(parseQueueUrl(redis.url));
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-force-queue-'));
  try {
    writeFileSync(join(dir, 'suite.yaml'), SUITE);
    const args = ['suite', join(dir, 'suite.yaml'), '--out', join(dir, 'out'), '--queue', redis.url, '--workers', '1'];
    const first = gradflat(args);
    assert.equal(first.status, 0, first.stderr);
    const keys = (await admin.keys('bull:gradflat-suites:*-method-0-0')).filter((k) => !k.includes(':logs'));
    assert.equal(keys.length, 1, keys.join(', '));
    const finished = async () => Number(await admin.hget(keys[0], 'finishedOn'));
    const before = await finished();
    const again = gradflat([...args, '--force']);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /--force: discarded 4 job\(s\) an earlier invocation left in Redis .*every task is computed again/);
    assert.ok(await finished() > before, 'the task was computed again');
  } finally {
    admin.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
