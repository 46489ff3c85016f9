/**
 * MinresQlpWorkspace: a solve through a reused workspace must be bit-for-bit the solve through a
 * fresh one, whatever the earlier solves left in it (another matrix, a shift, the QLP phase,
 * reorthogonalisation, a NaN-producing operator), and must not allocate an n-vector.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../random/rng.js';
import { combination, spectralMatrix } from '../testing/spectral-matrices.js';
import { denseMatVec } from './exact-newton.js';
import { MINRES_QLP_EXITS, minresQlp, MinresQlpWorkspace, type MinresQlpOptions, type MinresQlpResult } from './minres-qlp.js';
import { float64ArraysMade } from '../testing/allocations.js';

type Apply = (v: Float64Array, out: Float64Array) => void;
interface Case { name: string; apply: Apply; b: Float64Array; options: MinresQlpOptions }

const n = 40;

function cases(): Case[] {
  const rng = new Rng(11);
  const indefinite = spectralMatrix(Array.from({ length: n }, (_, i) => (i % 3 ? 1 : -1) * (1 + i)), 1);
  // Singular (five zero eigenvalues) and b with a component in the null space: incompatible.
  const singular = spectralMatrix(Array.from({ length: n }, (_, i) => (i < 5 ? 0 : (i % 2 ? -1 : 1) * 10 ** (4 * i / n))), 2);
  const spread = spectralMatrix(Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1) * 10 ** (-8 * i / (n - 1))), 3);
  const mat = (m: { a: Float64Array; n: number }): Apply => (v, out) => { denseMatVec(m.a, m.n, v, out); };
  let calls = 0;
  const breaking: Apply = (v, out) => { denseMatVec(indefinite.a, n, v, out); if (++calls > 3) out[7] = NaN; };
  return [
    { name: 'indefinite (MINRES phase)', apply: mat(indefinite), b: combination(indefinite, () => rng.normal()), options: { rtol: 1e-12 } },
    { name: 'singular incompatible, small maxxnorm', apply: mat(singular), b: combination(singular, () => rng.normal()), options: { rtol: 1e-12, maxit: 4 * n, maxxnorm: 1e2 } },
    { name: 'shifted, QLP from the first iteration', apply: mat(indefinite), b: combination(indefinite, () => rng.normal()), options: { rtol: 1e-10, shift: 2.5, trancond: 1 } },
    { name: 'ill-conditioned, reorthogonalised', apply: mat(spread), b: combination(spread, () => rng.normal()), options: { rtol: 1e-14, reorthogonalize: true } },
    { name: 'short reorthogonalised solve', apply: mat(spread), b: combination(spread, () => rng.normal()), options: { maxit: 5, reorthogonalize: true } },
    { name: 'operator turns NaN', apply: (v, out) => breaking(v, out), b: combination(indefinite, () => rng.normal()), options: { rtol: 1e-12 } },
    { name: 'b = 0', apply: mat(indefinite), b: new Float64Array(n), options: {} },
  ];
}

const bytes = (x: Float64Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);

function assertSameBits(got: MinresQlpResult, want: MinresQlpResult, what: string): void {
  assert.ok(bytes(got.x).equals(bytes(want.x)), `${what}: x differs`);
  for (const k of Object.keys(want) as Array<keyof MinresQlpResult>) {
    if (k !== 'x') assert.ok(Object.is(got[k], want[k]), `${what}: ${k} = ${got[k]}, fresh ${want[k]}`);
  }
}

/** The operator of the NaN case counts its calls: give each solve a fresh copy of the case list. */
function freshResult(i: number): MinresQlpResult {
  const c = cases()[i];
  return minresQlp(c.apply, c.b, c.options);
}

test('solves through one workspace, in either order, equal fresh solves bit for bit', () => {
  const count = cases().length;
  // The cases reach what they are named for.
  const exits = cases().map((_, i) => freshResult(i));
  assert.deepEqual(exits.map((r) => r.exit).filter((e) => e === 'nan-or-inf' || e === 'b-zero'), ['nan-or-inf', 'b-zero']);
  assert.ok(exits[1].qlpIterations > 0 && exits[2].qlpIterations > 0 && exits[0].qlpIterations === 0);
  const ws = new MinresQlpWorkspace(n);
  for (const order of [[...Array(count).keys()], [...Array(count).keys()].reverse(), [3, 4, 3, 5, 0, 1, 1]]) {
    for (const i of order) {
      const c = cases()[i];
      const got = minresQlp(c.apply, c.b, c.options, ws);
      assert.equal(got.x, ws.x, 'the solution is the workspace buffer');
      assertSameBits(got, freshResult(i), c.name);
    }
  }
});

test('a solve through a reused workspace allocates no Float64Array of length n; a fresh one allocates eight', () => {
  // Case 1 reaches the QLP phase; case 3 reorthogonalises (its stored Lanczos vectors are kept
  // by the workspace, so only a solve longer than every earlier one adds any).
  for (const i of [1, 3]) {
    const c = cases()[i];
    const ws = new MinresQlpWorkspace(n);
    const buffers = [ws.x, ws.v, ...ws.r, ws.w, ws.wl, ws.xl2];
    const first = minresQlp(c.apply, c.b, c.options, ws);
    const reused = float64ArraysMade(n, () => minresQlp(c.apply, c.b, c.options, ws));
    const fresh = float64ArraysMade(n, () => minresQlp(c.apply, c.b, c.options));
    const basis = c.options.reorthogonalize ? first.iterations + 1 : 0; // one stored v per Lanczos step
    assert.equal(fresh, 8 + basis, `${c.name}: the counter sees the allocations of a workspace-less solve`);
    assert.equal(reused, 0, c.name);
    assert.deepEqual([ws.x, ws.v, ...ws.r, ws.w, ws.wl, ws.xl2].map((b) => buffers.indexOf(b)), [0, 1, 2, 3, 4, 5, 6, 7]);
  }
});

test('a workspace of another order, or b in its own buffers, is refused; ofOrder keeps a fitting one and replaces the rest', () => {
  const ws = new MinresQlpWorkspace(n);
  assert.throws(() => minresQlp((v, out) => { out.set(v); }, new Float64Array(n + 1).fill(1), {}, ws), /workspace of order 40 cannot solve a system of order 41/);
  assert.throws(() => minresQlp((v, out) => { out.set(v); }, ws.x, {}, ws), /b must not be a buffer of the workspace/);
  assert.equal(MinresQlpWorkspace.ofOrder(ws, n), ws);
  assert.equal(MinresQlpWorkspace.ofOrder(ws, 3).n, 3);
  assert.equal(MinresQlpWorkspace.ofOrder(undefined, 3).n, 3);
  assert.throws(() => new MinresQlpWorkspace(-1), RangeError);
});

test('solved and inconsistent follow the exit: a compatible solve is solved, diag(1,2,3,0)x = 1 is inconsistent', () => {
  const diag = (d: number[]): Apply => (v, out) => { for (let i = 0; i < d.length; i++) out[i] = d[i] * v[i]; };
  const ok = minresQlp(diag([1, 2, 3, 4]), Float64Array.of(1, 1, 1, 1), { rtol: 1e-12 });
  assert.equal(ok.exit, 'rtol');
  assert.deepEqual([ok.solved, ok.inconsistent], [true, false]);
  // Krylov.jl's example: the minimum-length least-squares solution is (1, 1, 1, 0).
  const ls = minresQlp(diag([1, 2, 3, 0]), Float64Array.of(1, 2, 3, 4), { rtol: 1e-12 });
  assert.deepEqual(Array.from(ls.x, (v) => Math.round(v * 1e9) / 1e9 + 0), [1, 1, 1, 0]); // + 0: −0 → 0
  assert.equal(ls.exit, 'rtol-least-squares');
  assert.deepEqual([ls.solved, ls.inconsistent], [false, true]);
  for (const [exit, info] of Object.entries(MINRES_QLP_EXITS)) {
    assert.ok(!(info.solved && info.inconsistent), `${exit}: not both solved and inconsistent`);
  }
});
