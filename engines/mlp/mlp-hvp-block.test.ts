/**
 * Batched curvature: `MlpOracle.hvpBlock` equals k single HVPs, and the dense Hessian
 * built from batched passes equals the sequential build, to ~1e-12 relative, on every
 * architecture (biases or not, every activation, MSE and softmax CE, ℓ2), with both kernel sets
 * and with worker threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DenseKernels } from '../../core/linalg/kernels.js';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { selectKernels } from '../../core/linalg/select-kernels.js';
import { type HiddenActivation, type MlpSpec, type OutputActivation, layerLayout, resolveMlpSpec } from './architecture.js';
import { seededNormal } from './init.js';
import { MlpOracle, hvpBlockMaxFor } from './mlp-oracle.js';
import { randomMlpData, randomVec } from './testing.js';
import { maxRelErr } from '../../core/testing/assert-close.js';

let openblas: DenseKernels | undefined;
try { openblas = selectKernels('openblas'); } catch { openblas = undefined; }
const kernelSets: DenseKernels[] = openblas ? [typescriptKernels, openblas] : [typescriptKernels];

const HIDDEN: HiddenActivation[] = ['identity', 'swish', 'tanh', 'relu'];
const OUTPUT: OutputActivation[] = ['identity', 'swish', 'tanh'];

function specs(): MlpSpec[] {
  const out: MlpSpec[] = [];
  let s = 0;
  for (const hiddenActivation of HIDDEN) {
    for (const loss of ['mse', 'softmax-cross-entropy'] as const) {
      for (const biases of [true, false]) {
        const outputActivation = OUTPUT[s++ % OUTPUT.length];
        out.push({ layers: [4, 5, 3, 4], hiddenActivation, outputActivation, biases, loss, l2: s % 2 === 0 ? 1e-2 : 0 });
      }
    }
  }
  out.push({ layers: [3, 4], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 1e-3 }); // one layer
  return out;
}

/** k directions: random ones, and a block that perturbs only the middle layer (skips products before it). */
function directions(spec: MlpSpec, n: number, normal: () => number): Float64Array[] {
  const k = 5;
  const dense = new Float64Array(k * n);
  for (let i = 0; i < dense.length; i++) dense[i] = normal();
  const lay = layerLayout(resolveMlpSpec(spec));
  const ly = lay[Math.floor(lay.length / 2)];
  const oneLayer = new Float64Array(3 * n);
  const end = ly.biasOffset >= 0 ? ly.biasOffset + ly.outputs : ly.weightOffset + ly.outputs * ly.inputs;
  for (let j = 0; j < 3; j++) for (let i = ly.weightOffset; i < end; i++) oneLayer[j * n + i] = normal();
  return [dense, oneLayer, new Float64Array(2 * n)];
}

test('hvpBlock equals k single HVPs (every architecture, both kernel sets, counters count k)', () => {
  specs().forEach((spec, s) => {
    for (const kernels of kernelSets) {
      const normal = seededNormal(300 + s);
      const data = randomMlpData(spec, 37, normal);
      const oracle = new MlpOracle(spec, data, kernels, { blockRows: 8, threads: 1 });
      const n = oracle.dim;
      const theta = randomVec(n, normal, 0.7);
      for (const V of directions(spec, n, normal)) {
        const k = V.length / n;
        const before = oracle.counters.hvp;
        const HV = oracle.hvpBlock(theta, V);
        assert.equal(oracle.counters.hvp - before, k, 'counts k HVPs');
        const ref = new Float64Array(k * n);
        for (let j = 0; j < k; j++) oracle.hvp(theta, V.subarray(j * n, (j + 1) * n), ref.subarray(j * n, (j + 1) * n));
        const what = `${JSON.stringify(spec)} ${kernels.name} k=${k}`;
        if (ref.every((x) => x === 0)) assert.ok(HV.every((x) => x === 0), `zero directions: ${what}`);
        else assert.ok(maxRelErr(HV, ref) <= 1e-12, `hvpBlock vs hvp: ${maxRelErr(HV, ref)} ${what}`);
      }
    }
  });
});

test('hvpBlock splits blocks larger than hvpBlockMax, and checks its input', () => {
  const spec: MlpSpec = { layers: [3, 4, 3], hiddenActivation: 'tanh', biases: true, loss: 'mse', l2: 1e-2 };
  const normal = seededNormal(7);
  const oracle = new MlpOracle(spec, randomMlpData(spec, 20, normal), typescriptKernels, { threads: 1 });
  const n = oracle.dim;
  assert.equal(oracle.hvpBlockMax, hvpBlockMaxFor(n));
  const k = oracle.hvpBlockMax + 3;
  const theta = randomVec(n, normal);
  const V = randomVec(k * n, normal);
  const HV = oracle.hvpBlock(theta, V);
  for (const j of [0, k - 1]) {
    const h = oracle.hvp(theta, V.subarray(j * n, (j + 1) * n));
    assert.ok(maxRelErr(HV.subarray(j * n, (j + 1) * n), h) <= 1e-12);
  }
  assert.throws(() => oracle.hvpBlock(theta, new Float64Array(n + 1)), /k·n entries/);
  assert.throws(() => oracle.hvpBlock(theta, V, V), /overlap/);
  const bad = V.slice(0, n); bad[2] = NaN;
  assert.throws(() => oracle.hvpBlock(theta, bad), /non-finite/);
});

test('dense Hessian from batched identity blocks equals the sequential build (every architecture, both kernel sets)', () => {
  specs().forEach((spec, s) => {
    for (const kernels of kernelSets) {
      const normal = seededNormal(500 + s);
      const oracle = new MlpOracle(spec, randomMlpData(spec, 29, normal), kernels, { blockRows: 8, threads: 1 });
      const n = oracle.dim;
      const theta = randomVec(n, normal, 0.7);
      const before = oracle.counters.hvp;
      const H = oracle.hessian(theta);
      assert.equal(oracle.counters.hvp - before, n, 'the dense Hessian counts n HVPs');
      const ref = oracle.hessianSequential(theta);
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) assert.equal(H[i * n + j], H[j * n + i], 'symmetric');
      assert.ok(maxRelErr(H, ref) <= 1e-12, `hessian vs sequential: ${maxRelErr(H, ref)} ${JSON.stringify(spec)} ${kernels.name}`);
    }
  });
});

test('hvpBlock and the dense Hessian with worker threads equal the single-threaded oracle', () => {
  const cases: MlpSpec[] = [
    { layers: [5, 6, 4, 5], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 1e-2 },
    { layers: [4, 6, 5, 3], hiddenActivation: 'tanh', biases: false, loss: 'softmax-cross-entropy', l2: 0 },
  ];
  cases.forEach((spec, s) => {
    const normal = seededNormal(700 + s);
    const data = randomMlpData(spec, 203, normal);
    const kernels = s === 0 && openblas ? openblas : typescriptKernels;
    const ref = new MlpOracle(spec, data, kernels, { blockRows: 16, threads: 1 });
    // 3 chunks on 2 threads: the calling thread runs two engines.
    const par = new MlpOracle(spec, data, kernels, { blockRows: 16, threads: 2, chunks: 3 });
    try {
      const n = ref.dim;
      const theta = randomVec(n, normal, 0.7);
      const V = randomVec(4 * n, normal);
      assert.ok(maxRelErr(par.hvpBlock(theta, V), ref.hvpBlock(theta, V)) <= 1e-12, 'hvpBlock threads 2 vs 1');
      const h1 = par.hvp(theta, V.subarray(0, n));
      assert.ok(maxRelErr(par.hvpBlock(theta, V).subarray(0, n), h1) <= 1e-12, 'threaded hvpBlock vs hvp');
      assert.ok(maxRelErr(par.hessian(theta), ref.hessianSequential(theta)) <= 1e-12, 'threaded dense Hessian');
    } finally {
      par.dispose();
    }
  });
});
