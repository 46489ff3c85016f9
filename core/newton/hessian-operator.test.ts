/**
 * The Newton solve's operator: HVPs or a dense Hessian from batched products. The
 * dense path gives the same MINRES-QLP solution up to round-off, is chosen only when it pays,
 * and keeps the counters honest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Oracle, OracleCapability } from '../oracle/oracle.js';
import { emptyCounters } from '../oracle/oracle.js';
import { minresQlp } from '../linalg/minres-qlp.js';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { seededNormal } from '../../engines/mlp/init.js';
import { MlpOracle } from '../../engines/mlp/mlp-oracle.js';
import { randomMlpData, randomVec } from '../../engines/mlp/testing.js';
import { SWITCH_FRACTION, hessianOperator, hessianOperatorModeFromEnv, symmetricMatvec } from './hessian-operator.js';
import { newtonDirection, NewtonSolveWorkspace } from './direction.js';
import { float64ArraysMade } from '../testing/allocations.js';

/** A fixed symmetric matrix behind the Oracle API, declaring the batched capabilities or not. */
function matrixOracle(A: Float64Array, n: number, batched: boolean): Oracle {
  const counters = emptyCounters();
  const caps = new Set<OracleCapability>(batched ? ['dense-hessian', 'hvp-block'] : []);
  const hvp = (_t: Float64Array, v: Float64Array, out = new Float64Array(n)) => { counters.hvp++; symmetricMatvec(A, n, v, out); return out; };
  return {
    dim: n, capabilities: caps, counters,
    loss: () => 0,
    gradient: () => ({ loss: 0, gradient: new Float64Array(n) }),
    hvp,
    ...(batched ? { hessian: () => { counters.hvp += n; return A.slice(); } } : {}),
  };
}

/** Random symmetric indefinite matrix with eigenvalues spread over [−1e3, −1] ∪ [1, 1e3] (needs many MINRES iterations). */
function spreadMatrix(n: number, seed: number): Float64Array {
  const normal = seededNormal(seed);
  // Q from Gram-Schmidt on a random matrix; A = Q diag(λ) Qᵀ.
  const Q = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const q = randomVec(n, normal);
    for (let p = 0; p < j; p++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += q[i] * Q[i * n + p];
      for (let i = 0; i < n; i++) q[i] -= d * Q[i * n + p];
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += q[i] * q[i];
    for (let i = 0; i < n; i++) Q[i * n + j] = q[i] / Math.sqrt(s);
  }
  const lam = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -1 : 1) * 10 ** (3 * (i / (n - 1))));
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
    let s = 0;
    for (let p = 0; p < n; p++) s += Q[i * n + p] * lam[p] * Q[j * n + p];
    A[i * n + j] = s; A[j * n + i] = s;
  }
  return A;
}

function relDiff(a: Float64Array, b: Float64Array): number {
  let num = 0; let den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i] - b[i]) ** 2; den += b[i] ** 2; }
  return Math.sqrt(num / den);
}

test('tight solves on the MLP engine use the batched dense Hessian: same MINRES-QLP solution, n HVPs counted', () => {
  const spec = { layers: [4, 5, 3, 4], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 1e-3 } as const;
  const normal = seededNormal(11);
  const oracle = new MlpOracle({ ...spec, layers: [...spec.layers] }, randomMlpData({ ...spec, layers: [...spec.layers] }, 40, normal), typescriptKernels, { threads: 1 });
  const n = oracle.dim;
  const theta = randomVec(n, normal, 0.7);
  const b = randomVec(n, normal);
  const settings = { rtol: 1e-10, maxit: n };
  const c0 = oracle.counters.hvp;
  const ref = hessianOperator(oracle, theta, { ...settings, mode: 'hvp' });
  const sRef = minresQlp(ref.apply, b, settings);
  assert.equal(ref.provenance, 'hvp');
  assert.equal(oracle.counters.hvp - c0, ref.hvpApplies);
  const c1 = oracle.counters.hvp;
  const op = hessianOperator(oracle, theta, settings);
  const s = minresQlp(op.apply, b, settings);
  assert.equal(op.provenance, 'dense-hessian-batched');
  assert.equal(op.hvpApplies, 0);
  assert.equal(op.denseApplies, s.iterations + 2 + (s.exit === 'maxit' ? 0 : 0));
  assert.equal(oracle.counters.hvp - c1, n, 'the dense build counts n HVPs; dense matvecs count none');
  assert.equal(s.exit, sRef.exit);
  assert.ok(Math.abs(s.iterations - sRef.iterations) <= 1, `iterations ${s.iterations} vs ${sRef.iterations}`);
  // Same iterates up to round-off: exactly comparable while Lanczos keeps its orthogonality
  // (a full n-step solve without reorthogonalisation amplifies round-off into percent-level
  // differences of x, the same as between thread counts).
  const early = { rtol: 1e-10, maxit: 8 };
  const xe = minresQlp(hessianOperator(oracle, theta, { ...early, mode: 'hvp' }).apply, b, early).x;
  const ope = hessianOperator(oracle, theta, { ...early, mode: 'dense' });
  const xd = minresQlp(ope.apply, b, early).x;
  assert.equal(ope.provenance, 'dense-hessian-batched');
  assert.ok(relDiff(xd, xe) <= 1e-10, `8-step iterates differ by ${relDiff(xd, xe)}`);
  // newtonDirection records the operator.
  const dir = newtonDirection(oracle, theta, b, settings);
  assert.equal(dir.metrics.operator, 'dense-hessian-batched');
});

test('loose solves that stop early never build the Hessian (no regression); long loose solves switch once it pays', () => {
  const n = 40;
  const A = spreadMatrix(n, 5);
  const b = randomVec(n, seededNormal(6));
  // Loose tolerance, a few iterations: HVPs only, counters = products.
  const o1 = matrixOracle(A, n, true);
  const op1 = hessianOperator(o1, new Float64Array(n), { rtol: 0.5, maxit: n });
  const s1 = minresQlp(op1.apply, b, { rtol: 0.5, maxit: n });
  assert.ok(s1.iterations < SWITCH_FRACTION * n, `few iterations (${s1.iterations})`);
  assert.equal(op1.provenance, 'hvp');
  assert.equal(o1.counters.hvp, op1.hvpApplies);
  // Moderate tolerance on a hard system: HVPs for the first ⌈n/2⌉ products, then the dense Hessian.
  const settings = { rtol: 1e-5, maxit: 4 * n };
  const o2 = matrixOracle(A, n, true);
  const op2 = hessianOperator(o2, new Float64Array(n), settings);
  const s2 = minresQlp(op2.apply, b, settings);
  assert.ok(s2.iterations > SWITCH_FRACTION * n, `many iterations (${s2.iterations})`);
  assert.equal(op2.provenance, 'hvp-then-dense-hessian-batched');
  assert.equal(op2.hvpApplies, Math.ceil(SWITCH_FRACTION * n));
  assert.equal(o2.counters.hvp, op2.hvpApplies + n);
  const o3 = matrixOracle(A, n, false);
  const op3 = hessianOperator(o3, new Float64Array(n), settings);
  const s3 = minresQlp(op3.apply, b, settings);
  assert.equal(op3.provenance, 'hvp', 'oracles without hvp-block always use HVPs');
  assert.equal(s2.exit, s3.exit);
  assert.ok(relDiff(s2.x, s3.x) <= 1e-8, `same solution up to round-off (${relDiff(s2.x, s3.x)})`);
  // The paper's loose settings (maxit = n): never a switch, however long the solve.
  const o5 = matrixOracle(A, n, true);
  const op5 = hessianOperator(o5, new Float64Array(n), { rtol: 1e-5, maxit: n });
  const s5 = minresQlp(op5.apply, b, { rtol: 1e-5, maxit: n });
  assert.ok(s5.iterations > SWITCH_FRACTION * n, `long solve (${s5.iterations})`);
  assert.equal(op5.provenance, 'hvp');
  assert.equal(o5.counters.hvp, op5.hvpApplies);
  // Too small a budget to pay back: no switch.
  const o4 = matrixOracle(A, n, true);
  const op4 = hessianOperator(o4, new Float64Array(n), { rtol: 1e-12, maxit: 10 });
  minresQlp(op4.apply, b, { rtol: 1e-12, maxit: 10 });
  assert.equal(op4.provenance, 'hvp');
});

test('GRADFLAT_HESSIAN_OPERATOR is checked; symmetricMatvec is H·v', () => {
  const saved = process.env.GRADFLAT_HESSIAN_OPERATOR;
  try {
    process.env.GRADFLAT_HESSIAN_OPERATOR = 'fast';
    assert.throws(() => hessianOperatorModeFromEnv(), /'auto', 'hvp' or 'dense'/);
    process.env.GRADFLAT_HESSIAN_OPERATOR = 'hvp';
    assert.equal(hessianOperatorModeFromEnv(), 'hvp');
  } finally {
    if (saved === undefined) delete process.env.GRADFLAT_HESSIAN_OPERATOR; else process.env.GRADFLAT_HESSIAN_OPERATOR = saved;
  }
  const n = 7;
  const A = spreadMatrix(n, 3);
  const v = randomVec(n, seededNormal(4));
  const out = new Float64Array(n);
  symmetricMatvec(A, n, v, out);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j] * v[j];
    assert.ok(Math.abs(out[i] - s) <= 1e-12 * Math.max(1, Math.abs(s)));
  }
});

test('newtonDirection through a NewtonSolveWorkspace: the same bits as fresh buffers, p is the workspace buffer, no n-vector allocated', () => {
  const spec = { layers: [3, 4, 2], hiddenActivation: 'tanh', biases: true, loss: 'mse', l2: 1e-3 } as const;
  const normal = seededNormal(21);
  const mlp = new MlpOracle({ ...spec, layers: [...spec.layers] }, randomMlpData({ ...spec, layers: [...spec.layers] }, 20, normal), typescriptKernels, { threads: 1 });
  const n = mlp.dim;
  const ws = new NewtonSolveWorkspace(n);
  for (const [k, settings] of [{ rtol: 1e-10, maxit: n }, { rtol: 0.5, maxit: 3 }, { rtol: 1e-10, maxit: n, solver: 'minres-qlp-reorth' as const }].entries()) {
    const theta = randomVec(n, normal, 0.7);
    const g = mlp.gradient(theta).gradient;
    const fresh = newtonDirection(mlp, theta, g, settings);
    const reused = newtonDirection(mlp, theta, g, { ...settings, workspace: ws });
    assert.equal(reused.p, ws.minres.x);
    assert.deepEqual(Array.from(reused.p), Array.from(fresh.p), `settings ${k}`); // strict: Object.is per entry
    assert.deepEqual(reused.metrics, fresh.metrics, `settings ${k}`);
  }
  assert.throws(() => newtonDirection(mlp, new Float64Array(n), new Float64Array(n + 1), { workspace: ws }), /workspace of order/);
  // Allocation count on an operator that works in place (a fixed matrix, HVPs).
  const m = 30;
  const oracle = matrixOracle(spreadMatrix(m, 7), m, false);
  const g = randomVec(m, seededNormal(8));
  const mws = new NewtonSolveWorkspace(m);
  newtonDirection(oracle, new Float64Array(m), g, { rtol: 1e-8, workspace: mws });
  const theta0 = new Float64Array(m);
  const reusedMade = float64ArraysMade(m, () => newtonDirection(oracle, theta0, g, { rtol: 1e-8, workspace: mws }));
  const freshMade = float64ArraysMade(m, () => newtonDirection(oracle, theta0, g, { rtol: 1e-8 }));
  assert.equal(freshMade, 10, 'eight in MINRES-QLP, −g and the operator\'s θ');
  assert.equal(reusedMade, 0);
});
