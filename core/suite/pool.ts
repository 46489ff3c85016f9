/**
 * Runs suite tasks on worker threads (suite-worker.ts), one task per worker at a time, in
 * queue order. Each worker builds its own problem and registry from the resolved suite, so
 * results are the same for any number of workers. The first failing task stops the pool and
 * its error names the task.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { RunRecord } from '../run/run-one.js';
import type { ResolvedSuite } from './config.js';
import type { SuiteTask } from './task.js';
import type { TruthPoint } from '../problems/linear-ae-truth.js';
import type { CheckpointPolicy } from '../run/checkpoint.js';

export interface WorkerInit {
  suite: ResolvedSuite;
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
    const running = new Map<Worker, number>();
    const what = (w: Worker) => (running.has(w) ? ` while running ${describe(tasks[running.get(w)!])}` : '');
    let next = 0;
    let finished = 0;
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      for (const w of pool) void w.terminate();
      reject(err);
    };
    const dispatch = (w: Worker) => {
      if (failed) return;
      if (next >= tasks.length) {
        retired.add(w);
        void w.terminate();
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
      w.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') dispatch(w);
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
            for (const x of pool) {
              retired.add(x);
              void x.terminate();
            }
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
