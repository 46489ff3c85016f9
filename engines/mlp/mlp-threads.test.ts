/**
 * MlpOracle with worker threads (option `threads`): agrees with the single-threaded oracle to
 * round-off, caches per θ in every thread, counts calls once, and never keeps the process alive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { DenseKernels } from '../../core/linalg/kernels.js';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { selectKernels } from '../../core/linalg/select-kernels.js';
import { type MlpSpec, parameterCount, resolveMlpSpec } from './architecture.js';
import { MlpWorkerPool } from './mlp-threads.js';
import { seededNormal } from './init.js';
import { MlpOracle, defaultMlpThreads } from './mlp-oracle.js';
import { randomMlpData, randomVec } from './testing.js';
import { maxRelErr } from '../../core/testing/assert-close.js';

let openblas: DenseKernels | undefined;
try { openblas = selectKernels('openblas'); } catch { openblas = undefined; }

test('threads > 1 agree with threads = 1 to round-off (MSE and CE, with and without biases, ℓ2)', () => {
  const specs: MlpSpec[] = [
    { layers: [5, 6, 4, 5], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 1e-2 },
    { layers: [5, 6, 4, 5], hiddenActivation: 'tanh', outputActivation: 'swish', biases: false, loss: 'mse', l2: 0 },
    { layers: [4, 7, 3], hiddenActivation: 'swish', biases: true, loss: 'softmax-cross-entropy', l2: 1e-3 },
    { layers: [4, 6, 5, 3], hiddenActivation: 'relu', biases: false, loss: 'softmax-cross-entropy', l2: 0 },
  ];
  const oracles: MlpOracle[] = [];
  try {
    specs.forEach((spec, s) => {
      const normal = seededNormal(100 + s);
      const N = 203; // uneven slices, several blocks and a partial last one per slice
      const data = randomMlpData(spec, N, normal);
      const kernels = s === 0 && openblas ? openblas : typescriptKernels;
      const ref = new MlpOracle(spec, data, kernels, { blockRows: 16 });
      const threads = s % 2 === 0 ? 2 : 3;
      const par = new MlpOracle(spec, data, kernels, { blockRows: 16, threads, chunks: threads });
      // The same chunks on one thread: identical to the last bit (results never depend on threads).
      const serial = new MlpOracle(spec, data, kernels, { blockRows: 16, threads: 1, chunks: threads });
      oracles.push(par);
      assert.equal(ref.threads, 1);
      assert.equal(par.threads, threads);
      const theta = randomVec(ref.dim, normal, 0.7);
      const v = randomVec(ref.dim, normal);
      const what = `${spec.hiddenActivation} ${spec.loss} biases=${spec.biases} l2=${spec.l2} threads=${threads} ${kernels.name}`;
      const f = ref.loss(theta);
      assert.ok(Math.abs(par.loss(theta) - f) <= 1e-12 * Math.abs(f), `loss: ${what}`);
      const g = ref.gradient(theta);
      const gp = par.gradient(theta);
      assert.ok(Math.abs(gp.loss - g.loss) <= 1e-12 * Math.abs(g.loss), `gradient's loss: ${what}`);
      assert.ok(maxRelErr(gp.gradient, g.gradient) <= 1e-12, `gradient: ${what}`);
      assert.ok(maxRelErr(par.hvp(theta, v), ref.hvp(theta, v)) <= 1e-12, `hvp: ${what}`);
      assert.equal(serial.threads, 1);
      assert.equal(par.loss(theta), serial.loss(theta), `loss bitwise: ${what}`);
      assert.deepEqual(par.gradient(theta).gradient, serial.gradient(theta).gradient, `gradient bitwise: ${what}`);
      assert.deepEqual(par.hvp(theta, v), serial.hvp(theta, v), `hvp bitwise: ${what}`);
      // Fixed summation order: the threaded results are reproducible bit for bit.
      assert.deepEqual(par.hvp(theta, v), par.hvp(theta, v));
      // `out` may alias v.
      const w = v.slice();
      assert.equal(par.hvp(theta, w, w), w);
      assert.ok(maxRelErr(w, ref.hvp(theta, v)) <= 1e-12, `hvp aliased: ${what}`);
      if (s === 2) assert.ok(maxRelErr(par.hessian(theta), ref.hessian(theta)) <= 1e-12, `hessian: ${what}`);
    });
  } finally {
    for (const o of oracles) o.dispose();
  }
});

test('threaded cache: θ₁, θ₂, θ₁ in turn; an HVP at a cached θ redoes no pass in any thread', () => {
  const spec: MlpSpec = { layers: [4, 5, 4], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 0.01 };
  const normal = seededNormal(7);
  const data = randomMlpData(spec, 61, normal);
  const o = new MlpOracle(spec, data, typescriptKernels, { blockRows: 8, threads: 2, chunks: 2 });
  try {
    const n = o.dim;
    const t1 = randomVec(n, normal, 0.7);
    const t2 = randomVec(n, normal, 0.7);
    const v = randomVec(n, normal);
    const fresh = (t: Float64Array) => {
      const f = new MlpOracle(spec, data, typescriptKernels, { blockRows: 8, threads: 2, chunks: 2 });
      try { return { hv: f.hvp(t, v), g: f.gradient(t).gradient, f: f.loss(t) }; } finally { f.dispose(); }
    };
    const r1 = fresh(t1);
    const r2 = fresh(t2);
    assert.ok(maxRelErr(r1.hv, r2.hv) > 1e-3, 'the two points must differ for the test to mean anything');
    const passes = () => o.passCounts().map((p) => `${p.forward}/${p.backward}`).join(' ');
    assert.deepEqual(o.hvp(t1, v), r1.hv);
    assert.equal(passes(), '1/1 1/1');
    assert.deepEqual(o.hvp(t1, v), r1.hv);
    assert.deepEqual(o.gradient(t1).gradient, r1.g);
    assert.equal(o.loss(t1), r1.f);
    assert.equal(passes(), '1/1 1/1', 'same θ: no pass redone');
    assert.deepEqual(o.hvp(t2, v), r2.hv);
    assert.equal(passes(), '2/2 2/2');
    assert.deepEqual(o.hvp(t1, v), r1.hv);
    assert.equal(passes(), '3/3 3/3');
    // In-place mutation of the caller's θ: a loss-only pass first, then the HVP adds the backward pass.
    const t = t2.slice();
    assert.equal(o.loss(t), r2.f);
    assert.equal(passes(), '4/3 4/3');
    assert.deepEqual(o.hvp(t, v), r2.hv);
    assert.deepEqual(o.gradient(t).gradient, r2.g);
    assert.equal(passes(), '4/4 4/4');
    t.set(t1);
    assert.deepEqual(o.gradient(t).gradient, r1.g);
    assert.deepEqual(o.hvp(t, v), r1.hv);
    assert.equal(passes(), '5/5 5/5');
  } finally {
    o.dispose();
  }
});

test('threaded counters count one per oracle call; options are validated; dispose', () => {
  const spec: MlpSpec = { layers: [3, 4, 3], hiddenActivation: 'tanh', biases: true, loss: 'mse', l2: 0 };
  const normal = seededNormal(3);
  const data = randomMlpData(spec, 40, normal);
  const o = new MlpOracle(spec, data, typescriptKernels, { threads: 3, chunks: 3 });
  const theta = randomVec(o.dim, normal);
  const v = randomVec(o.dim, normal);
  o.loss(theta); o.loss(theta);
  o.gradient(theta);
  o.hvp(theta, v); o.hvp(theta, v); o.hvp(theta, v);
  assert.deepEqual({ ...o.counters }, { loss: 2, gradient: 1, hvp: 3, gvp: 0, statistics: 0 });
  o.hessian(theta);
  assert.equal(o.counters.hvp, 3 + o.dim);
  // A failed (validated) call leaves the threaded oracle usable.
  assert.throws(() => o.hvp(theta, new Float64Array(2)), /hvp direction v has length 2/);
  assert.equal(o.loss(theta), o.loss(theta));
  o.dispose();
  o.dispose(); // idempotent
  assert.throws(() => o.hvp(theta.map((x) => x + 1), v), /disposed/);

  assert.throws(() => new MlpOracle(spec, data, typescriptKernels, { threads: 0 }), /threads must be a positive integer/);
  assert.throws(() => new MlpOracle(spec, data, typescriptKernels, { threads: 1.5 }), /threads must be a positive integer/);
  const custom: DenseKernels = { ...typescriptKernels, name: 'custom' };
  assert.throws(() => new MlpOracle(spec, data, custom, { threads: 2 }), /kernels a worker thread can build itself.*'custom'/);
  assert.equal(new MlpOracle(spec, data, custom).threads, 1);
  // More threads than samples: one sample per thread at most.
  const tiny = randomMlpData(spec, 2, normal);
  assert.throws(() => new MlpOracle(spec, tiny, typescriptKernels, { chunks: 3 }), /chunks must be an integer in \[1, N = 2\]/);
  const t = new MlpOracle(spec, tiny, typescriptKernels, { threads: 4, chunks: 2 });
  assert.equal(t.threads, 2, 'threads ≤ chunks');
  const ref = new MlpOracle(spec, tiny, typescriptKernels);
  assert.ok(maxRelErr(t.hvp(theta, v), ref.hvp(theta, v)) <= 1e-12);
  t.dispose();
});

test('default thread count: 2 for large problems on a multi-core machine, GRADFLAT_THREADS overrides up to the chunk count', () => {
  const saved = process.env.GRADFLAT_THREADS;
  try {
    delete process.env.GRADFLAT_THREADS;
    const big: MlpSpec = { layers: [16, 8, 16, 16], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 0 }; // n = 552
    const cores = Math.min(2, availableParallelism());
    assert.equal(defaultMlpThreads(big, 10_000, typescriptKernels), cores);
    assert.equal(defaultMlpThreads(big, 2000, typescriptKernels), cores);
    assert.equal(defaultMlpThreads(big, 1999, typescriptKernels), 1, 'N < 2000');
    const small: MlpSpec = { ...big, layers: [3, 4, 3] }; // n = 31: N·n < 10⁶
    assert.equal(defaultMlpThreads(small, 30_000, typescriptKernels), 1);
    assert.equal(defaultMlpThreads(big, 10_000, { ...typescriptKernels, name: 'custom' }), 1);
    const normal = seededNormal(5);
    assert.equal(new MlpOracle(small, randomMlpData(small, 40, normal)).threads, 1);
    process.env.GRADFLAT_THREADS = '3';
    assert.equal(defaultMlpThreads(small, 40, typescriptKernels), 1, 'never more threads than chunks');
    assert.equal(defaultMlpThreads(big, 10_000, typescriptKernels), 2);
    process.env.GRADFLAT_THREADS = '1';
    assert.equal(defaultMlpThreads(big, 10_000, typescriptKernels), 1);
    process.env.GRADFLAT_THREADS = 'two';
    assert.throws(() => defaultMlpThreads(big, 10_000, typescriptKernels), /GRADFLAT_THREADS must be a positive integer/);
  } finally {
    if (saved === undefined) delete process.env.GRADFLAT_THREADS; else process.env.GRADFLAT_THREADS = saved;
  }
});

test('worker threads never keep the process alive (with and without dispose)', () => {
  const url = new URL('./mlp-oracle.js', import.meta.url).href;
  for (const dispose of [true, false]) {
    const script = `
      import { MlpOracle } from ${JSON.stringify(url)};
      const N = 50, x = Float64Array.from({ length: N * 3 }, (_, i) => Math.sin(i));
      const o = new MlpOracle({ layers: [3, 4, 3], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 0 }, { inputs: x, targets: x, N }, undefined, { threads: 2, chunks: 2 });
      const th = new Float64Array(o.dim).fill(0.1);
      const hv = o.hvp(th, th);
      if (!(Number.isFinite(hv[0]) && o.threads === 2)) process.exit(3);
      ${dispose ? 'o.dispose();' : ''}
      console.log('done');
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.error, undefined, `dispose=${dispose}: ${String(r.error)}`);
    assert.equal(r.status, 0, `dispose=${dispose}: exit ${r.status}, signal ${r.signal}\n${r.stderr}`);
    assert.match(r.stdout, /done/);
  }
});

test('a worker failure reaches the caller as an Error (never a hang)', () => {
  const spec = resolveMlpSpec({ layers: [3, 4, 3], hiddenActivation: 'tanh', biases: true, loss: 'mse', l2: 0 });
  const x = Float64Array.from({ length: 30 }, (_, i) => Math.cos(i));
  const pool = new MlpWorkerPool(spec, [{ inputs: x, N: 10, targets: x, labels: null }], 20, 'typescript', 8, parameterCount(spec));
  try {
    pool.post(99, new Float64Array(parameterCount(spec)));
    assert.throws(() => pool.wait(), /worker thread 1 failed: .*unknown command 99/);
    assert.equal(pool.isDisposed, true);
  } finally {
    pool.dispose();
  }
});

test('a worker that dies without answering fails the call within about a second (never a hang)', async () => {
  const spec = resolveMlpSpec({ layers: [3, 4, 3], hiddenActivation: 'tanh', biases: true, loss: 'mse', l2: 0 });
  const x = Float64Array.from({ length: 30 }, (_, i) => Math.cos(i));
  const n = parameterCount(spec);
  const pool = new MlpWorkerPool(spec, [{ inputs: x, N: 10, targets: x, labels: null }], 20, 'typescript', 8, n);
  try {
    pool.post(2, new Float64Array(n));
    pool.wait(); // the worker has started and answered once
    await (pool as unknown as { workers: { terminate(): Promise<number> }[] }).workers[0].terminate();
    pool.post(2, new Float64Array(n).fill(0.1));
    const t0 = Date.now();
    assert.throws(() => pool.wait(), /worker thread 1 stopped without answering/);
    assert.ok(Date.now() - t0 < 5000);
  } finally {
    pool.dispose();
  }
});
