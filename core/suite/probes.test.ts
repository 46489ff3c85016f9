import test from 'node:test';
import assert from 'node:assert/strict';
import { DENSE_MAX_DIM } from '../oracle/dense-hessian.js';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { norm2 } from '../linalg/vector.js';
import { emptyCounters, type Oracle } from '../oracle/oracle.js';
import { QuadraticOracle } from '../oracle/quadratic.js';
import { Rng } from '../random/rng.js';
import { assertClose } from '../testing/assert-close.js';
import { checkProbeConfig, probeFlatness, type ProbeSettings } from './probes.js';

const oracle = QuadraticOracle.diagonal([3, -1, 0, 0.5], [1, 2, 0.5, -1]);
const theta = Float64Array.of(0.2, -0.1, 0.3, 0.4);
const g = oracle.gradient(theta).gradient;
const base: ProbeSettings = { kind: 'newton', every: 1, rtol: 1e-10, maxit: null, frobeniusSamples: 2, kernels: typescriptKernels };

test('newton probes log the solver and the true residual; exact probes normalise r by ‖H‖₂', () => {
  for (const solver of [undefined, 'minres-qlp-reorth', 'exact'] as const) {
    const p = probeFlatness(oracle, theta, g, { ...base, ...(solver && { solver }) }, new Rng(1))!;
    assert.equal(p.solver, solver ?? 'minres-qlp');
    assertClose(p.residual!, 0.5 / norm2(g), 1e-8, `${solver}: residual`);
  }
  assert.equal(probeFlatness(oracle, theta, g, { ...base, solver: 'exact' }, new Rng(1))!.hNorm, 3);
});

test('spectral probes report the share of ‖g‖² in near-null eigen-directions', () => {
  const p = probeFlatness(oracle, theta, g, { ...base, kind: 'spectral' }, new Rng(1))!;
  assert.equal(p.kind, 'spectral');
  assertClose(p.spectral!.shares[0], 0.25 / norm2(g) ** 2, 1e-14, 'share in ker H');
  assert.equal(p.spectral!.shares[10], 1);
  assert.equal(p.r, undefined, 'no Krylov r');
});

test('probe settings are checked against the problem before any work', () => {
  const big: Oracle = { dim: DENSE_MAX_DIM + 1, capabilities: new Set(['dense-hessian']), counters: emptyCounters(), loss: () => 0, gradient: () => ({ loss: 0, gradient: new Float64Array(0) }), hvp: () => new Float64Array(0) };
  assert.throws(() => checkProbeConfig({ kind: 'rayleigh', solver: 'exact' }, big), /probe\.solver: solver 'exact'.*dense limit.*'minres-qlp-reorth'/);
  assert.throws(() => checkProbeConfig({ kind: 'spectral' }, big), /probe kind 'spectral' needs the dense Hessian.*dense limit/);
  assert.doesNotThrow(() => checkProbeConfig({ kind: 'newton', solver: 'minres-qlp-reorth' }, big));
});
