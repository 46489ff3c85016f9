/**
 * Worker-thread side of `MlpOracle` with threads > 1 (see mlp-threads.ts for the protocol):
 * builds its own kernels (`selectKernels` with the caller's kernel set) and an
 * `MlpSliceEngine` over its slice, then serves commands until told to exit. Its θ cache lives
 * in the engine, so an HVP at a θ it has already seen redoes no forward or backward pass.
 *
 * The project modules are imported dynamically inside the try block, so that any failure
 * (a kernel set that does not load here, …) reaches the waiting caller as an error message
 * instead of leaving it blocked.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  CMD_EXIT, CMD_GRADIENT, CMD_HVP, CMD_HVP_BLOCK, CMD_LOSS, CTRL_BACKWARDS, CTRL_CMD, CTRL_DONE, CTRL_ERRLEN, CTRL_FORWARDS, CTRL_K, CTRL_REQ,
  CTRL_STARTED, CTRL_UNIT_LOWER, CTRL_UNIT_START, CTRL_LOADED,
  ERROR_BYTES, type MlpWorkerInit, spinWhileEqual,
} from './mlp-threads.js';

const init = workerData as MlpWorkerInit;
const ctrl = new Int32Array(init.ctrl);
Atomics.store(ctrl, CTRL_STARTED, 1);

try {
  const [{ selectKernels }, { resolveMlpSpec }, engineModule] = await Promise.all([
    import('../../core/linalg/select-kernels.js'),
    import('./architecture.js'),
    import('./mlp-engine.js'),
  ]);
  const { MlpSliceEngine, LEVEL_FORWARD, LEVEL_BACKWARD } = engineModule;
  const kernels = selectKernels(init.kernels);
  // From here on the parent may terminate this thread (mlp-threads.ts): no native initialisation is left.
  Atomics.store(ctrl, CTRL_LOADED, 1);
  parentPort?.postMessage('loaded');
  const engine = new MlpSliceEngine(resolveMlpSpec(init.spec), init.slice, init.normN, kernels, init.blockRows);
  const theta = new Float64Array(init.theta);
  const v = new Float64Array(init.v);
  const results = new Float64Array(init.results);
  const vec = results.subarray(1);
  const blockV = new Float64Array(init.blockV);
  const blockResults = new Float64Array(init.blockResults);
  let seen = 0;
  for (;;) {
    if (spinWhileEqual(ctrl, CTRL_REQ, seen, init.spinMicroseconds) === seen) Atomics.wait(ctrl, CTRL_REQ, seen);
    const req = Atomics.load(ctrl, CTRL_REQ);
    if (req === seen) continue;
    seen = req;
    const cmd = Atomics.load(ctrl, CTRL_CMD);
    if (cmd === CMD_EXIT) break;
    if (cmd === CMD_LOSS) {
      engine.ensure(theta, LEVEL_FORWARD);
      results[0] = engine.dataLoss;
    } else if (cmd === CMD_GRADIENT) {
      engine.ensure(theta, LEVEL_BACKWARD);
      results[0] = engine.dataLoss;
      vec.set(engine.dataGradient);
    } else if (cmd === CMD_HVP) {
      engine.ensure(theta, LEVEL_BACKWARD);
      engine.hvpData(v, vec);
    } else if (cmd === CMD_HVP_BLOCK) {
      engine.ensure(theta, LEVEL_BACKWARD);
      const start = Atomics.load(ctrl, CTRL_UNIT_START);
      const unit = start < 0 ? undefined : { start, lowerOnly: Atomics.load(ctrl, CTRL_UNIT_LOWER) === 1 };
      engine.hvpBlockData(blockV, Atomics.load(ctrl, CTRL_K), blockResults, unit);
    } else {
      throw new Error(`unknown command ${cmd}`);
    }
    Atomics.store(ctrl, CTRL_FORWARDS, engine.forwardPasses);
    Atomics.store(ctrl, CTRL_BACKWARDS, engine.backwardPasses);
    Atomics.store(ctrl, CTRL_DONE, seen);
    Atomics.notify(ctrl, CTRL_DONE);
  }
} catch (e) {
  const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
  const bytes = new TextEncoder().encode(msg).subarray(0, ERROR_BYTES);
  new Uint8Array(init.error).set(bytes);
  Atomics.store(ctrl, CTRL_ERRLEN, bytes.length);
  Atomics.store(ctrl, CTRL_DONE, -1);
  Atomics.notify(ctrl, CTRL_DONE);
}
