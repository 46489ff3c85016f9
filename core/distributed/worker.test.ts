import test from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import { JOB_ATTEMPTS, JOB_FORMAT, QUEUE_NAME } from './protocol.js';
import { parseQueueUrl, redisClient } from './redis.js';
import { startQueueWorker } from './worker.js';
import { hostname } from 'node:os';
import { computationDifferences, computationOf, describeComputation, type Computation } from '../run/computation.js';
import { packageVersion } from '../run/experiment.js';
import { redisServerMissing, startRedis } from '../testing/redis-server.js';

const skip = redisServerMissing();

test('queue URLs: redis:// and rediss://, password and database, the password hidden in messages', () => {
  const u = parseQueueUrl('rediss://:p%40ss@cache.lan:6380/2');
  assert.deepEqual({ host: u.host, port: u.port, password: u.password, db: u.db, tls: u.tls }, { host: 'cache.lan', port: 6380, password: 'p@ss', db: 2, tls: true });
  assert.equal(u.display, 'rediss://:***@cache.lan:6380/2');
  assert.equal(parseQueueUrl('redis://10.0.0.5').port, 6379);
  assert.throws(() => parseQueueUrl('http://x'), /not a Redis URL scheme/);
  assert.throws(() => parseQueueUrl('localhost:6379'), /not a Redis URL scheme|not a Redis URL/);
});

test('version skew: a worker refuses a job queued by another gradflat version, at once and with a clear message', { skip }, async () => {
  const redis = await startRedis();
  const url = parseQueueUrl(redis.url);
  const connection = redisClient(url);
  const queue = new Queue(QUEUE_NAME, { connection });
  const worker = await startQueueWorker(redis.url, { lockMs: 2000 });
  try {
    await queue.add('old', { format: JOB_FORMAT, gradflat: '0.0.1-other', label: 'old run 0' }, { jobId: 'skew-1', attempts: JOB_ATTEMPTS });
    let state = '';
    for (let i = 0; i < 300 && state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = await (await queue.getJob('skew-1'))!.getState();
    }
    const job = (await queue.getJob('skew-1'))!;
    assert.equal(state, 'failed');
    assert.match(job.failedReason, /version skew: the job was queued by gradflat 0\.0\.1-other .* this worker runs gradflat \d/);
    assert.equal(job.attemptsMade, 1, 'refused, not retried');
  } finally {
    await worker.close();
    await queue.close();
    connection.disconnect();
    await redis.stop();
  }
});

test('another computation: a worker refuses a job whose coordinator runs other code, at once, naming both', { skip }, async () => {
  const redis = await startRedis();
  const url = parseQueueUrl(redis.url);
  const connection = redisClient(url);
  const queue = new Queue(QUEUE_NAME, { connection });
  const worker = await startQueueWorker(redis.url, { lockMs: 2000 });
  try {
    const other: Computation = { code: 'f'.repeat(64), kernels: 'typescript' };
    await queue.add('other', { format: JOB_FORMAT, gradflat: packageVersion(), computation: other, kernels: 'typescript', label: 'other run 0' }, { jobId: 'other-1', attempts: JOB_ATTEMPTS });
    let state = '';
    for (let i = 0; i < 300 && state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = await queue.getJobState('other-1');
    }
    const job = (await queue.getJob('other-1'))!;
    assert.equal(state, 'failed');
    const mine = computationOf('typescript');
    assert.equal(job.failedReason.startsWith(`computation differs (code): the job was queued by a coordinator computing with code ffffffffffff, kernels typescript; this worker ${hostname()}:${process.pid} computes with code ${mine.code.slice(0, 12)}, kernels typescript.`), true, job.failedReason);
    assert.match(job.failedReason, /--allow-mixed/);
    assert.equal(job.attemptsMade, 1, 'refused, not retried');
  } finally {
    await worker.close();
    await queue.close();
    connection.disconnect();
    await redis.stop();
  }
});

test('computations: the same process is one computation; another code or BLAS CPU kernel differs, and says which', () => {
  const a = computationOf('typescript');
  assert.deepEqual(computationDifferences(a, computationOf('typescript')), []);
  assert.match(a.code, /^[0-9a-f]{64}$/);
  assert.deepEqual(computationDifferences(a, { ...a, code: '0'.repeat(64) }), ['code']);
  const blas: Computation = { code: a.code, kernels: 'openblas', blas: { library: 'libopenblas.so.0', corename: 'Haswell', threads: 1 } };
  assert.deepEqual(computationDifferences(blas, { ...blas, blas: { ...blas.blas!, corename: 'Sandybridge' } }), ['BLAS']);
  assert.deepEqual(computationDifferences(blas, a), ['kernels']);
  assert.equal(describeComputation(blas), `code ${a.code.slice(0, 12)}, kernels openblas (libopenblas.so.0, CPU kernel Haswell, 1 thread)`);
});
