import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { toJsonSafe } from '../io/json.js';
import type { RunRecord } from '../run/run-one.js';
import type { SuiteTask } from '../suite/task.js';
import { SAMPLE_RECORD } from '../testing/run-record.js';
import { redisServerMissing, startRedis } from '../testing/redis-server.js';
import { waitForJobs, type JobReader } from './coordinator.js';
import { encodeResult, QUEUE_NAME, type JobData, type JobResult } from './protocol.js';
import { parseQueueUrl, redisClient } from './redis.js';

const skip = redisServerMissing();

test('a job completing between the coordinator\'s reads of its data and of its state is collected, not a crash on a null return value', { skip }, async () => {
  const redis = await startRedis();
  const url = parseQueueUrl(redis.url);
  const connections = [redisClient(url), redisClient(url)];
  const queue = new Queue<JobData, JobResult>(QUEUE_NAME, { connection: connections[0] });
  // A worker without a processor: the test takes and completes the job itself, when it chooses.
  const manual = new Worker<JobData, JobResult>(QUEUE_NAME, null, { connection: connections[1], autorun: false });
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-race-'));
  try {
    const task: SuiteTask = { phase: 'method', stepper: 0, run: 3, theta0: [0, 0] };
    await queue.add('m run 3', { label: 'm run 3' } as JobData, { jobId: 'race-1' });
    const recordText = JSON.stringify(toJsonSafe(SAMPLE_RECORD), null, 2) + '\n';
    let completions = 0;
    const complete = async () => {
      const job = (await manual.getNextJob('token-1'))!;
      await job.moveToCompleted(encodeResult(recordText, '{"iteration":0}\n'), 'token-1', false);
      completions++;
    };
    // Every read the coordinator makes is a chance for the job to complete right after it: the
    // first read of the job's data hands back a snapshot taken before the job completed, and
    // the completion happens before any later read (its state, in the old order).
    let reads = 0;
    const racing: JobReader = {
      getJob: async (id: string) => {
        const snapshot = await queue.getJob(id);
        if (reads++ === 0) await complete();
        return snapshot;
      },
      getJobState: async (id: string) => {
        const state = await queue.getJobState(id);
        if (reads++ === 0) await complete();
        return state;
      },
    };
    const done: Array<[SuiteTask, RunRecord]> = [];
    const paths = { log: join(dir, 'run-003.ndjson'), record: join(dir, 'run-003.json') };
    await waitForJobs(racing, new Map([['race-1', task]]), () => paths, { done: (t, r) => done.push([t, r]), progress: () => {} }, () => 'm run 3', { pollMs: 10 });
    assert.equal(completions, 1);
    assert.equal(done.length, 1);
    assert.deepEqual(done[0][1], SAMPLE_RECORD);
    assert.equal(readFileSync(paths.record, 'utf8'), recordText);
  } finally {
    await manual.close();
    await queue.close();
    for (const c of connections) c.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
