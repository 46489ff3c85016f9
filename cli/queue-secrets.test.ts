import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redisServerMissing, startRedis } from '../core/testing/redis-server.js';
import { exited, startNode, until } from '../core/testing/processes.js';
import { queueTestEnv, tinyQueueSuite } from '../core/testing/queue-fixtures.js';

const cli = fileURLToPath(new URL('./main.js', import.meta.url));
const skip = redisServerMissing();
const base = queueTestEnv;
// A '+' the URL percent-encodes, and a marker no other text contains.
const PASSWORD = 'Pw-s3cret+Marker_x9';

const SUITE = tinyQueueSuite('secret-test');

/** Every file under dir (and its name) that mentions `needle`. */
function mentioning(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, String(f));
    if (String(f).includes(needle) || (statSync(p).isFile() && readFileSync(p).includes(needle))) hits.push(String(f));
  }
  return hits;
}

test('a queue password never reaches OUT, the lock file (mode 0600), the "in use" error or any line printed', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-secret-'));
  const redis = await startRedis({ password: PASSWORD });
  const children: ChildProcess[] = [];
  try {
    assert.ok(redis.url.includes(encodeURIComponent(PASSWORD)));
    const file = join(dir, 'suite.yaml');
    writeFileSync(file, SUITE);
    const out = join(dir, 'out');
    // No worker yet: the coordinator holds OUT's lock and waits.
    const coordinator = startNode(cli, ['suite', file, '--out', out, '--queue', redis.url], base, children);
    const lock = join(out, '.gradflat.lock');
    await until('the coordinator\'s lock', () => existsSync(lock) && readFileSync(lock, 'utf8').endsWith('\n'));
    assert.equal(statSync(lock).mode & 0o777, 0o600, 'the lock file is readable by its owner only');
    const held = readFileSync(lock, 'utf8');
    assert.ok(!held.includes(PASSWORD) && !held.includes(encodeURIComponent(PASSWORD)), held);
    assert.match(held, /redis:\/\/:\*\*\*@127\.0\.0\.1/, 'the command is kept, its password masked');

    const second = spawnSync(process.execPath, [cli, 'suite', file, '--out', out, '--queue', redis.url], { encoding: 'utf8', env: base, timeout: 60_000 });
    assert.equal(second.status, 1, second.stderr);
    assert.match(second.stderr, /is in use by pid/);
    assert.ok(!second.stderr.includes(PASSWORD) && !second.stdout.includes(PASSWORD), second.stderr);

    // The worker takes its URL from the environment: the same rule for both ways of giving it.
    const worker = startNode(cli, ['worker'], { ...base, GRADFLAT_REDIS_URL: redis.url }, children);
    assert.equal(await exited(coordinator.c), 0, coordinator.err());
    worker.c.kill('SIGTERM');
    assert.equal(await exited(worker.c), 0, worker.err());
    assert.match(worker.err(), /taking tasks from redis:\/\/:\*\*\*@/);
    for (const [who, text] of [['coordinator', coordinator.err() + coordinator.out()], ['worker', worker.err() + worker.out()]]) {
      assert.ok(!text.includes(PASSWORD) && !text.includes(encodeURIComponent(PASSWORD)), `${who} printed the password:\n${text}`);
    }
    assert.deepEqual(mentioning(out, PASSWORD), [], 'no file in OUT holds the password');
    assert.deepEqual(mentioning(out, encodeURIComponent(PASSWORD)), []);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
