/**
 * `gradflat suite FILE --queue URL`: the suite runs as it does locally (directory, starts,
 * finder phase, flat starts, summary: core/suite/suite.ts), but each phase's tasks become BullMQ jobs
 * that `gradflat worker`s run. The coordinator uploads the inputs by content hash, adds the
 * jobs with deterministic ids (adding an existing id is a no-op, so a restarted coordinator
 * reattaches to the jobs already queued, running or done), waits with progress, and writes each
 * result's step log and final record into DIR itself: it is the only writer of DIR.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pluginContentSha256, pluginModuleFiles } from '../registry/plugin-files.js';
import { Queue, type Job } from 'bullmq';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { computationDifferences, computationOf, describeComputation, type Computation } from '../run/computation.js';
import { encodeCheckpoint, encodeExact } from '../run/checkpoint.js';
import type { TaskExecutor } from '../suite/suite.js';
import { taskPaths, type SuiteTask } from '../suite/task.js';
import { parseRunRecord } from '../run/records.js';
import { packageOfModule } from '../registry/plugin-ref.js';
import type { RunRecord } from '../run/run-one.js';
import { DamagedRecordError } from '../io/errors.js';
import { checkpointKey, decodeResult, REFUSED, JOB_ATTEMPTS, JOB_FORMAT, jobId, putBlob, QUEUE_NAME, type Blob, type JobData, type JobResult, type PluginBlob, sha256 } from './protocol.js';
import { checkReachable, DEFAULT_QUEUE_TIMEOUT_MS, parseQueueUrl, redisClient, watchConnections, within } from './redis.js';
import { startQueueWorker, type QueueWorker } from './worker.js';

export interface QueueExecutorOptions {
  /** Also run this many tasks at a time in this process (default 0: the coordinator runs none). */
  workers?: number;
  /** Status lines (done / running / failed, ETA) when they change, at most every `every` ms. */
  log?: (line: string) => void;
  every?: number;
  pollMs?: number;
  lockMs?: number;
  /** --force: results and checkpoints of earlier invocations in Redis are discarded, every task computed again. */
  force?: boolean;
  /** Say once that no worker is taking jobs when none has for this long (ms; default 30 s). */
  idleHintMs?: number;
  /** How long Redis may be unreachable before the coordinator gives up (ms; default 300 s). */
  timeoutMs?: number;
  /** Accept workers whose computation differs from this process's (core/run/computation.ts); machines.json says who computed what. */
  allowMixed?: boolean;
}

export function queueExecutor(urlText: string, opts: QueueExecutorOptions = {}): TaskExecutor {
  const url = parseQueueUrl(urlText);
  return {
    async run(init, tasks, on, describe) {
      await checkReachable(url);
      const redis = redisClient(url);
      redis.on('error', () => {});
      // BullMQ leaves a connection it was given open: closed below.
      const queueConnection = redisClient(url);
      // Errors are the watch's to report (one line), not ioredis's ("Unhandled error event" and a stack, again and again).
      queueConnection.on('error', () => {});
      const queue = new Queue<JobData, JobResult>(QUEUE_NAME, { connection: queueConnection });
      queue.on('error', () => {});
      const watch = watchConnections([redis, queueConnection], url, { timeoutMs: opts.timeoutMs ?? DEFAULT_QUEUE_TIMEOUT_MS, log: opts.log ?? (() => {}) });
      let local: QueueWorker | undefined;
      try {
        // Every step waits on Redis: the watch bounds how long it may be gone.
        await Promise.race([watch.failed, (async () => {
          const blob = (file: string, content: Buffer | string): Promise<Blob> => putBlob(redis, file, Buffer.from(content));
          // Exact encoding (core/run/checkpoint.ts): JSON would turn a threshold of Infinity into null and −0 into 0.
          const suiteBlob = await blob('suite.json', encodeCheckpoint(init.suite));
          const plugins = await Promise.all(init.suite.plugins.map((p) => pluginBlob(p, blob)));
          const dataFile = init.suite.problem.dataFile;
          const dataBlob = dataFile ? await blob(dataFile, readFileSync(dataFile)) : undefined;
          const truth = init.truth ? await blob('truth.json', encodeCheckpoint(init.truth)) : undefined;
          const ids = new Map<string, SuiteTask>();
          const computation = computationOf(init.kernels);
          const jobs = tasks.map((task) => {
            const id = jobId(init.suiteHash, task);
            ids.set(id, task);
            const data: JobData = {
              format: JOB_FORMAT, gradflat: init.version, suiteHash: init.suiteHash, suite: suiteBlob, plugins, data: dataBlob, truth,
              kernels: init.kernels, computation, ...(opts.allowMixed && { allowMixed: true }), runs: init.runs, checkpoint: init.checkpoint ?? false, task: encodeExact(task), label: describe(task),
            };
            return { name: describe(task), data, opts: { jobId: id, attempts: JOB_ATTEMPTS, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false } };
          });
          // --force means computed again: results an earlier invocation left in Redis (same job ids) are not reused.
          if (opts.force) await discardEarlier(queue, redis, [...ids.keys()], describe, ids, opts.log);
          // A job that failed in an earlier invocation is tried again (once more per invocation),
          // with this invocation's data (--allow-mixed given now, say).
          for (const { data, opts: { jobId } } of jobs) {
            const old = await queue.getJob(jobId);
            if (old && (await old.getState()) === 'failed') {
              await old.updateData(data);
              await old.retry('failed');
            }
          }
          await queue.addBulk(jobs);
          if (opts.workers) local = await startQueueWorker(urlText, { concurrency: opts.workers, lockMs: opts.lockMs, setupModules: init.setupModules });
          const machines = new MachineLog(init.out, computation, opts.log);
          await waitForJobs(queue, ids, (task) => taskPaths(init.out, init.suite, task), on, describe, { ...opts, queueDisplay: url.display, computedBy: (task, by) => machines.add(taskPaths(init.out, init.suite, task).record, describe(task), by) });
        })()]);
      } finally {
        watch.stop();
        // Bounded: with Redis gone, closing waits on commands that never return.
        await within(5000, async () => {
          await local?.close();
          await queue.close();
        });
        queueConnection.disconnect();
        redis.disconnect();
      }
    },
  };
}

/** What waitForJobs reads of the queue (a BullMQ Queue; tests put a hook between the reads). */
export type JobReader = Pick<Queue<JobData, JobResult>, 'getJob' | 'getJobState'>;

export async function waitForJobs(
  queue: JobReader, ids: Map<string, SuiteTask>, pathsOf: (t: SuiteTask) => { log: string; record: string }, on: Parameters<TaskExecutor['run']>[2], describe: (t: SuiteTask) => string,
  opts: QueueExecutorOptions & { computedBy?: (task: SuiteTask, by: NonNullable<JobResult['computedBy']>) => void; queueDisplay?: string },
): Promise<void> {
  const t0 = Date.now();
  const total = ids.size;
  const pending = new Map(ids);
  const damaged = new Map<string, number>();
  // When a job was last seen running or finished: a queue nobody serves waits forever, so say so once.
  let lastActivity = Date.now();
  let hinted = false;
  let lastLine = '';
  let lastAt = 0;
  while (pending.size > 0) {
    let running = 0;
    for (const [id, task] of [...pending]) {
      // The state first, then the job: a worker's completion stores the return value and moves
      // the job to 'completed' in one Redis script, so a job read after its state was read as
      // 'completed' has its return value. Read the other way round, a job completing between
      // the two reads looks completed with a null return value.
      const state = await queue.getJobState(id);
      if (state === 'unknown') throw new Error(`job ${id} (${describe(task)}) disappeared from the queue (was the queue obliterated?); run the command again`);
      if (state === 'completed') {
        const job: Job<JobData, JobResult> | undefined = await queue.getJob(id);
        if (!job) throw new Error(`job ${id} (${describe(task)}) disappeared from the queue (was the queue obliterated?); run the command again`);
        const paths = pathsOf(task);
        let result: { record: string; log: string; parsed: RunRecord };
        try {
          const { record, log } = decodeResult(job.returnvalue, `the queued result of ${describe(task)} (job ${id})`);
          // Through the record schema (and its checksum), as records read from disk: stored NaN/±Infinity become numbers again.
          result = { record, log, parsed: parseRunRecord(record, `the queued record of ${describe(task)} (job ${id})`) };
        } catch (e) {
          if (!(e instanceof DamagedRecordError)) throw e;
          // Never written to DIR: the task runs again (a bounded number of times: a worker that
          // keeps returning damaged results is a fault to fix, not to wait out).
          const times = (damaged.get(id) ?? 0) + 1;
          damaged.set(id, times);
          if (times > JOB_ATTEMPTS) throw new Error(`${e.message}, ${times} times in a row; check the workers' gradflat installation and Redis's memory`);
          opts.log?.(`damaged: ${e.message}; the task runs again`);
          await job.retry('completed');
          continue;
        }
        writeFileAtomic(paths.log, result.log);
        writeFileAtomic(paths.record, result.record);
        if (job.returnvalue.computedBy) opts.computedBy?.(task, job.returnvalue.computedBy);
        on.done(task, result.parsed);
        pending.delete(id);
      } else if (state === 'failed') {
        const job = await queue.getJob(id);
        const reason = job?.failedReason ?? 'no reason recorded';
        if (reason.startsWith(REFUSED)) throw new Error(await refusals(queue, pending, reason));
        throw new Error(`${describe(task)} failed after ${job?.attemptsMade ?? '?'} attempt(s): ${reason}`);
      } else if (state === 'active') running++;
    }
    const done = total - pending.size;
    if (running > 0 || done > 0) lastActivity = Date.now();
    const idleMs = opts.idleHintMs ?? 30_000;
    if (!hinted && running === 0 && done === 0 && Date.now() - lastActivity >= idleMs) {
      hinted = true;
      opts.log?.(`no worker has taken a job in ${Math.round(idleMs / 1000)} s (${pending.size} waiting): start some with 'gradflat worker --queue ${opts.queueDisplay ?? 'URL'}' ` +
        '(same gradflat build and environment as this machine: docs/scale-out.md), or give this command --workers N to run N here');
    }
    const eta = done > 0 && pending.size > 0 ? ` ETA ${formatSeconds(((Date.now() - t0) / done) * pending.size / 1000)}` : '';
    const line = `queue: ${done}/${total} done, ${running} running, ${pending.size - running} waiting${eta}`;
    on.progress(line);
    if (opts.log && line !== lastLine && Date.now() - lastAt >= (opts.every ?? 10_000)) {
      opts.log(line);
      lastLine = line;
      lastAt = Date.now();
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
  }
}

/** A plugin file's blob, with the local modules it imports and their places relative to their common folder. */
async function pluginBlob(file: string, blob: (file: string, content: Buffer) => Promise<Blob>): Promise<PluginBlob> {
  // A plugin from an installed npm package travels by name, version and content hash: workers
  // use their own install, and refuse one whose code differs (the run identity hashes it so).
  const pkg = packageOfModule(file);
  if (pkg) return { file, sha256: sha256(readFileSync(file)), package: { name: pkg.name, version: pkg.version, content: pluginContentSha256(file) } };
  const [main, ...deps] = pluginModuleFiles(file);
  const own = await blob(file, readFileSync(main));
  if (deps.length === 0) return own;
  let root = dirname(main);
  while (![main, ...deps].every((f) => !relative(root, f).startsWith('..'))) root = dirname(root);
  const imports = await Promise.all(deps.map(async (d) => ({ ...(await blob(d, readFileSync(d))), path: relative(root, d) })));
  return { ...own, path: relative(root, main), imports };
}

/** Removes the jobs (and checkpoints) of `ids` that an earlier invocation left; a job running now cannot be, and is said so. */
async function discardEarlier(queue: Queue<JobData, JobResult>, redis: ReturnType<typeof redisClient>, ids: string[], describe: (t: SuiteTask) => string, tasks: Map<string, SuiteTask>, log?: (line: string) => void): Promise<void> {
  let removed = 0;
  for (const id of ids) {
    const job = await queue.getJob(id);
    if (job) {
      try {
        await job.remove();
      } catch (e) {
        throw new Error(`--force: ${describe(tasks.get(id)!)} (job ${id}) is running on a worker now and cannot be discarded (${(e as Error).message}); wait for it, or stop that worker, then run the command again`);
      }
      removed++;
    }
    await redis.del(checkpointKey(id));
  }
  if (removed > 0) log?.(`--force: discarded ${removed} job(s) an earlier invocation left in Redis (results or checkpoints); every task is computed again`);
}

/** Which workers refused this suite's jobs (all of them, not only the first met), and why the first did. */
async function refusals(queue: JobReader, pending: Map<string, SuiteTask>, first: string): Promise<string> {
  const workers = new Set<string>();
  let jobs = 0;
  for (const id of pending.keys()) {
    const reason = (await queue.getJobState(id)) === 'failed' ? (await queue.getJob(id))?.failedReason : undefined;
    const who = reason?.startsWith(REFUSED) ? /this worker (\S+) computes/.exec(reason)?.[1] : undefined;
    if (who) {
      workers.add(who);
      jobs++;
    }
  }
  return `worker(s) ${[...workers].join(', ')} refused ${jobs} job(s) of this suite: ${first}`;
}

/**
 * machines.json in DIR: which machine (host:pid) computed each queued run, with what
 * (core/run/computation.ts), so that a mixed pool (--allow-mixed) leaves a record of it. Runs
 * whose computation differs from the coordinator's are said once per machine.
 */
export class MachineLog {
  private readonly path: string;
  private readonly told = new Set<string>();
  private readonly entries: Record<string, { machine: string; computation: Computation; differs?: string[] }>;

  constructor(private readonly out: string, private readonly mine: Computation, private readonly log?: (line: string) => void) {
    this.path = join(out, 'machines.json');
    this.entries = existsSync(this.path) ? this.read() : {};
  }

  /**
   * The entries an earlier invocation wrote. The file is a log, not an input of any result: a
   * damaged one (a crash mid-copy, an edit) is moved aside, said so, and a fresh one started,
   * rather than stopping a suite whose records are all intact.
   */
  private read(): MachineLog['entries'] {
    let why: string;
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.path, 'utf8'));
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as MachineLog['entries'];
      why = 'not an object of runs';
    } catch (e) {
      why = (e as Error).message;
    }
    let aside = `${this.path}.damaged`;
    for (let k = 2; existsSync(aside); k++) aside = `${this.path}.damaged-${k}`;
    renameSync(this.path, aside);
    this.log?.(`${this.path} could not be read (${why}): moved to ${aside}, and a fresh one started; it lists only the runs computed from now on ` +
      `(which machine computed the earlier queued runs is in ${aside} as far as it can be read; delete it once not needed)`);
    return {};
  }

  add(recordPath: string, label: string, by: NonNullable<JobResult['computedBy']>): void {
    const differs = computationDifferences(this.mine, by.computation);
    this.entries[relative(this.out, recordPath)] = { machine: by.machine, computation: by.computation, ...(differs.length > 0 && { differs }) };
    writeJsonAtomic(this.path, this.entries);
    if (differs.length > 0 && !this.told.has(by.machine)) {
      this.told.add(by.machine);
      this.log?.(`${label} (and any other run of ${by.machine}) was computed with ${describeComputation(by.computation)}, not this coordinator's ${describeComputation(this.mine)} (--allow-mixed): see ${this.path}`);
    }
  }
}

function formatSeconds(s: number): string {
  return s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}
