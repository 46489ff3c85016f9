// DENSE_KERNELS: the run's kernels reach the steppers that do dense algebra (K-FAC, saddle-free
// Newton) by injection, so LAPACK/OpenBLAS is used when loaded; results agree across kernel sets.
import test from 'node:test';
import assert from 'node:assert/strict';
import { container } from '../di.js';
import type { DenseKernels } from '../linalg/kernels.js';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { loadOpenBlasKernels } from '../linalg/kernels-openblas.js';
import { DENSE_KERNELS } from '../oracle/tokens.js';
import { MlpOracle } from '../../engines/mlp/mlp-oracle.js';
import type { MlpSpec } from '../../engines/mlp/architecture.js';
import { seededNormal } from '../../engines/mlp/init.js';
import { runStepper } from '../run/run-loop.js';
import { PluginRegistry } from './registry.js';
import { registerBuiltins } from '../../builtins.js';

function spy(inner: DenseKernels): DenseKernels & { calls: { gemm: number; eigen: number } } {
  const calls = { gemm: 0, eigen: 0 };
  return {
    name: `spy(${inner.name})`, calls,
    gemm: (...args: Parameters<DenseKernels['gemm']>) => { calls.gemm++; inner.gemm(...args); },
    symmetricEigen: (a, n, v) => { calls.eigen++; return inner.symmetricEigen(a, n, v); },
  };
}

function problem(): { oracle: MlpOracle; theta: Float64Array } {
  const spec: MlpSpec = { layers: [3, 4, 2], hiddenActivation: 'tanh', biases: true, loss: 'mse', l2: 0 };
  const normal = seededNormal(5);
  const N = 20;
  const inputs = Float64Array.from({ length: N * 3 }, () => normal());
  const targets = Float64Array.from({ length: N * 2 }, () => normal());
  const oracle = new MlpOracle(spec, { inputs, N, targets }, typescriptKernels, { threads: 1 });
  return { oracle, theta: Float64Array.from({ length: oracle.dim }, () => 0.5 * normal()) };
}

const registry = new PluginRegistry();
registerBuiltins(registry);

function run(name: string, kernels: DenseKernels | undefined, viaParent = false): Float64Array {
  const { oracle, theta } = problem();
  try {
    let stepper;
    if (viaParent) {
      const parent = container.createChildContainer();
      parent.register(DENSE_KERNELS, { useValue: kernels! });
      stepper = registry.create(name, oracle, {}, parent);
    } else {
      stepper = registry.create(name, oracle, {}, kernels && { kernels });
    }
    const out = runStepper(stepper, theta, { maxIterations: 5 });
    assert.equal(out.steps, 5, out.stopReason);
    return out.state.theta;
  } finally {
    oracle.dispose?.();
  }
}

for (const name of ['kfac', 'saddle-free-newton']) {
  test(`${name} uses the injected kernels (options or a parent container's DENSE_KERNELS), and they give the same steps`, () => {
    const direct = spy(typescriptKernels);
    const a = run(name, direct);
    assert.ok(direct.calls.eigen > 0, `${name} called the injected eigensolver`);
    const inherited = spy(typescriptKernels);
    const b = run(name, inherited, true);
    assert.ok(inherited.calls.eigen > 0, 'taken from the parent container');
    assert.deepEqual(b, a, 'same kernels, same bits');
    assert.deepEqual(run(name, undefined), a, 'default: the TypeScript kernels');
    const blas = loadOpenBlasKernels();
    if (!('kernels' in blas)) return; // OpenBLAS not installed here: the spies above still prove the wiring
    const c = run(name, blas.kernels);
    const scale = Math.max(...a.map(Math.abs));
    const err = Math.max(...a.map((x, i) => Math.abs(x - c[i])));
    assert.ok(err <= 1e-9 * scale, `OpenBLAS vs TypeScript after 5 steps: max |Δθ| = ${err}`);
  });
}
