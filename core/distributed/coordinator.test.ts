import test from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { toJsonSafe } from '../io/json.js';
import type { RunRecord } from '../run/run-one.js';
import type { SuiteTask } from '../suite/task.js';
import { SAMPLE_RECORD } from '../testing/run-record.js';
import { redisServerMissing, startRedis } from '../testing/redis-server.js';
import { MachineLog, waitForJobs, type JobReader } from './coordinator.js';
import { encodeResult, QUEUE_NAME, type JobData, type JobResult } from './protocol.js';
import { parseQueueUrl, redisClient } from './redis.js';

const skip = redisServerMissing();

/** A real Redis, a queue, a worker that processes nothing (the test takes and completes jobs itself, when it chooses) and a temp folder, torn down after `body`. */
async function withManualQueue(prefix: string, redisOptions: Parameters<typeof startRedis>[0], body: (q: { queue: Queue<JobData, JobResult>; manual: Worker<JobData, JobResult>; dir: string; url: ReturnType<typeof parseQueueUrl> }) => Promise<void>): Promise<void> {
  const redis = await startRedis(redisOptions);
  const url = parseQueueUrl(redis.url);
  const connections = [redisClient(url), redisClient(url)];
  const queue = new Queue<JobData, JobResult>(QUEUE_NAME, { connection: connections[0] });
  const manual = new Worker<JobData, JobResult>(QUEUE_NAME, null, { connection: connections[1], autorun: false });
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    await body({ queue, manual, dir, url });
  } finally {
    await manual.close();
    await queue.close();
    for (const c of connections) c.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a job completing between the coordinator\'s reads of its data and of its state is collected, not a crash on a null return value', { skip }, async () => {
  await withManualQueue('gradflat-race-', undefined, async ({ queue, manual, dir }) => {
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
  });
});

test('a queued result changed in Redis is damaged: said once, never written to DIR, the task run again', { skip }, async () => {
  await withManualQueue('gradflat-damaged-result-', undefined, async ({ queue, manual, dir }) => {
    const task: SuiteTask = { phase: 'method', stepper: 0, run: 3, theta0: [0, 0] };
    await queue.add('m run 3', { label: 'm run 3' } as JobData, { jobId: 'job-7' });
    const recordText = JSON.stringify(toJsonSafe(SAMPLE_RECORD), null, 2) + '\n';
    const good = encodeResult(recordText, '{"iteration":0}\n');
    // One digit of θ changed inside the gzipped result, the checksum left as the worker wrote it.
    const json = gunzipSync(Buffer.from(good.gz, 'base64')).toString('utf8');
    const altered = json.replace('-2', '-3');
    assert.notEqual(altered, json);
    const bad: JobResult = { gz: gzipSync(altered).toString('base64'), checksum: good.checksum };
    const first = (await manual.getNextJob('token-1'))!;
    await first.moveToCompleted(bad, 'token-1', false);
    const lines: string[] = [];
    const done: RunRecord[] = [];
    const paths = { log: join(dir, 'run-003.ndjson'), record: join(dir, 'run-003.json') };
    const waiting = waitForJobs(queue, new Map([['job-7', task]]), () => paths, { done: (_t, r) => done.push(r), progress: () => {} }, () => 'm run 3', { pollMs: 10, log: (l) => lines.push(l), every: 1e9 });
    // The coordinator sends it back to the queue: a worker takes it again and returns a sound result.
    let again: Awaited<ReturnType<typeof manual.getNextJob>> | undefined;
    for (let i = 0; i < 500 && !again; i++) {
      again = await manual.getNextJob('token-2', { block: false });
      if (!again) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(again, 'the damaged task was queued again');
    await again.moveToCompleted(good, 'token-2', false);
    await waiting;
    const damagedLines = lines.filter((l) => /^damaged: /.test(l));
    assert.equal(damagedLines.length, 1, lines.join('\n'));
    assert.match(damagedLines[0], /^damaged: the queued result of m run 3 \(job job-7\) is altered: its content does not match its checksum; the task runs again$/);
    assert.deepEqual(done, [SAMPLE_RECORD]);
    assert.equal(readFileSync(paths.record, 'utf8'), recordText);
  });
});

test('a queue no worker serves: the coordinator says so once, naming the command to start one', { skip }, async () => {
  await withManualQueue('gradflat-idle-', { password: 'pw9' }, async ({ queue, manual, dir, url }) => {
    await queue.add('m run 3', { label: 'm run 3' } as JobData, { jobId: 'idle-1' });
    const lines: string[] = [];
    const paths = { log: join(dir, 'run-003.ndjson'), record: join(dir, 'run-003.json') };
    const task: SuiteTask = { phase: 'method', stepper: 0, run: 3, theta0: [0, 0] };
    const waiting = waitForJobs(queue, new Map([['idle-1', task]]), () => paths, { done: () => {}, progress: () => {} }, () => 'm run 3',
      { pollMs: 10, idleHintMs: 150, log: (l) => lines.push(l), every: 1e9, queueDisplay: url.display });
    await new Promise((r) => setTimeout(r, 600));
    const job = (await manual.getNextJob('t'))!;
    await job.moveToCompleted(encodeResult(JSON.stringify(toJsonSafe(SAMPLE_RECORD), null, 2) + '\n', ''), 't', false);
    await waiting;
    const hints = lines.filter((l) => l.startsWith('no worker'));
    assert.equal(hints.length, 1, lines.join('\n'));
    assert.match(hints[0], /^no worker has taken a job in 0 s \(1 waiting\): start some with 'gradflat worker --queue redis:\/\/:\*\*\*@127\.0\.0\.1:\d+'/);
  });
});

test('a damaged machines.json is moved aside, named, and a fresh one started: the coordinator goes on', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-machines-'));
  try {
    const mine = { code: 'c0de', kernels: 'typescript' };
    const lines: string[] = [];
    for (const damaged of ['{"runs/a/run-0.json": {"machine": "h:1"', '[1, 2]']) {
      writeFileSync(join(dir, 'machines.json'), damaged);
      const log = new MachineLog(dir, mine, (l) => lines.push(l));
      log.add(join(dir, 'runs', 'a', 'run-1.json'), 'a run 1', { machine: 'h:2', computation: mine });
      assert.deepEqual(Object.keys(JSON.parse(readFileSync(join(dir, 'machines.json'), 'utf8'))), [join('runs', 'a', 'run-1.json')]);
    }
    // Each damaged file kept, under its own name, with what it held.
    assert.deepEqual(readdirSync(dir).sort(), ['machines.json', 'machines.json.damaged', 'machines.json.damaged-2']);
    assert.equal(readFileSync(join(dir, 'machines.json.damaged-2'), 'utf8'), '[1, 2]');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /machines\.json could not be read \(.*JSON.*\): moved to .*machines\.json\.damaged, and a fresh one started/);
    assert.match(lines[1], /could not be read \(not an object of runs\): moved to .*machines\.json\.damaged-2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
