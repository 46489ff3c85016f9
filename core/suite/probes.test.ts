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
  assert.equal(p.spectral!.method, 'dense');
});

test('beyond the dense limit, spectral probes bracket the share with Lanczos; the bracket contains the exact share', () => {
  // H = diag(d) with a block of zeros: g's share in ker H is exact, and Lanczos from g sees a few distinct eigenvalues only.
  const n = DENSE_MAX_DIM + 10;
  const d = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : 1 + (i % 7)));
  const big = QuadraticOracle.diagonal(d, Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0)));
  const th = Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0.01 : 0));
  const gb = big.gradient(th).gradient;
  let kernel = 0;
  for (let i = 0; i < n; i += 3) kernel += gb[i] * gb[i];
  const exact = kernel / norm2(gb) ** 2;
  const p = probeFlatness(big, th, gb, { ...base, kind: 'spectral' }, new Rng(1))!;
  assert.equal(p.spectral!.method, 'lanczos');
  assert.equal(p.verdict, exact >= 0.5 ? 'flat' : 'not-flat');
  p.spectral!.taus.forEach((t, i) => {
    if (t >= 1) return;
    assert.ok(p.spectral!.sharesLower[i] <= exact + 1e-12 && exact <= p.spectral!.sharesUpper[i] + 1e-12, `τ ${t}: ${exact} in [${p.spectral!.sharesLower[i]}, ${p.spectral!.sharesUpper[i]}]`);
  });
});

test('probe settings are checked against the problem before any work', () => {
  const big: Oracle = { dim: DENSE_MAX_DIM + 1, capabilities: new Set(['dense-hessian']), counters: emptyCounters(), loss: () => 0, gradient: () => ({ loss: 0, gradient: new Float64Array(0) }), hvp: () => new Float64Array(0) };
  assert.throws(() => checkProbeConfig({ kind: 'rayleigh', solver: 'exact' }, big), /probe\.solver: solver 'exact'.*dense limit.*'minres-qlp-reorth'/);
  // Spectral probes run at every n (a Lanczos bracket beyond the dense limit).
  assert.doesNotThrow(() => checkProbeConfig({ kind: 'spectral' }, big));
  assert.doesNotThrow(() => checkProbeConfig({ kind: 'newton', solver: 'minres-qlp-reorth' }, big));
});
