import test from 'node:test';
import assert from 'node:assert/strict';
import { countingOracle } from './counting.js';
import { emptyCounters, type Oracle } from './oracle.js';
import { QuarticOracle } from '../../problems/quartic/oracle.js';
import { MlpOracle } from '../../engines/mlp/mlp-oracle.js';
import { typescriptKernels } from '../linalg/kernels-typescript.js';

test('counts each call by kind and returns exactly what the inner oracle returns', () => {
  const inner = new QuarticOracle();
  const c = countingOracle(inner);
  const th = Float64Array.of(0.5, -1);
  assert.equal(c.loss(th), inner.loss(th));
  assert.deepEqual(c.gradient(th), inner.gradient(th));
  const out = new Float64Array(2);
  assert.equal(c.hvp(th, Float64Array.of(1, 2), out), out, 'out is forwarded');
  assert.deepEqual(out, inner.hvp(th, Float64Array.of(1, 2)));
  assert.deepEqual(c.counters, { ...emptyCounters(), loss: 1, gradient: 1, hvp: 1 });
  assert.equal(c.dim, 2);
  assert.equal(c.capabilities, inner.capabilities);
  assert.equal(c.inner, inner);
});

test('optional methods exist iff the inner oracle has them; a dense Hessian costs what the oracle counts for it', () => {
  const bare: Oracle = {
    dim: 1, capabilities: new Set(), counters: emptyCounters(),
    loss: () => 0, gradient: () => ({ loss: 0, gradient: Float64Array.of(0) }), hvp: () => Float64Array.of(0),
  };
  const cb = countingOracle(bare);
  for (const m of ['hessian', 'layerStatistics', 'gaussNewtonProduct', 'dispose', 'provenance'] as const) assert.equal(m in cb, false, m);

  // Analytic Hessian: free, as the quartic oracle counts it.
  const q = countingOracle(new QuarticOracle());
  q.hessian!(Float64Array.of(1, 1));
  assert.deepEqual(q.counters, emptyCounters());

  // Assembled from n HVPs: n; statistics and Gauss-Newton products count one each.
  const spec = { layers: [2, 3, 2], hiddenActivation: 'identity' as const, biases: true, loss: 'mse' as const, l2: 0 };
  const inputs = Float64Array.from({ length: 10 }, (_, i) => Math.sin(i + 1));
  const mlp = new MlpOracle(spec, { inputs, N: 5, targets: inputs }, typescriptKernels, { threads: 1 });
  try {
    const c = countingOracle(mlp);
    assert.deepEqual(c.provenance, mlp.provenance);
    const th = Float64Array.from({ length: mlp.dim }, (_, i) => 0.1 * Math.cos(i));
    c.hessian!(th);
    c.layerStatistics!(th);
    c.gaussNewtonProduct!(th, new Float64Array(mlp.dim).fill(1));
    assert.deepEqual(c.counters, { ...emptyCounters(), hvp: mlp.dim, statistics: 1, gvp: 1 });
    assert.deepEqual(c.counters, mlp.counters, 'the same numbers the oracle itself counted');
  } finally {
    mlp.dispose?.();
  }
});
