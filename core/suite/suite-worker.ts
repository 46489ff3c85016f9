/**
 * A suite worker thread: builds the registry (the main thread's setup modules — gradflat's
 * built-ins among them — plus the suite's plugin files), the
 * kernels and the problem (one oracle thread: the suite's parallelism is across runs), then
 * executes the tasks it is sent, one at a time (task.ts).
 */
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { selectKernels, type KernelPreference } from '../linalg/select-kernels.js';
import { registryFromSetup } from '../registry/setup.js';
import { buildProblemAsync } from '../registry/catalog.js';
import type { Progress } from '../run/progress.js';
import type { WorkerInit, WorkerMessage } from './pool.js';
import { executeTask, type SuiteTask, type TaskContext } from './task.js';

const port = parentPort!;
const init = workerData as WorkerInit;
const post = (m: WorkerMessage) => port.postMessage(m);

let current = -1;
let last = 0;
const progress: Progress = {
  update(text) {
    const now = Date.now();
    if (now - last < 200) return;
    last = now;
    post({ type: 'progress', index: current, text });
  },
  done() {},
};

try {
  const registry = await registryFromSetup(init.setupModules, init.suite.plugins);
  const kernels = selectKernels(init.kernels as KernelPreference, () => {});
  // e.g. a tfjs suite starts the backend the main process chose ($GRADFLAT_TFJS_BACKEND) first: WASM starts asynchronously.
  await registry.problems.prepare(init.suite.problem);
  const problem = await buildProblemAsync(init.suite.problem, kernels, { threads: 1 }, registry);
  const ctx: TaskContext = { suite: init.suite, out: init.out, registry, kernels, problem, truth: init.truth, version: init.version, progress, checkpoint: init.checkpoint };
  let saved: string | undefined;
  if (init.remoteCheckpoints) {
    ctx.portableLog = true;
    ctx.checkpointStore = () => ({
      where: 'the job\'s checkpoint in Redis', load: () => saved,
      save: (text) => post({ type: 'checkpoint', index: current, text }),
      clear: () => post({ type: 'checkpoint-clear', index: current }),
    });
  }
  port.on('message', ({ index, task, checkpoint }: { index: number; task: SuiteTask; checkpoint?: string }) => {
    current = index;
    saved = checkpoint;
    try {
      const runs = init.runs[task.phase === 'finder' ? 'finder' : String(task.stepper)];
      post({ type: 'done', index, record: executeTask(ctx, task, runs) });
    } catch (e) {
      post({ type: 'error', index, message: (e as Error).message });
    }
  });
  post({ type: 'ready' });
} catch (e) {
  post({ type: 'error', index: -1, message: (e as Error).message });
}
