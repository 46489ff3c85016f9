/**
 * `gradflat worker --queue URL`: takes suite tasks from the BullMQ queue and runs each on a
 * worker thread with the local pool's code (suite-worker.ts → task.ts), so the event loop stays
 * free to renew BullMQ's job locks. Everything a task needs comes with the job or from Redis by
 * content hash (suite, plugin files, data file, truth); its checkpoints go to Redis, so a worker
 * that dies loses at most the steps since the last one: BullMQ's stalled-job check hands the
 * job to another worker, which continues from there. SIGTERM releases running jobs back to the
 * queue (their checkpoints stay) and exits.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker as Thread } from 'node:worker_threads';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { packageVersion } from '../run/experiment.js';
import type { ResolvedSuite } from '../suite/config.js';
import type { WorkerInit, WorkerMessage } from '../suite/pool.js';
import { taskPaths, type SuiteTask } from '../suite/task.js';
import { decodeCheckpoint, decodeExact } from '../run/checkpoint.js';
import { checkpointKey, encodeResult, getBlob, JOB_FORMAT, QUEUE_NAME, saveCheckpoint, type JobData, type JobResult } from './protocol.js';
import { checkReachable, parseQueueUrl, redisClient } from './redis.js';

export interface QueueWorkerOptions {
  concurrency?: number;
  /** BullMQ lock duration and stalled-check interval (ms; default 30 s): how soon a dead worker's job moves on. */
  lockMs?: number;
  log?: (line: string) => void;
}

export interface QueueWorker {
  /** Releases running jobs (their checkpoints stay in Redis) and stops. */
  close(): Promise<void>;
}

const THREAD_URL = new URL('../suite/suite-worker.js', import.meta.url);
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export async function startQueueWorker(urlText: string, opts: QueueWorkerOptions = {}): Promise<QueueWorker> {
  const url = parseQueueUrl(urlText);
  await checkReachable(url);
  const log = opts.log ?? (() => {});
  const redis = redisClient(url);
  redis.on('error', () => {});
  // Plugin files are materialised here, next to a node_modules/gradflat link, so that a plugin's
  // `import ... from 'gradflat'` resolves to this installation.
  const cache = mkdtempSync(join(tmpdir(), 'gradflat-worker-'));
  mkdirSync(join(cache, 'node_modules'));
  writeFileSync(join(cache, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  symlinkSync(PACKAGE_ROOT, join(cache, 'node_modules', 'gradflat'), 'dir');
  const stopping = new Set<() => void>();
  let closing = false;

  const materialise = async (blob: { file: string; sha256: string }, name: string): Promise<string> => {
    const dir = join(cache, 'blobs', blob.sha256);
    const path = join(dir, name);
    if (!existsSync(path)) {
      const content = await getBlob(redis, blob);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, content);
    }
    return path;
  };

  const processor = async (job: Job<JobData, JobResult>, token?: string): Promise<JobResult> => {
    const d = job.data;
    const version = packageVersion();
    if (d.format !== JOB_FORMAT || d.gradflat !== version) {
      throw new UnrecoverableError(`version skew: the job was queued by gradflat ${d.gradflat} (job format ${d.format}), this worker runs gradflat ${version} (format ${JOB_FORMAT}); run workers with the coordinator's gradflat version`);
    }
    let suite: ResolvedSuite;
    const plugins: string[] = [];
    let dataFile: string | undefined;
    let truth: WorkerInit['truth'];
    try {
      suite = decodeCheckpoint((await getBlob(redis, d.suite)).toString('utf8')) as ResolvedSuite;
      for (const p of d.plugins) plugins.push(await materialise(p, basename(p.file)));
      if (d.data) dataFile = await materialise(d.data, basename(d.data.file));
      if (d.truth) truth = decodeCheckpoint((await getBlob(redis, d.truth)).toString('utf8')) as WorkerInit['truth'];
    } catch (e) {
      throw new UnrecoverableError(`plugin or data mismatch: ${(e as Error).message}`);
    }
    const task = decodeExact(d.task) as SuiteTask;
    const local: ResolvedSuite = { ...suite, plugins, problem: { ...suite.problem, ...(dataFile && { dataFile }) } };
    const out = mkdtempSync(join(cache, 'job-'));
    const id = job.id!;
    const checkpoint = await redis.command('get', [checkpointKey(id)]) as string | null;
    log(`${d.label}: ${checkpoint ? 'continuing from its checkpoint' : 'starting'} (job ${id})`);
    const init: WorkerInit = { suite: local, out, kernels: d.kernels, truth, version, runs: d.runs, checkpoint: d.checkpoint, remoteCheckpoints: true };
    const thread = new Thread(THREAD_URL, { workerData: init });
    const writes: Array<Promise<unknown>> = [];
    let stop: () => void = () => {};
    try {
      await new Promise<void>((resolve, reject) => {
        let finished = false;
        stop = () => {
          finished = true;
          void thread.terminate();
          reject(new DelayedError('released'));
        };
        stopping.add(stop);
        thread.on('message', (m: WorkerMessage) => {
          if (m.type === 'ready') thread.postMessage({ index: 0, task, ...(checkpoint && { checkpoint }) });
          else if (m.type === 'checkpoint') writes.push(saveCheckpoint(redis, id, m.text));
          else if (m.type === 'checkpoint-clear') { /* cleared after the result is returned */ }
          else if (m.type === 'done') {
            finished = true;
            resolve();
          } else if (m.type === 'error') {
            finished = true;
            reject(new Error(m.message));
          }
        });
        thread.on('error', (e) => {
          finished = true;
          reject(e);
        });
        thread.on('exit', (code) => {
          if (!finished) reject(new Error(`the task's thread exited (code ${code}) before finishing`));
        });
      });
    } catch (e) {
      if (e instanceof DelayedError) {
        // Released on SIGTERM: back to the queue without using up an attempt; the checkpoint stays.
        await Promise.allSettled(writes);
        try {
          await job.moveToDelayed(Date.now(), token);
        } catch (m) {
          log(`${d.label}: could not release the job (${(m as Error).message}); it moves on when its lock expires`);
        }
        rmSync(out, { recursive: true, force: true });
        throw e;
      }
      rmSync(out, { recursive: true, force: true });
      throw e;
    } finally {
      stopping.delete(stop);
      void thread.terminate();
    }
    await Promise.all(writes);
    const paths = taskPaths(out, local, task);
    const result = encodeResult(readFileSync(paths.record, 'utf8'), readFileSync(paths.log, 'utf8'));
    rmSync(out, { recursive: true, force: true });
    log(`${d.label}: done (job ${id})`);
    return result;
  };

  const lockMs = opts.lockMs ?? 30_000;
  const connection = redisClient(url);
  const worker = new Worker<JobData, JobResult>(QUEUE_NAME, processor, {
    connection, concurrency: opts.concurrency ?? 1,
    lockDuration: lockMs, stalledInterval: lockMs, maxStalledCount: 3,
  });
  worker.on('error', (e) => log(`queue error: ${e.message}`));
  // The checkpoint outlives a failed attempt (the retry continues from it) and is removed once done.
  worker.on('completed', (job) => void redis.command('del', [checkpointKey(job.id!)]).catch(() => {}));
  worker.on('failed', (job, e) => log(`${job?.data.label ?? 'a job'} failed: ${e.message}`));
  return {
    async close() {
      if (closing) return;
      closing = true;
      for (const s of [...stopping]) s();
      await worker.close();
      connection.disconnect();
      redis.disconnect();
      rmSync(cache, { recursive: true, force: true });
    },
  };
}
