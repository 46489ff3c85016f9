/**
 * Runs suite tasks on worker threads (suite-worker.ts), one task per worker at a time, in
 * queue order. Each worker builds its own problem and registry from the resolved suite, so
 * results are the same for any number of workers. The first failing task stops the pool and
 * its error names the task.
 *
 * A worker is never terminated before it says 'ready': terminating a thread while it runs a
 * native addon's initialisation (koffi, loading OpenBLAS) aborts the whole process with
 * "FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw" (the addon's napi_throw fails in
 * a terminating environment). With many workers and short tasks the first workers used to finish
 * every task while the last ones were still loading, and were terminated then.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { RunRecord } from '../run/run-one.js';
import type { ResolvedSuite } from './config.js';
import type { SuiteTask } from './task.js';
import type { TruthPoint } from '../analysis/truth.js';
import type { CheckpointPolicy } from '../run/checkpoint.js';

export interface WorkerInit {
  suite: ResolvedSuite;
  /** The registry's setup modules (core/registry/setup.ts): with the suite's plugin files, they rebuild it in the thread. */
  setupModules: readonly string[];
  out: string;
  kernels: string;
  truth?: readonly TruthPoint[];
  version: string;
  runs: Record<string, number>;
  checkpoint?: CheckpointPolicy | false;
  /** Queued jobs: checkpoints travel through messages (the parent keeps them in Redis) and carry the step log. */
  remoteCheckpoints?: boolean;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'done'; index: number; record: RunRecord }
  | { type: 'progress'; index: number; text: string }
  | { type: 'error'; index: number; message: string }
  | { type: 'checkpoint'; index: number; text: string }
  | { type: 'checkpoint-clear'; index: number };

const WORKER_URL = new URL('./suite-worker.js', import.meta.url);

/** False when running from the TypeScript sources (tsx): workers need the compiled script. */
export function suiteWorkerAvailable(): boolean {
  return existsSync(WORKER_URL);
}

export function runOnWorkers(
  init: WorkerInit, tasks: readonly SuiteTask[], workers: number,
  on: { done(task: SuiteTask, record: RunRecord): void; progress(workerSlot: number, text: string): void },
  describe: (task: SuiteTask) => string,
): Promise<void> {
  if (tasks.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const pool: Worker[] = [];
    const retired = new Set<Worker>();
    const ready = new Set<Worker>();
    const exited = new Map<Worker, Promise<unknown>>();
    // Terminates now, or as soon as the worker is out of its start-up (see the file comment).
    const stop = (w: Worker) => {
      retired.add(w);
      if (ready.has(w)) void w.terminate();
    };
    const running = new Map<Worker, number>();
    const what = (w: Worker) => (running.has(w) ? ` while running ${describe(tasks[running.get(w)!])}` : '');
    let next = 0;
    let finished = 0;
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      for (const w of pool) stop(w);
      // Reject once every worker has stopped, so that the caller can clean up what they left
      // (temporary files); a worker stuck in its start-up is not waited for beyond 10 s.
      const stopped = Promise.allSettled(pool.map((w) => exited.get(w)));
      void Promise.race([stopped, new Promise((r) => setTimeout(r, 10_000).unref())]).then(() => reject(err));
    };
    const dispatch = (w: Worker) => {
      if (failed) return;
      if (next >= tasks.length) {
        stop(w);
        return;
      }
      const index = next++;
      running.set(w, index);
      w.postMessage({ index, task: tasks[index] });
    };
    const count = Math.min(workers, tasks.length);
    for (let slot = 0; slot < count; slot++) {
      const w = new Worker(WORKER_URL, { workerData: init });
      pool.push(w);
      exited.set(w, new Promise((r) => w.once('exit', r)));
      w.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') {
          ready.add(w);
          if (retired.has(w) || failed) stop(w);
          else dispatch(w);
        }
        else if (m.type === 'progress') on.progress(slot, m.text);
        else if (m.type === 'done') {
          running.delete(w);
          try {
            on.done(tasks[m.index], m.record);
          } catch (e) {
            fail(e as Error);
            return;
          }
          if (++finished === tasks.length) {
            for (const x of pool) stop(x);
            resolve();
          } else dispatch(w);
        } else if (m.type === 'error') {
          fail(new Error(m.index < 0 ? `a suite worker could not start: ${m.message}` : `${describe(tasks[m.index])} failed: ${m.message}`));
        }
      });
      w.on('error', (e) => fail(new Error(`a suite worker crashed${what(w)}: ${e.message}`)));
      // Any exit we did not ask for is a failure, even with code 0 (e.g. a plugin calling
      // process.exit): otherwise the suite would wait forever for that worker's task.
      w.on('exit', (code) => {
        if (!failed && !retired.has(w)) fail(new Error(`a suite worker exited (code ${code})${what(w)} before the suite finished`));
      });
    }
  });
}
