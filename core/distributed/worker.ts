/**
 * `gradflat worker --queue URL`: takes suite tasks from the BullMQ queue and runs each on a
 * worker thread with the local pool's code (core/suite/suite-worker.ts → task.ts), so the event loop stays
 * free to renew BullMQ's job locks. Everything a task needs comes with the job or from Redis by
 * content hash (suite, plugin files, data file, truth); its checkpoints go to Redis, so a worker
 * that dies loses at most the steps since the last one: BullMQ's stalled-job check hands the
 * job to another worker, which continues from there. SIGTERM releases running jobs back to the
 * queue (their checkpoints stay) and exits.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Worker as Thread } from 'node:worker_threads';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { packageVersion } from '../run/experiment.js';
import { computationDifferences, computationOf, describeComputation, machineName, type Computation } from '../run/computation.js';
import { loadOpenBlasKernels } from '../linalg/kernels-openblas.js';
import { registry as defaultRegistry } from '../registry/registry.js';
import type { ResolvedSuite } from '../suite/config.js';
import type { WorkerInit, WorkerMessage } from '../suite/pool.js';
import { taskPaths, type SuiteTask } from '../suite/task.js';
import { decodeCheckpoint, decodeExact } from '../run/checkpoint.js';
import { checkpointKey, encodeResult, getBlob, JOB_FORMAT, QUEUE_NAME, REFUSED, saveCheckpoint, type JobData, type JobResult, type PluginBlob } from './protocol.js';
import { checkReachable, DEFAULT_QUEUE_TIMEOUT_MS, parseQueueUrl, permissionError, redisClient, watchConnections, within } from './redis.js';
import { UsageError } from '../io/errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { findPluginPackage } from '../registry/plugin-ref.js';
import { pluginContentSha256 } from '../registry/plugin-files.js';

export interface QueueWorkerOptions {
  concurrency?: number;
  /** BullMQ lock duration and stalled-check interval (ms; default 30 s): how soon a dead worker's job moves on. */
  lockMs?: number;
  log?: (line: string) => void;
  /** How long Redis may be unreachable before the worker gives up (ms; default 300 s): `failed` then rejects. */
  timeoutMs?: number;
  /** Modules that rebuild the registry in each task thread (core/registry/setup.ts; default: the default registry's, gradflat's built-ins once registered). */
  setupModules?: readonly string[];
}

export interface QueueWorker {
  /** Releases running jobs (their checkpoints stay in Redis) and stops. */
  close(): Promise<void>;
  /** Rejects when the worker cannot go on: Redis unreachable past the timeout, a permission withdrawn (NOPERM). */
  failed: Promise<never>;
}

const THREAD_URL = new URL('../suite/suite-worker.js', import.meta.url);
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export async function startQueueWorker(urlText: string, opts: QueueWorkerOptions = {}): Promise<QueueWorker> {
  const url = parseQueueUrl(urlText);
  await checkReachable(url);
  const log = opts.log ?? (() => {});
  const setupModules = [...(opts.setupModules ?? defaultRegistry.setupModules)];
  const redis = redisClient(url);
  redis.on('error', () => {});
  const cache = makePluginCache();
  const stopping = new Set<() => void>();
  let closing = false;
  let jobCount = 0;
  const threads = threadCache(cache, log, () => closing);

  const processor = async (job: Job<JobData, JobResult>, token?: string): Promise<JobResult> => {
    const d = job.data;
    const version = packageVersion();
    checkJobVersion(d, version);
    const mine = checkComputation(d, log);
    const { local, task, truth } = await fetchJobInputs(redis, cache, d, log);
    const id = job.id!;
    const checkpoint = await redis.get(checkpointKey(id));
    log(`${d.label}: ${checkpoint ? 'continuing from its checkpoint' : 'starting'} (job ${id})`);
    const key = `${d.suiteHash}|${d.kernels}|${JSON.stringify(d.runs)}|${JSON.stringify(d.checkpoint)}`;
    const ct = threads.acquire(key, (out) => ({ suite: local, setupModules, out, kernels: d.kernels, truth, version, runs: d.runs, checkpoint: d.checkpoint, remoteCheckpoints: true }));
    const index = ++jobCount;
    const writes: Array<Promise<unknown>> = [];
    let attached: ThreadJob | undefined;
    try {
      await ct.ready;
      attached = startOnThread(ct, redis, stopping, writes, { id, index, task, checkpoint });
      await attached.done;
    } catch (e) {
      if (e instanceof DelayedError) await releaseJob(job, token, writes, d.label, log);
      throw e;
    } finally {
      attached?.detach();
      threads.release(key, ct);
    }
    await Promise.all(writes);
    const result = collectResult(ct.out, local, task, { machine: machineName(), computation: mine });
    log(`${d.label}: done (job ${id})`);
    return result;
  };

  const lockMs = opts.lockMs ?? 30_000;
  const connection = redisClient(url);
  const worker = new Worker<JobData, JobResult>(QUEUE_NAME, processor, {
    connection, concurrency: opts.concurrency ?? 1,
    lockDuration: lockMs, stalledInterval: lockMs, maxStalledCount: 3,
  });
  const watch = watchConnections([redis, connection], url, { timeoutMs: opts.timeoutMs ?? DEFAULT_QUEUE_TIMEOUT_MS, log });
  let fail: (e: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => { fail = reject; });
  failed.catch(() => {});
  void watch.failed.catch((e) => fail(e));
  // BullMQ reports the same error on every retry of its loop (thousands a second when a
  // permission is missing): each distinct message once, a repeat at most every 30 s. Connection
  // errors are the watch's to report.
  const said = new Map<string, { at: number; count: number }>();
  worker.on('error', (e) => {
    const denied = permissionError(e, url);
    if (denied instanceof UsageError) return fail(denied);
    if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection is closed|ENOTFOUND|EHOSTUNREACH/.test(e.message)) return;
    const s = said.get(e.message);
    if (s && Date.now() - s.at < 30_000) { s.count++; return; }
    log(`queue error: ${e.message}${s && s.count > 0 ? ` (${s.count} more times since it was last shown)` : ''}`);
    said.set(e.message, { at: Date.now(), count: 0 });
  });
  connection.on('error', () => {});
  // The checkpoint outlives a failed attempt (the retry continues from it) and is removed once done.
  worker.on('completed', (job) => void redis.del(checkpointKey(job.id!)).catch(() => {}));
  worker.on('failed', (job, e) => log(`${job?.data.label ?? 'a job'} failed: ${e.message}`));
  return {
    failed,
    async close() {
      if (closing) return;
      closing = true;
      watch.stop();
      for (const s of [...stopping]) s();
      // Bounded: with Redis gone, BullMQ's close waits on commands that never return (the
      // released jobs then move on when their locks expire).
      await within(5000, () => worker.close());
      threads.terminateIdle();
      connection.disconnect();
      redis.disconnect();
      rmSync(cache, { recursive: true, force: true });
    },
  };
}

type Redis = ReturnType<typeof redisClient>;

/** The folder plugin and data files are materialised in. */
function makePluginCache(): string {
  // Next to a node_modules/gradflat link, so that a plugin's `import ... from 'gradflat'` resolves to this installation.
  const cache = mkdtempSync(join(tmpdir(), 'gradflat-worker-'));
  mkdirSync(join(cache, 'node_modules'));
  writeFileSync(join(cache, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  symlinkSync(PACKAGE_ROOT, join(cache, 'node_modules', 'gradflat'), 'dir');
  return cache;
}

interface CachedThread { thread: Thread; out: string; ready: Promise<void>; dead: boolean }

/** Task threads by suite key: acquired for a job, released back for the next one. */
function threadCache(cache: string, log: (line: string) => void, closing: () => boolean) {
  // Threads are kept between jobs of the same suite: a new one costs module loading and the
  // problem's build (most of a job's overhead, docs/scale-out.md).
  const idle = new Map<string, CachedThread[]>();
  const acquire = (key: string, init: (out: string) => WorkerInit): CachedThread => {
    const reuse = idle.get(key)?.pop();
    if (reuse && !reuse.dead) return reuse;
    const out = mkdtempSync(join(cache, 'thread-'));
    const thread = new Thread(THREAD_URL, { workerData: init(out) });
    const ct: CachedThread = { thread, out, dead: false, ready: Promise.resolve() };
    ct.ready = new Promise<void>((resolve, reject) => {
      const first = (m: WorkerMessage) => {
        thread.off('message', first);
        if (m.type === 'ready') resolve();
        else reject(new Error(m.type === 'error' ? m.message : `unexpected ${m.type} from a starting thread`));
      };
      thread.on('message', first);
      thread.once('exit', (code) => reject(new Error(`the task's thread exited (code ${code}) while starting`)));
    });
    ct.ready.catch(() => { ct.dead = true; });
    thread.once('exit', () => { ct.dead = true; });
    thread.on('error', (e) => {
      ct.dead = true;
      log(`a task thread crashed: ${e.message}`);
    });
    return ct;
  };
  const release = (key: string, ct: CachedThread) => {
    if (ct.dead || closing()) {
      void ct.thread.terminate();
      return;
    }
    if (!idle.has(key)) idle.set(key, []);
    idle.get(key)!.push(ct);
  };
  const terminateIdle = () => {
    for (const list of idle.values()) for (const ct of list) void ct.thread.terminate();
  };
  return { acquire, release, terminateIdle };
}

/** A job queued by another gradflat version is refused for good (its task could differ). */
function checkJobVersion(d: JobData, version: string): void {
  if (d.format !== JOB_FORMAT || d.gradflat !== version) {
    throw new UnrecoverableError(`version skew: the job was queued by gradflat ${d.gradflat} (job format ${d.format}), this worker runs gradflat ${version} (format ${JOB_FORMAT}); run workers with the coordinator's gradflat version`);
  }
}

/**
 * A job whose coordinator computes differently (another build of gradflat, another kernel set,
 * another BLAS CPU kernel: core/run/computation.ts) is refused for good, naming both, unless the
 * coordinator accepted mixed pools (--allow-mixed). Returns this worker's computation.
 */
function checkComputation(d: JobData, log: (line: string) => void): Computation {
  const mine = computationOf(d.kernels);
  const differs = computationDifferences(d.computation, mine);
  if (differs.length === 0) return mine;
  const loaded = loadOpenBlasKernels();
  const blasMissing = d.kernels === 'openblas' && 'error' in loaded ? ` (this worker cannot load OpenBLAS: ${loaded.error})` : '';
  const why = `${REFUSED} (${differs.join(', ')}): the job was queued by a coordinator computing with ${describeComputation(d.computation)}; this worker ${machineName()} computes with ${describeComputation(mine)}${blasMissing}`;
  if (d.allowMixed) {
    log(`${d.label}: ${why}; running it anyway (the coordinator was given --allow-mixed)`);
    return mine;
  }
  throw new UnrecoverableError(`${why}. Run workers from the coordinator's build and environment (same gradflat files, same OPENBLAS_CORETYPE; docs/scale-out.md), or give the coordinator --allow-mixed to accept it`);
}

/** A blob from Redis as a file in the cache (named by its hash, so fetched once). */
async function materialise(redis: Redis, cache: string, blob: { file: string; sha256: string }, name: string): Promise<string> {
  const dir = join(cache, 'blobs', blob.sha256);
  const path = join(dir, name);
  if (!existsSync(path)) {
    // Atomically: a concurrent job (or worker sharing the cache) finding the file imports it whole.
    writeFileAtomic(path, await getBlob(redis, blob));
  }
  return path;
}

/** A plugin with its imported modules, laid out as on the coordinator (in a folder named by their hashes); the plugin's path. */
async function materialiseTree(redis: Redis, cache: string, p: PluginBlob): Promise<string> {
  const files = [{ ...p, path: p.path ?? basename(p.file) }, ...(p.imports ?? [])];
  const dir = join(cache, 'trees', createHash('sha256').update(files.map((f) => `${f.path}\0${f.sha256}`).join('\0')).digest('hex'));
  for (const f of files) {
    // Relative paths inside the folder only (the coordinator made them so).
    if (isAbsolute(f.path) || f.path.split(/[\\/]/).includes('..')) throw new Error(`plugin file path '${f.path}' leaves its folder`);
    const target = join(dir, f.path);
    if (!existsSync(target)) {
      // Atomically, as in materialise: another job may import the tree while this one fills it.
      writeFileAtomic(target, await getBlob(redis, f));
    }
  }
  return join(dir, files[0].path);
}

/** The job's suite (with this machine's plugin and data paths), task and truth, from Redis by content hash. */
async function fetchJobInputs(redis: Redis, cache: string, d: JobData, log: (line: string) => void): Promise<{ local: ResolvedSuite; task: SuiteTask; truth: WorkerInit['truth'] }> {
  let suite: ResolvedSuite;
  const plugins: string[] = [];
  let dataFile: string | undefined;
  let truth: WorkerInit['truth'];
  try {
    suite = decodeCheckpoint((await getBlob(redis, d.suite)).toString('utf8')) as ResolvedSuite;
    for (const p of d.plugins) plugins.push(p.package ? installedPackage(p.package, d, log) : p.imports?.length ? await materialiseTree(redis, cache, p) : await materialise(redis, cache, p, basename(p.file)));
    if (d.data) dataFile = await materialise(redis, cache, d.data, basename(d.data.file));
    if (d.truth) truth = decodeCheckpoint((await getBlob(redis, d.truth)).toString('utf8')) as WorkerInit['truth'];
  } catch (e) {
    if (e instanceof UnrecoverableError) throw e;
    throw new UnrecoverableError(`plugin or data mismatch: ${(e as Error).message}`);
  }
  const task = decodeExact(d.task) as SuiteTask;
  const local: ResolvedSuite = { ...suite, plugins, problem: { ...suite.problem, ...(dataFile && { dataFile }) } };
  return { local, task, truth };
}

/**
 * The module of a plugin package the coordinator used, from this worker's own install: found
 * from the working directory, else beside this gradflat (a global install), at the same version
 * and with the same code (its module and relative imports: the run identity covers them, so
 * other files under the same version would add records another computation made). Other code
 * is refused as checkComputation refuses, naming both, unless the coordinator allowed mixing.
 */
function installedPackage(want: NonNullable<PluginBlob['package']>, d: JobData, log: (line: string) => void): string {
  const found = findPluginPackage(want.name, process.cwd()) ?? findPluginPackage(want.name, PACKAGE_ROOT);
  if (!found) {
    throw new Error(`plugin package '${want.name}' ${want.version} is not installed on this worker (looked from ${process.cwd()} and from ${PACKAGE_ROOT} upward): ` +
      `npm install ${want.name}@${want.version} where the worker runs`);
  }
  if (found.version !== want.version) {
    throw new Error(`plugin package '${want.name}': this worker has ${found.version} (${found.root}), the coordinator used ${want.version}: install ${want.name}@${want.version} on the worker`);
  }
  const mine = pluginContentSha256(found.entry);
  if (mine === want.content) return found.entry;
  const why = `${REFUSED} (plugin package ${want.name}): the job was queued by a coordinator whose ${want.name} ${want.version} has code sha256 ${want.content.slice(0, 12)}…; ` +
    `this worker ${machineName()} computes with ${want.name} ${found.version} from ${found.root}, whose code (module and relative imports) has sha256 ${mine.slice(0, 12)}…`;
  if (d.allowMixed) {
    log(`${d.label}: ${why}; running it anyway (the coordinator was given --allow-mixed)`);
    return found.entry;
  }
  throw new UnrecoverableError(`${why}. Install the coordinator's copy of ${want.name} on the worker (the same files, not only the same version: ` +
    'a package published again, a local edit, another build), or give the coordinator --allow-mixed to accept it');
}

/** One job running on a thread: `done` settles with the task, `detach` removes its listeners. */
interface ThreadJob { done: Promise<void>; detach(): void }

/** Posts the task to its thread; checkpoints go to Redis as they come, a stop (SIGTERM) rejects with DelayedError. */
function startOnThread(
  ct: CachedThread, redis: Redis, stopping: Set<() => void>, writes: Array<Promise<unknown>>,
  j: { id: string; index: number; task: SuiteTask; checkpoint: string | null },
): ThreadJob {
  const { id, index, task, checkpoint } = j;
  let stop: () => void = () => {};
  let onMessage: (m: WorkerMessage) => void = () => {};
  let onExit: (code: number) => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    stop = () => {
      ct.dead = true;
      void ct.thread.terminate();
      reject(new DelayedError('released'));
    };
    stopping.add(stop);
    onMessage = (m) => {
      if (m.type === 'ready' || !('index' in m) || m.index !== index) return;
      if (m.type === 'checkpoint') writes.push(saveCheckpoint(redis, id, m.text));
      // The thread dropped a checkpoint it could not use: drop it here too, or every retry reloads it.
      else if (m.type === 'checkpoint-clear') writes.push(redis.del(checkpointKey(id)).then(() => undefined));
      else if (m.type === 'done') resolve();
      else if (m.type === 'error') reject(new Error(m.message));
    };
    onExit = (code) => reject(new Error(`the task's thread exited (code ${code}) before finishing`));
    ct.thread.on('message', onMessage);
    ct.thread.on('exit', onExit);
    ct.thread.postMessage({ index, task, ...(checkpoint && { checkpoint }) });
  });
  return {
    done,
    detach() {
      stopping.delete(stop);
      ct.thread.off('message', onMessage);
      ct.thread.off('exit', onExit);
    },
  };
}

/** Released on SIGTERM: back to the queue without using up an attempt; the checkpoint stays. */
async function releaseJob(job: Job<JobData, JobResult>, token: string | undefined, writes: Array<Promise<unknown>>, label: string, log: (line: string) => void): Promise<void> {
  await Promise.allSettled(writes);
  try {
    await job.moveToDelayed(Date.now(), token);
  } catch (m) {
    log(`${label}: could not release the job (${(m as Error).message}); it moves on when its lock expires`);
  }
}

/** The finished task's record and step log, read from the thread's folder (and removed there). */
function collectResult(out: string, local: ResolvedSuite, task: SuiteTask, computedBy: JobResult['computedBy']): JobResult {
  const paths = taskPaths(out, local, task);
  const result = encodeResult(readFileSync(paths.record, 'utf8'), readFileSync(paths.log, 'utf8'), computedBy);
  rmSync(paths.record, { force: true });
  rmSync(paths.log, { force: true });
  return result;
}
