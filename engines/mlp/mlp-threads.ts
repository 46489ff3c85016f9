/**
 * Worker threads for `MlpOracle` (option `threads`): each worker owns an `MlpSliceEngine` over
 * one contiguous slice of the samples and computes partial sums there while the calling thread
 * computes its own slice. The Oracle API is synchronous, so the hand-off uses shared memory and
 * futexes only (no messages, no event loop):
 *
 *   per worker, an Int32Array `ctrl` (own SharedArrayBuffer):
 *     REQ     request number, bumped by the caller after writing CMD (and θ, v)
 *     CMD     the command (CMD_*)
 *     DONE    = REQ once the worker has written its result; −1 after a fatal error
 *     STARTED 1 once the worker script runs
 *     LOADED  1 once the worker has its kernels (koffi and OpenBLAS loaded, when chosen)
 *     FORWARDS, BACKWARDS  the worker engine's pass counts (diagnostics)
 *     K       the number of directions of a CMD_HVP_BLOCK
 *   θ and v: one shared Float64Array each (written by the caller before REQ is bumped);
 *   results:  per worker, a Float64Array [data loss, vector (gradient or H·v data term)];
 *   blocks:   one shared Float64Array of `blockMax` directions (CMD_HVP_BLOCK's V, k×n) and,
 *             per worker, one for its k data terms H·v_j;
 *   error:    per worker, UTF-8 bytes of the error message (length in ctrl[ERRLEN]).
 *
 * The caller waits with `Atomics.wait` (allowed on Node's main thread); workers wait with
 * `Atomics.wait` on REQ. Atomics give the happens-before edges: plain writes to θ, v and the
 * results before an `Atomics.store` are visible after the matching `Atomics.load`.
 *
 * Workers are `unref()`ed once they have loaded their kernels (an idle pool never keeps the
 * process alive) and are terminated by `dispose()`, or when the owning oracle is garbage-collected.
 * Until then they are neither unref'd nor terminated: stopping a thread inside koffi's native
 * initialisation aborts the process ("FATAL ERROR: Error::ThrowAsJavaScriptException
 * napi_throw"); a worker disposed that early leaves by itself on CMD_EXIT.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { MlpSpec, ResolvedMlpSpec } from './architecture.js';
import type { MlpSlice, UnitBlock } from './mlp-engine.js';

export const CTRL_REQ = 0;
export const CTRL_CMD = 1;
export const CTRL_DONE = 2;
export const CTRL_STARTED = 3;
export const CTRL_ERRLEN = 4;
/** The worker engine's forward / backward pass counts, updated before DONE. */
export const CTRL_FORWARDS = 5;
export const CTRL_BACKWARDS = 6;
/** Number of directions k of a CMD_HVP_BLOCK. */
export const CTRL_K = 7;
/** CMD_HVP_BLOCK on unit directions (UnitBlock): start index, or −1 for general V; and lowerOnly (0/1). */
export const CTRL_UNIT_START = 8;
export const CTRL_UNIT_LOWER = 9;
/** 1 once the worker has its kernels (koffi and OpenBLAS loaded, when chosen). */
export const CTRL_LOADED = 10;
/** Int32 slots per worker (64 bytes: one cache line). */
export const CTRL_SLOTS = 16;

export const CMD_LOSS = 1;
export const CMD_GRADIENT = 2;
export const CMD_HVP = 3;
export const CMD_EXIT = 4;
/** k Hessian-vector products in one batched R-pass (MlpSliceEngine.hvpBlockData). */
export const CMD_HVP_BLOCK = 5;

export const ERROR_BYTES = 4096;

/**
 * Microseconds a thread polls the shared flag before it sleeps in `Atomics.wait` (the worker
 * after each answer, the caller while it waits for the workers). Waking a sleeping thread on
 * an idle (virtual) CPU cost 0.1–0.4 ms on the 2-core development VM, and in an HVP loop
 * (MINRES) the next request follows within µs. Measured (16→8→16→16 AE, N = 2000, OpenBLAS,
 * threads 2 vs 1, HVP): spin 0 → 1.3×, 20 µs → 1.4–1.5×, 50–200 µs → 1.5–1.7× (TS kernels:
 * 1.85–1.92× → 1.94–1.99×); with another CPU-bound process on the second core, spinning
 * costs more the longer it is (100 µs: 0.72× at N = 2000), so 50 µs.
 */
export const SPIN_MICROSECONDS = 50;

/** Polls `a[i]` until it differs from `value` or `us` microseconds have passed; returns a[i]. */
export function spinWhileEqual(a: Int32Array, i: number, value: number, us: number): number {
  let x = Atomics.load(a, i);
  if (x !== value || us <= 0) return x;
  const end = performance.now() + us / 1000;
  for (;;) {
    for (let k = 0; k < 256; k++) {
      x = Atomics.load(a, i);
      if (x !== value) return x;
    }
    if (performance.now() > end) return x;
  }
}

/** What a worker gets in `workerData` (structured-cloned; SharedArrayBuffers are shared). */
export interface MlpWorkerInit {
  spec: MlpSpec;
  kernels: 'typescript' | 'openblas';
  normN: number;
  blockRows: number;
  dim: number;
  /** Poll this long before sleeping (see SPIN_MICROSECONDS). */
  spinMicroseconds: number;
  /** This worker's samples (SharedArrayBuffer-backed). */
  slice: { inputs: Float64Array; N: number; targets: Float64Array | null; labels: Int32Array | null };
  ctrl: SharedArrayBuffer;
  theta: SharedArrayBuffer;
  v: SharedArrayBuffer;
  results: SharedArrayBuffer;
  error: SharedArrayBuffer;
  /** CMD_HVP_BLOCK: the directions (shared by all workers) and this worker's products, blockMax·dim each. */
  blockV: SharedArrayBuffer;
  blockResults: SharedArrayBuffer;
}

/** Kernel sets a worker can build for itself with `selectKernels`. */
export const WORKER_KERNELS: readonly string[] = ['typescript', 'openblas'];

const WORKER_URL = new URL('./mlp-worker.js', import.meta.url);
/** Give up on a worker that has not started after this long (its script failed to load). */
const START_TIMEOUT_MS = 60_000;

/**
 * The parent's Node options that a worker should share: only those that change how modules
 * load (--import, --require, --loader, --experimental-*, --conditions). Everything else is
 * either rejected by Worker (--max-old-space-size, --title, --expose-gc, --stack-size, ...) or
 * names the parent's own entry (-e/--eval, -p/--print), which would make the worker run it.
 */
const LOADER_FLAGS = ['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C'];
function workerExecArgv(): string[] {
  const a = process.execArgv;
  const out: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const s = a[i];
    if (LOADER_FLAGS.includes(s)) {
      if (i + 1 < a.length) out.push(s, a[++i]);
    } else if (LOADER_FLAGS.some((f) => s.startsWith(`${f}=`)) || (s.startsWith('--experimental-') && !s.startsWith('--experimental-eval'))) {
      out.push(s);
    }
  }
  return out;
}

/** Whether the compiled worker script is present (absent when bundled or run from sources). */
export function workerScriptAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER_URL));
}

function sharedCopy<T extends Float64Array | Int32Array>(src: T, ctor: new (b: SharedArrayBuffer) => T): T {
  const dst = new ctor(new SharedArrayBuffer(src.byteLength));
  dst.set(src as never);
  return dst;
}

export class MlpWorkerPool {
  /** Number of workers. */
  readonly size: number;
  /** Per worker: [data loss, vector of length dim]. */
  readonly results: Float64Array[];
  /** Per worker: the vector part of `results` (gradient or H·v data term). */
  readonly vectors: Float64Array[];
  /** Per worker: the k data terms H·v_j of the last CMD_HVP_BLOCK (k×dim, direction-major). */
  readonly blockResults: Float64Array[];
  /** Most directions one CMD_HVP_BLOCK can carry. */
  readonly blockMax: number;
  private readonly blockV: Float64Array;
  private readonly workers: Worker[];
  private readonly ctrl: Int32Array[];
  private readonly errorBytes: Uint8Array[];
  private readonly theta: Float64Array;
  private readonly v: Float64Array;
  private readonly started: boolean[];
  private readonly spinMicroseconds: number;
  private seq = 0;
  private inFlight = false;
  private disposed = false;

  /**
   * Starts one worker per slice. Returns at once: the workers load their modules and build
   * their engines concurrently; the first `wait()` blocks until they are ready.
   */
  constructor(spec: ResolvedMlpSpec, slices: MlpSlice[], normN: number, kernelName: string, blockRows: number, dim: number, blockMax = 1) {
    if (!WORKER_KERNELS.includes(kernelName)) {
      throw new TypeError(`MlpOracle threads > 1 needs kernels a worker can build itself (${WORKER_KERNELS.join(' or ')}); got kernels named '${kernelName}'. Use threads: 1.`);
    }
    const path = fileURLToPath(WORKER_URL);
    if (!existsSync(path)) throw new Error(`MlpOracle threads > 1: the worker script ${path} is missing (build the project with tsc first)`);
    this.size = slices.length;
    this.spinMicroseconds = SPIN_MICROSECONDS;
    this.theta = new Float64Array(new SharedArrayBuffer(8 * dim));
    this.v = new Float64Array(new SharedArrayBuffer(8 * dim));
    this.blockMax = blockMax;
    // Untouched pages of a SharedArrayBuffer are not resident, so an unused block buffer costs little.
    this.blockV = new Float64Array(new SharedArrayBuffer(8 * dim * blockMax));
    this.blockResults = [];
    this.workers = [];
    this.ctrl = [];
    this.errorBytes = [];
    this.results = [];
    this.vectors = [];
    this.started = [];
    const plainSpec: MlpSpec = {
      layers: [...spec.layers], hiddenActivation: spec.hiddenActivation, outputActivation: spec.outputActivation,
      biases: spec.biases, loss: spec.loss, l2: spec.l2,
    };
    for (const s of slices) {
      const ctrl = new SharedArrayBuffer(4 * CTRL_SLOTS);
      const results = new SharedArrayBuffer(8 * (dim + 1));
      const error = new SharedArrayBuffer(ERROR_BYTES);
      const blockResults = new SharedArrayBuffer(8 * dim * blockMax);
      const init: MlpWorkerInit = {
        spec: plainSpec,
        kernels: kernelName as MlpWorkerInit['kernels'],
        normN, blockRows, dim, spinMicroseconds: this.spinMicroseconds,
        slice: {
          inputs: sharedCopy(s.inputs, Float64Array),
          N: s.N,
          targets: s.targets ? sharedCopy(s.targets, Float64Array) : null,
          labels: s.labels ? sharedCopy(s.labels, Int32Array) : null,
        },
        ctrl, theta: this.theta.buffer as SharedArrayBuffer, v: this.v.buffer as SharedArrayBuffer, results, error,
        blockV: this.blockV.buffer as SharedArrayBuffer, blockResults,
      };
      const w = new Worker(WORKER_URL, { workerData: init, execArgv: workerExecArgv(), stdout: false, stderr: false });
      // Kept referenced until its kernels are loaded (see the file comment); it then says 'loaded'.
      w.once('message', () => w.unref());
      // Errors are reported through shared memory (the caller is blocked in Atomics.wait and
      // would never see an 'error' event); this listener only keeps an unexpected one from
      // becoming an uncaught exception later.
      w.on('error', () => {});
      this.workers.push(w);
      this.ctrl.push(new Int32Array(ctrl));
      this.errorBytes.push(new Uint8Array(error));
      const r = new Float64Array(results);
      this.results.push(r);
      this.vectors.push(r.subarray(1));
      this.blockResults.push(new Float64Array(blockResults));
      this.started.push(false);
    }
  }

  /**
   * Hands `cmd` at θ (and v for CMD_HVP) to every worker and returns at once; call `wait()`
   * before the next `post`. θ and v are copied into shared memory here.
   */
  post(cmd: number, theta: Float64Array, v?: Float64Array): void {
    this.postWith(cmd, theta, v, 0);
  }

  /** CMD_HVP_BLOCK: k ≤ blockMax directions V (k×dim, direction-major) at θ; results in `blockResults`. */
  postBlock(theta: Float64Array, V: Float64Array, k: number, unit?: UnitBlock): void {
    if (!(k >= 1 && k <= this.blockMax)) throw new RangeError(`MlpWorkerPool.postBlock: k = ${k} outside [1, ${this.blockMax}]`);
    this.blockV.set(V.subarray(0, k * this.theta.length));
    for (const c of this.ctrl) {
      Atomics.store(c, CTRL_UNIT_START, unit === undefined ? -1 : unit.start);
      Atomics.store(c, CTRL_UNIT_LOWER, unit?.lowerOnly ? 1 : 0);
    }
    this.postWith(CMD_HVP_BLOCK, theta, undefined, k);
  }

  private postWith(cmd: number, theta: Float64Array, v: Float64Array | undefined, k: number): void {
    if (this.disposed) throw new Error('MlpOracle: this oracle was disposed (its worker threads are terminated); create a new one');
    if (this.inFlight) throw new Error('MlpWorkerPool.post: the previous command was not waited for');
    this.theta.set(theta);
    if (v !== undefined) this.v.set(v);
    this.seq = this.seq >= 0x3fffffff ? 1 : this.seq + 1;
    const seq = this.seq;
    for (const c of this.ctrl) {
      Atomics.store(c, CTRL_K, k);
      Atomics.store(c, CTRL_CMD, cmd);
      Atomics.store(c, CTRL_REQ, seq);
      Atomics.notify(c, CTRL_REQ);
    }
    this.inFlight = true;
  }

  /** Blocks until every worker has answered the last `post`; throws a worker's error. */
  wait(): void {
    if (!this.inFlight) return;
    this.inFlight = false;
    const seq = this.seq;
    for (let i = 0; i < this.ctrl.length; i++) {
      const c = this.ctrl[i];
      let d = Atomics.load(c, CTRL_DONE);
      if (d === seq) continue;
      d = spinWhileEqual(c, CTRL_DONE, d, this.spinMicroseconds);
      if (d === seq) continue;
      const t0 = Date.now();
      while (d !== seq) {
        if (d === -1) throw this.workerError(i);
        if (!this.started[i]) {
          if (Atomics.load(c, CTRL_STARTED) === 1) this.started[i] = true;
          else if (Date.now() - t0 > START_TIMEOUT_MS) {
            throw new Error(`MlpOracle: worker thread ${i + 1} did not start within ${START_TIMEOUT_MS / 1000} s (worker script ${fileURLToPath(WORKER_URL)})`);
          }
        }
        // Bounded waits: a worker that died without reporting (killed, out of memory) shows
        // threadId −1 (Node sets it as soon as the thread stops), and must not hang the caller.
        Atomics.wait(c, CTRL_DONE, d, this.started[i] ? 1000 : 100);
        d = Atomics.load(c, CTRL_DONE);
        if (d !== seq && this.started[i] && this.workers[i].threadId === -1) {
          this.dispose();
          throw new Error(`MlpOracle: worker thread ${i + 1} stopped without answering (killed or out of memory?); the oracle is disposed`);
        }
      }
    }
  }

  /** Terminates the workers (idempotent). Later `post`s throw. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.inFlight = false;
    for (let i = 0; i < this.workers.length; i++) {
      const c = this.ctrl[i];
      Atomics.store(c, CTRL_CMD, CMD_EXIT);
      Atomics.add(c, CTRL_REQ, 1);
      Atomics.notify(c, CTRL_REQ);
      // A worker still loading its kernels must not be terminated: it sees CMD_EXIT and leaves once loaded.
      if (Atomics.load(c, CTRL_LOADED) === 1) this.workers[i].terminate().catch(() => {});
    }
  }

  /** Forward and backward passes run by each worker so far (as of its last answer). */
  passCounts(): { forward: number; backward: number }[] {
    return this.ctrl.map((c) => ({ forward: Atomics.load(c, CTRL_FORWARDS), backward: Atomics.load(c, CTRL_BACKWARDS) }));
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private workerError(i: number): Error {
    const len = Math.min(Atomics.load(this.ctrl[i], CTRL_ERRLEN), ERROR_BYTES);
    const msg = new TextDecoder().decode(this.errorBytes[i].slice(0, len));
    this.dispose();
    return new Error(`MlpOracle: worker thread ${i + 1} failed: ${msg || 'unknown error'}`);
  }
}
