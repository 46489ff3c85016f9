/**
 * Memory and time of the float64 MLP oracle at large n (docs/large-networks.md):
 *   node --expose-gc dist/bench/mlp-memory.js HIDDEN N THREADS     e.g. 128,64 2000 1
 * builds a 784→HIDDEN→10 swish classifier on N random samples (OpenBLAS kernels when present),
 * takes a gradient and four HVPs, and prints the ArrayBuffer and RSS growth next to
 * mlpOracleMemory's prediction.
 */
import { loadOpenBlasKernels } from '../core/linalg/kernels-openblas.js';
import { typescriptKernels } from '../core/linalg/kernels-typescript.js';
import type { MlpSpec } from '../engines/mlp/architecture.js';
import { mlpOracleMemory } from '../engines/mlp/memory.js';
import { MlpOracle } from '../engines/mlp/mlp-oracle.js';
import { Rng } from '../core/random/rng.js';

const hidden = (process.argv[2] ?? '128,64').split(',').map(Number);
const N = Number(process.argv[3] ?? 2000);
const threads = Number(process.argv[4] ?? 1);
const spec: MlpSpec = { layers: [784, ...hidden, 10], hiddenActivation: 'swish', outputActivation: 'identity', biases: true, loss: 'softmax-cross-entropy', l2: 1e-4 };
const rng = new Rng(1);
const inputs = rng.uniformVector(N * 784);
const labels = Int32Array.from({ length: N }, () => rng.int(10));
const loaded = loadOpenBlasKernels();
const kernels = 'kernels' in loaded ? loaded.kernels : typescriptKernels;
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const m0 = process.memoryUsage();
const chunks = Math.max(threads, 1);
const o = new MlpOracle(spec, { inputs, labels, N }, kernels, { threads, chunks });
const theta = rng.uniformVector(o.dim, -0.05, 0.05);
const v = rng.uniformVector(o.dim, -1, 1);
const out = new Float64Array(o.dim);
let t0 = performance.now();
o.gradient(theta);
const gradientMs = performance.now() - t0;
o.hvp(theta, v, out);
t0 = performance.now();
for (let i = 0; i < 3; i++) { v[0] += 1e-3; o.hvp(theta, v, out); }
const hvpMs = (performance.now() - t0) / 3;
gc?.();
const m1 = process.memoryUsage();
const pred = mlpOracleMemory(spec, N, { threads, chunks });
const own = (3 * 8 * o.dim) / 1e6; // θ, v, out of this script
console.log(JSON.stringify({
  n: o.dim, N, threads, chunks, kernels: kernels.name, gradientMs: Math.round(gradientMs), hvpMs: Math.round(hvpMs),
  arrayBuffersMB: +((m1.arrayBuffers - m0.arrayBuffers) / 1e6 - own).toFixed(1), rssDeltaMB: Math.round((m1.rss - m0.rss) / 1e6 - own),
  predictedMB: +(pred.totalBytes / 1e6).toFixed(1), perParameterMB: +(pred.perParameterBytes / 1e6).toFixed(1), perSampleMB: +(pred.perSampleBytes / 1e6).toFixed(1),
}));
o.dispose?.();
