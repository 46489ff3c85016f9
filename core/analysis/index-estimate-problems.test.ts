/**
 * Validation of the lanczos-slq estimator against the dense spectrum on every built-in problem
 * within the dense limit (small sample counts keep it fast): the dense count lies in the 95%
 * interval in ≥ 95% of cases over seeds and points, and the extremal Ritz values agree with the
 * dense extremes to their residual bound (stated tolerance: |θ − λ| ≤ ρ + 1e-9·‖H‖₂).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { buildProblem, type ProblemConfig } from '../registry/catalog.js';
import { Rng } from '../random/rng.js';
import { estimateIndex, hvpOperator } from './index-estimate.js';
import { morseIndex, spectrumOf } from './spectrum.js';
import { denseHessian } from '../oracle/dense-hessian.js';
import { registerBuiltins } from '../../builtins.js';

// buildProblem without a registry uses the default one: give it the built-in problems.
registerBuiltins();

const FAST = { lanczosSteps: 40, slqSteps: 30 };

interface Case { problem: string; point: number; cutoff: number; dense: number; lo: number; hi: number; rho: number }

function validate(cfg: ProblemConfig, points: number, extra: (p: ReturnType<typeof buildProblem>) => Float64Array[] = () => []): Case[] {
  const p = buildProblem(cfg, typescriptKernels);
  try {
    const n = p.oracle.dim;
    const thetas = [...p.startingPoints(points, new Rng(cfg.seed + 10)), ...extra(p)];
    const cases: Case[] = [];
    thetas.forEach((theta, i) => {
      const spec = spectrumOf(denseHessian(p.oracle, theta), n, typescriptKernels);
      const ev = spec.eigenvalues;
      const cutoff = i % 2 === 0 ? 1e-5 : 1e-3;
      const est = estimateIndex(hvpOperator(p.oracle, theta), n, cutoff, { ...FAST, seed: 100 * cfg.seed + i });
      const dense = morseIndex(ev, cutoff).negativeCount;
      cases.push({ problem: cfg.name, point: i, cutoff, dense, lo: est.countInterval[0], hi: est.countInterval[1], rho: Math.max(est.smallest[0].residual, est.largest[0].residual) });
      const tol = 1e-9 * spec.spectralNorm;
      assert.ok(Math.abs(est.smallest[0].value - ev[0]) <= est.smallest[0].residual + tol, `${cfg.name} point ${i}: λ_min ${ev[0]} vs Ritz ${est.smallest[0].value} ± ${est.smallest[0].residual}`);
      assert.ok(Math.abs(est.largest[0].value - ev[n - 1]) <= est.largest[0].residual + tol, `${cfg.name} point ${i}: λ_max ${ev[n - 1]} vs Ritz ${est.largest[0].value} ± ${est.largest[0].residual}`);
      assert.ok(est.exactNegatives <= dense, 'counted-exactly negatives are real');
    });
    return cases;
  } finally {
    p.oracle.dispose?.();
  }
}

test('lanczos-slq against the dense index on quartic, linear-ae (incl. analytic saddles), swish-ae and an MNIST MLP', () => {
  const cases: Case[] = [
    ...validate({ name: 'quartic', seed: 1, grid: 3 }, 9),
    // The analytic critical points: exact zero clusters (GL(4) symmetry) and repeated negatives.
    ...validate({ name: 'linear-ae', seed: 1, samples: 200, starts: { trainings: 2, steps: 40 } }, 6, (p) => p.truth!(1e-5).filter((_, i) => i % 97 === 5).slice(0, 6).map((t) => t.theta!)),
    ...validate({ name: 'linear-ae', seed: 2, samples: 200, starts: { trainings: 2, steps: 40 } }, 4),
    ...validate({ name: 'swish-ae', seed: 1, samples: 60, starts: { trainings: 2, steps: 40 } }, 8),
    ...validate({ name: 'mnist-classifier', seed: 1, samples: 60, starts: { trainings: 2, steps: 20 } }, 8),
  ];
  if (process.env.GRADFLAT_SHOW_CASES) console.log(cases.map((c) => `${c.problem} ${c.point} ${c.cutoff} dense ${c.dense} [${c.lo}, ${c.hi}] ρ ${c.rho.toExponential(1)}`).join("\n"));
  const missed = cases.filter((c) => c.dense < c.lo || c.dense > c.hi);
  assert.ok(cases.length >= 40, `${cases.length} cases`);
  assert.ok(missed.length <= 0.05 * cases.length, `dense index outside the interval in ${missed.length}/${cases.length}: ${JSON.stringify(missed)}`);
  // The quartic (n = 2) is resolved exactly.
  for (const c of cases.filter((x) => x.problem === 'quartic')) assert.equal(c.lo, c.hi);
});
