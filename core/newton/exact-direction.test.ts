import test from 'node:test';
import assert from 'node:assert/strict';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { norm2 } from '../linalg/vector.js';
import { emptyCounters, type Oracle } from '../oracle/oracle.js';
import { QuadraticOracle } from '../oracle/quadratic.js';
import { assertClose } from '../testing/assert-close.js';
import { evaluatePoint } from '../analysis/evaluate-point.js';
import { requireDenseSolver } from './exact-direction.js';
import { newtonDirection } from './direction.js';
import { DENSE_MAX_DIM } from '../oracle/dense-hessian.js';

/** ‖Hp + g‖ / ‖g‖ from the oracle's own HVP, independent of any solver's bookkeeping. */
function trueResidual(oracle: Oracle, theta: Float64Array, g: Float64Array, p: Float64Array): number {
  const hp = oracle.hvp(theta, p);
  return norm2(hp.map((v, i) => v + g[i])) / norm2(g);
}

// H = diag(3, −1, 0, 0.5), g = Hθ + b; b has a kernel component (incompatible system).
const oracle = QuadraticOracle.diagonal([3, -1, 0, 0.5], [1, 2, 0.5, -1]);
const theta = Float64Array.of(0.2, -0.1, 0.3, 0.4);
const g = oracle.gradient(theta).gradient;

for (const solver of ['minres-qlp', 'minres-qlp-reorth', 'exact'] as const) {
  test(`${solver}: the logged residual is the true ‖Hp + g‖/‖g‖, and the solver is named`, () => {
    const dir = newtonDirection(oracle, theta, g, { solver, rtol: 1e-12, kernels: typescriptKernels });
    assert.equal(dir.metrics.solver, solver);
    assertClose(dir.metrics.residual!, trueResidual(oracle, theta, g, dir.p), 1e-12, 'residual');
    // g's kernel component (0.5 along e₃) is unreachable: residual = 0.5/‖g‖ at the least-squares solution.
    assertClose(dir.metrics.residual!, 0.5 / norm2(g), 1e-8, 'least-squares residual');
  });
}

test("exact: p = −H⁺g, r and rH with ‖H‖ = ‖H‖₂, the cutoff and rank logged", () => {
  const dir = newtonDirection(oracle, theta, g, { solver: 'exact', kernels: typescriptKernels });
  const expected = [-g[0] / 3, g[1], 0, -g[3] / 0.5];
  expected.forEach((v, i) => assertClose(dir.p[i], v, 1e-14, `p[${i}]`));
  assert.equal(dir.metrics.exit, 'pseudo-inverse');
  assert.equal(dir.metrics.Anorm_solver, 3);
  assert.equal(dir.metrics.rank, 3);
  assertClose(dir.metrics.pinvCutoff!, 3 * 4 * Number.EPSILON, 1e-25, 'n·eps·‖H‖₂ (n = 4)');
  // r = ‖Hp + g‖/(‖H‖₂‖p‖ + ‖g‖); the residual is 0.5 e₃ ∈ ker H, so rH = 0.
  assertClose(dir.metrics.r_solverA, 0.5 / (3 * norm2(dir.p) + norm2(g)), 1e-14, 'r');
  assert.ok(dir.metrics.rH_solverA <= 1e-15);
});

test('final-point evaluation: solver, true residual and spectral flatness are in the record', () => {
  for (const solver of ['minres-qlp', 'exact'] as const) {
    const rep = evaluatePoint(oracle, theta, typescriptKernels, { solve: { solver } });
    assert.equal(rep.solver, solver);
    assertClose(rep.newtonResidual, 0.5 / norm2(g), 1e-8, `${solver}: residual`);
    assert.equal(rep.spectralFlatness!.shares.length, 11);
    assertClose(rep.spectralFlatness!.shares[0], 0.25 / oracle.gradient(theta).gradient.reduce((t, v) => t + v * v, 0), 1e-14, 'share of ‖g‖² in ker H');
    assert.equal(solver === 'exact', rep.pinvCutoff !== undefined);
  }
});

test('bad input: exact beyond the dense limit or without the dense-hessian capability names the limit and the alternative', () => {
  const big: Oracle = { dim: DENSE_MAX_DIM + 1, capabilities: new Set(['dense-hessian']), counters: emptyCounters(), loss: () => 0, gradient: () => ({ loss: 0, gradient: new Float64Array(0) }), hvp: () => new Float64Array(0) };
  assert.throws(() => requireDenseSolver(big, 'exact', 'test'), new RegExp(`n = ${DENSE_MAX_DIM + 1}.*dense limit n ≤ ${DENSE_MAX_DIM}.*'minres-qlp-reorth'`));
  const noDense: Oracle = { ...big, dim: 4, capabilities: new Set() };
  assert.throws(() => newtonDirection(noDense, theta, g, { solver: 'exact' }), /capability 'dense-hessian'.*declares only: none.*'minres-qlp-reorth'/);
});
