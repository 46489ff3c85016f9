import test from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import assert from 'node:assert/strict';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { Rng } from '../../core/random/rng.js';
import { mlpOracleMemory } from './memory.js';
import { MlpOracle } from './mlp-oracle.js';
import type { MlpSpec } from './architecture.js';

// A collection inside the measured window frees garbage from earlier (module loading, the
// previous case's oracle) and makes `used` look smaller than what the oracle holds. V8 frees
// array buffers after a collection on a background thread: collect until the count settles.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
async function settledArrayBuffers(): Promise<number> {
  let last = -1;
  for (let i = 0; i < 50; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 5));
    const now = process.memoryUsage().arrayBuffers;
    if (now === last) return now;
    last = now;
  }
  return last;
}

test('mlpOracleMemory predicts the oracle\'s allocations (ArrayBuffers after a gradient and an HVP)', async () => {
  const rng = new Rng(4);
  const cases: Array<{ spec: MlpSpec; N: number }> = [
    { spec: { layers: [64, 48, 24, 10], hiddenActivation: 'swish', biases: true, loss: 'softmax-cross-entropy', l2: 1e-4 }, N: 1500 },
    { spec: { layers: [40, 30, 40], hiddenActivation: 'tanh', outputActivation: 'identity', biases: false, loss: 'mse', l2: 0 }, N: 800 },
  ];
  for (const { spec, N } of cases) {
    const dIn = spec.layers[0];
    const dOut = spec.layers[spec.layers.length - 1];
    const inputs = rng.uniformVector(N * dIn);
    const data = spec.loss === 'mse' ? { inputs, targets: rng.uniformVector(N * dOut), N } : { inputs, labels: Int32Array.from({ length: N }, () => rng.int(dOut)), N };
    const before = await settledArrayBuffers();
    const o = new MlpOracle(spec, data, typescriptKernels, { threads: 1, chunks: 1 });
    const theta = rng.uniformVector(o.dim, -0.1, 0.1);
    const out = new Float64Array(o.dim);
    o.gradient(theta, out);
    o.hvp(theta, theta, out);
    const used = process.memoryUsage().arrayBuffers - before - 2 * 8 * o.dim; // minus θ and out
    const predicted = mlpOracleMemory(spec, N).totalBytes;
    assert.ok(Math.abs(used - predicted) <= 0.03 * predicted + 65536, `${spec.layers.join('→')}: used ${used} B, predicted ${predicted} B`);
  }
});

test('mlpOracleMemory: parameters and samples scale as documented (docs/large-networks.md)', () => {
  const spec: MlpSpec = { layers: [784, 128, 64, 10], hiddenActivation: 'swish', biases: true, loss: 'softmax-cross-entropy', l2: 1e-4 };
  const m = mlpOracleMemory(spec, 2000);
  assert.equal(m.n, 109386);
  assert.equal(m.perParameterBytes, 8 * 10 * m.n, 'one chunk, no workers: 10 vectors of n');
  assert.equal(mlpOracleMemory(spec, 4000).perSampleBytes, 2 * m.perSampleBytes);
  assert.equal(mlpOracleMemory(spec, 2000, { chunks: 2, threads: 2 }).perParameterBytes, 8 * (4 + 12 + 3) * m.n);
});
