/**
 * MINRES-QLP: minimum-length solution of a symmetric, possibly indefinite or singular system
 *
 *     (A − shift·I) x = b      or, when it is incompatible,      min ‖x‖ over argmin ‖b − (A − shift·I) x‖.
 *
 * S.-C. T. Choi, C. C. Paige and M. A. Saunders, "MINRES-QLP: a Krylov subspace method for
 * indefinite or singular symmetric systems", SIAM J. Sci. Comput. 33(4), 1810–1836 (2011);
 * S.-C. T. Choi and M. A. Saunders, "Algorithm 937", ACM TOMS 40(2) (2014).
 * This is a fresh, matrix-free, unpreconditioned TypeScript implementation that follows the
 * authors' MATLAB minresQLP.m (defaults, estimates, stopping tests, flags) step by step:
 *
 *  1. Lanczos: A V_k = V_{k+1} T_{k+1,k}, one `apply` per iteration.
 *  2. Left reflectors Q_k: Q_k T_{k+1,k} = [R_k; 0], giving τ_k, φ_k = ‖r_k‖ (MINRES).
 *  3. Right reflectors P_k: R_k P_k = L_k (lower triangular), so T_{k+1,k} = Q_kᵀ [L_k; 0] P_kᵀ —
 *     the QLP decomposition, whose last diagonal |γ_k| reveals a small singular value of T_k.
 *     x_k = W_k u_k with W_k = V_k P_k and L_k u_k = t_k; if γ_k is numerically zero (or u_k
 *     would push ‖x‖ past maxxnorm) u_k is set to 0, i.e. the null-space component is dropped
 *     — that truncation is what yields the minimum-length least-squares solution.
 *  4. MINRES phase / QLP phase: while the running estimate Acond < trancond the cheaper
 *     MINRES update x_k = x_{k−1} + τ_k w_k (w from R_k) is used; at the first iteration that
 *     is not the case the last MINRES directions are converted into QLP directions
 *     (W^QLP = W^MINRES · L) and the solver continues with QLP updates to the end.
 *
 * Deliberate differences from minresQLP.m, each taken from the authors' Fortran 90 release
 * (TOMS 937, minresqlpModule.f90):
 *  - The phase test in minresQLP.m reads `Acond < TranCond && flag ~= flag0 && QLPiter == 0`,
 *    which (flag0 being "no flag yet") disables the MINRES phase altogether; we use
 *    `flag == flag0`, so `trancond` means what the paper says (trancond = 1 → QLP from the first
 *    iteration; trancond ≥ acondlim → MINRES throughout, apart from the forced switch at an
 *    iteration that raises flag 6 or 9, as in the reference).
 *  - γ_k counts as zero when |γ_k| ≤ eps·‖T‖ (Fortran: |γ_k| ≤ eps; MATLAB: ≤ realmin). A γ_k at
 *    rounding level is noise, and dividing by it would make x blow up; the reference then
 *    usually ends with flag 6 instead of 9 but returns the same x.
 *  - pnorm (the ‖T e_k‖ part of Anorm) uses (β_k, α_k, β_{k+1}); the MATLAB file's
 *    (β_{k−1}, α_k, β_{k+1}) mixes two columns and can overestimate ‖A‖.
 *
 * Singular incompatible systems. While T_k is nonsingular the iterate equals the MINRES iterate
 * (in exact arithmetic) and so carries a null-space component; the minimum-length solution
 * appears when the null direction is detected — |γ_k| at rounding level (flag 9) or u_k pushing
 * ‖x‖ past maxxnorm (flag 6) — and u_k is dropped. Those two flags, and flag 2 when the
 * least-squares test fires first, are the normal ways such a solve ends; a small maxxnorm
 * (minresQLP.m's examples use 1e2) makes the detection earlier. If relAres ≤ rtol fires before
 * any detection, x is a least-squares solution but need not be the minimum-length one.
 *
 * Exit reasons (minresQLP.m FLAG → `exit`):
 *   −1 'b-eigenvector'           β₂ = 0 and α₁ ≠ 0: A b = α₁ b, so x = b/α₁ exactly.
 *    0 'b-zero'                   ‖b‖ = 0: x = 0 (no `apply` is made).
 *    0 'x-zero-is-solution'       β₂ = 0 and α₁ = 0: A b = 0, x = 0 is the min-length LS solution.
 *    1 'rtol'                     relres ≤ rtol: x solves the compatible system.
 *    2 'rtol-least-squares'       relAres ≤ rtol: x is a least-squares solution (incompatible system).
 *    3 'eps'                      relres at machine precision (1 + relres ≤ 1).
 *    4 'eps-least-squares'        relAres at machine precision (1 + relAres ≤ 1).
 *    5 'x-eigenvector'            ‖A‖‖x‖·eps ≥ ‖b‖: x has (numerically) converged to a null vector.
 *    6 'xnorm-exceeds-maxxnorm'   ‖x‖ reached maxxnorm (the offending component was not added).
 *    7 'acond-exceeds-acondlim'   Acond ≥ acondlim.
 *    8 'maxit'                    maxit iterations done (also maxit ≤ 0: x = 0).
 *    9 'singular-system'          γ_k numerically zero: T_k singular, u_k set to 0 (x is the
 *                                 minimum-length solution of the current subproblem); the
 *                                 reference's "least-squares problem but no converged solution yet".
 *    — 'nan-or-inf'               `apply` (or b) produced a non-finite value; x is the last
 *                                 finite iterate and no further `apply` is made.
 * When several tests fire in one iteration the reference's priority is kept:
 * 1 > 2 > 3 > 4 > 5 > 6 > 7 > 8 > 9. Tests 2 and 4 use relAres of the previous iterate (the
 * recurrence for ‖A r_{k−1}‖ needs step k), so, as in the reference, on exits 2, 4, 6, 7 the
 * reported `iterations` is one less than the number of Lanczos steps and Acond is the previous
 * one; x is the latest iterate.
 *
 * Returned estimates are those of minresQLP.m: Anorm = max over k of ‖T e_k‖ and |γ| entries of
 * L (a monotone lower estimate of ‖A − shift·I‖₂), Acond = Anorm / min|γ|. After the loop the
 * reference recomputes r = b − (A − shift·I)x and (A − shift·I)r directly (two extra `apply`
 * calls per solve, none per iteration), so
 *     rnorm = ‖r‖, Arnorm = ‖(A − shift·I) r‖, xnorm = ‖x‖,
 *     relres  = rnorm  / (Anorm·xnorm + ‖b‖),
 *     relAres = Arnorm / (Anorm·rnorm)        (0 when rnorm ≤ realmin or Arnorm = 0).
 * Exceptions: 'b-zero' returns zero norms (Acond = 1, the reference's initial value);
 * 'nan-or-inf' returns the recurrences of the last finite iteration (rnorm = φ, Arnorm and
 * relAres lag one more step; NaN if no iteration was completed).
 *
 * Cost: one `apply` and four fused O(n) passes per iteration; eight n-vectors (x, v, three
 * Lanczos residuals, two directions w, and x's frozen part xl2). They live in a
 * MinresQlpWorkspace, which a caller that solves repeatedly (a stepper, a probe) keeps and passes
 * in, as Krylov.jl's MinresQlpWorkspace: a solve through it then allocates no n-vector, and the
 * returned x is the workspace's buffer, overwritten by the next solve. Without one, each call
 * makes a temporary workspace. Every buffer a solve reads before writing is zeroed at its start,
 * so a reused workspace gives bit-for-bit the result of a fresh one.
 * With `reorthogonalize` (gradflat's option, not in the reference): plus one stored n-vector and
 * 4·n·k flops per iteration k — O(n·k) memory and O(n·k²) flops in all (the stored vectors are
 * kept in the workspace and reused by later solves).
 */

import { norm2 } from './vector.js';

export interface MinresQlpOptions {
  /** Relative tolerance for relres and relAres (default 1e-6, as minresQLP.m). */
  rtol?: number;
  /** Iteration limit (default n = b.length, as minresQLP.m). */
  maxit?: number;
  /** Upper bound on ‖x‖ (default 1e7). */
  maxxnorm?: number;
  /** Upper bound on the estimate of cond(A − shift·I) (default 1e15). */
  acondlim?: number;
  /** Switch from MINRES to QLP updates once Acond ≥ trancond (default 1e7). */
  trancond?: number;
  /** Solve (A − shift·I) x = b (default 0). */
  shift?: number;
  /**
   * Full Lanczos reorthogonalisation (default false, the paper's algorithm): keep every Lanczos
   * vector v_1..v_k and orthogonalise each new one against all of them twice (classical
   * Gram–Schmidt twice, "twice is enough": Giraud, Langou & Rozložník 2005). In exact arithmetic
   * the iterates are unchanged; in floating point the basis stays orthogonal to O(eps), so k = n
   * steps span the whole space. Costs O(n·k) memory (k n-vectors) and O(n·k²) flops over k
   * iterations (4nk per iteration), on top of the k `apply` calls.
   */
  reorthogonalize?: boolean;
}

export type MinresQlpExit =
  | 'b-zero'
  | 'x-zero-is-solution'
  | 'b-eigenvector'
  | 'rtol'
  | 'rtol-least-squares'
  | 'eps'
  | 'eps-least-squares'
  | 'x-eigenvector'
  | 'xnorm-exceeds-maxxnorm'
  | 'acond-exceeds-acondlim'
  | 'maxit'
  | 'singular-system'
  | 'nan-or-inf';

/**
 * What an exit says about x, in the terms of Krylov.jl's SimpleStats: `solved` — x solves the
 * compatible system to the tolerance or exactly (relres test); `inconsistent` — the system was
 * found incompatible and x is a least-squares solution (relAres test, or A b = 0). Neither holds
 * for the exits that stop on a limit or a detection without convergence (5–9, 'nan-or-inf').
 * `flag` is minresQLP.m's FLAG (the reference gives 'x-zero-is-solution' its 0; 'nan-or-inf'
 * has none).
 */
export interface MinresQlpExitInfo {
  readonly flag: number | null;
  readonly solved: boolean;
  readonly inconsistent: boolean;
}

const exitInfo = (flag: number | null, solved: boolean, inconsistent: boolean): MinresQlpExitInfo => Object.freeze({ flag, solved, inconsistent });

/** Every exit with its flag and meaning (see the table at the top of this file). */
export const MINRES_QLP_EXITS: { readonly [E in MinresQlpExit]: MinresQlpExitInfo } = Object.freeze({
  'b-eigenvector': exitInfo(-1, true, false),
  'b-zero': exitInfo(0, true, false),
  'x-zero-is-solution': exitInfo(0, false, true),
  'rtol': exitInfo(1, true, false),
  'rtol-least-squares': exitInfo(2, false, true),
  'eps': exitInfo(3, true, false),
  'eps-least-squares': exitInfo(4, false, true),
  'x-eigenvector': exitInfo(5, false, false),
  'xnorm-exceeds-maxxnorm': exitInfo(6, false, false),
  'acond-exceeds-acondlim': exitInfo(7, false, false),
  'maxit': exitInfo(8, false, false),
  'singular-system': exitInfo(9, false, false),
  'nan-or-inf': exitInfo(null, false, false),
});

export interface MinresQlpResult {
  /** The solution; with a workspace, its buffer (overwritten by the workspace's next solve). */
  x: Float64Array;
  exit: MinresQlpExit;
  /** MINRES_QLP_EXITS[exit].solved and .inconsistent, as Krylov.jl's SimpleStats. */
  solved: boolean;
  inconsistent: boolean;
  iterations: number;
  /** Estimates, as in minresQLP.m: */
  Anorm: number; // running estimate of ‖A − shift·I‖ (a lower estimate of ‖A − shift·I‖₂)
  Acond: number; // estimate of cond(A − shift·I)
  xnorm: number; // ‖x‖
  rnorm: number; // ‖b − (A − shift·I)x‖
  Arnorm: number; // ‖(A − shift·I)(b − (A − shift·I)x)‖
  relres: number; // rnorm / (Anorm·xnorm + ‖b‖)
  relAres: number; // Arnorm / (Anorm·rnorm)
  /** Number of QLP-phase iterations (0 if the solver stayed in the MINRES phase). */
  qlpIterations: number;
}

const EPS = Number.EPSILON; // MATLAB eps
const REALMIN = 2.2250738585072014e-308; // MATLAB realmin (smallest normal double)

// Internal flags: the reference's numbers, plus two of our own.
const FLAG0 = -2; // still iterating
const NONFINITE = -3;
const XZERO = 10; // the flag-0 case "A b = 0" (the reference reuses 0 for it)

const EXIT_OF_FLAG: Record<number, MinresQlpExit> = {
  [-1]: 'b-eigenvector',
  0: 'b-zero',
  [XZERO]: 'x-zero-is-solution',
  1: 'rtol',
  2: 'rtol-least-squares',
  3: 'eps',
  4: 'eps-least-squares',
  5: 'x-eigenvector',
  6: 'xnorm-exceeds-maxxnorm',
  7: 'acond-exceeds-acondlim',
  8: 'maxit',
  9: 'singular-system',
  [NONFINITE]: 'nan-or-inf',
  [FLAG0]: 'maxit', // loop never entered (maxit ≤ 0)
};

/**
 * The n-vectors of a solve of order n, kept by a caller across solves (see "Cost" above). Each
 * solve overwrites them all, x included; a workspace serves one solve at a time.
 */
export class MinresQlpWorkspace {
  readonly x: Float64Array;
  readonly v: Float64Array;
  /** The three Lanczos residuals; a solve rotates them by reference, so their roles change. */
  readonly r: readonly [Float64Array, Float64Array, Float64Array];
  readonly w: Float64Array;
  readonly wl: Float64Array;
  readonly xl2: Float64Array;
  readonly refl = new Float64Array(3);
  /** `reorthogonalize`: stored Lanczos vectors (grown on demand, reused) and their coefficients. */
  readonly basis: Float64Array[] = [];
  coefficients = new Float64Array(0);

  constructor(readonly n: number) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`MinresQlpWorkspace: order must be a non-negative integer, got ${n}`);
    this.x = new Float64Array(n);
    this.v = new Float64Array(n);
    this.r = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    this.w = new Float64Array(n);
    this.wl = new Float64Array(n);
    this.xl2 = new Float64Array(n);
  }

  /** `ws` when it has order n, else a new workspace of order n (for callers whose n may change). */
  static ofOrder(ws: MinresQlpWorkspace | undefined, n: number): MinresQlpWorkspace {
    return ws !== undefined && ws.n === n ? ws : new MinresQlpWorkspace(n);
  }

  /** Whether `a` is (a view of) one of the n-vectors, e.g. x of an earlier solve passed back as b. */
  ownsMemoryOf(a: Float64Array): boolean {
    const m = a.buffer;
    return m === this.x.buffer || m === this.v.buffer || m === this.r[0].buffer || m === this.r[1].buffer || m === this.r[2].buffer ||
      m === this.w.buffer || m === this.wl.buffer || m === this.xl2.buffer;
  }
}

/**
 * Stable 2×2 reflector (SymOrtho): [c s; s −c]·[a; b] = [r; 0] with r = ‖(a, b)‖ ≥ 0.
 * Writes c, s, r into out[0..2] so the hot loop does not allocate.
 */
function symOrtho(a: number, b: number, out: Float64Array): void {
  const absa = Math.abs(a);
  const absb = Math.abs(b);
  if (b === 0) {
    out[0] = a === 0 ? 1 : Math.sign(a);
    out[1] = 0;
    out[2] = absa;
  } else if (a === 0) {
    out[0] = 0;
    out[1] = Math.sign(b);
    out[2] = absb;
  } else if (absb > absa) {
    const t = a / b;
    const s = Math.sign(b) / Math.sqrt(1 + t * t);
    out[0] = s * t;
    out[1] = s;
    out[2] = b / s; // better than a / c since |c| ≤ |s|
  } else {
    const t = b / a;
    const c = Math.sign(a) / Math.sqrt(1 + t * t);
    out[0] = c;
    out[1] = c * t;
    out[2] = a / c;
  }
}

/** ‖y‖ from Σy², falling back to the scaled norm2 when the plain sum under/overflows. */
function normFromSumSq(ss: number, y: Float64Array): number {
  const r = Math.sqrt(ss);
  return r > 1e-150 && r < 1e150 ? r : norm2(y);
}

/**
 * Classical Gram–Schmidt twice: r ← (I − VVᵀ)² r for the orthonormal rows V = basis[0..k);
 * c holds at least k coefficients. Returns Σr² of the result. (The three-term recurrence has
 * already removed v_k and v_{k−1} in exact arithmetic; this removes what round-off left along
 * every earlier v_j.)
 */
function reorthogonalize(basis: Float64Array[], k: number, r: Float64Array, c: Float64Array): number {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < k; j++) {
      const vj = basis[j];
      let s = 0;
      for (let i = 0; i < r.length; i++) s += vj[i] * r[i];
      c[j] = s;
    }
    for (let j = 0; j < k; j++) {
      const vj = basis[j];
      const cj = c[j];
      for (let i = 0; i < r.length; i++) r[i] -= cj * vj[i];
    }
  }
  let ss = 0;
  for (let i = 0; i < r.length; i++) ss += r[i] * r[i];
  return ss;
}

/**
 * Solve (A − shift·I) x = b, or find the minimum-length least-squares solution when A − shift·I
 * is singular and b is not in its range. `apply(v, out)` must set out ← A·v for a symmetric A.
 */
export function minresQlp(
  apply: (v: Float64Array, out: Float64Array) => void,
  b: Float64Array,
  options: MinresQlpOptions = {},
  workspace?: MinresQlpWorkspace,
): MinresQlpResult {
  const n = b.length;
  if (workspace !== undefined && workspace.n !== n) {
    throw new RangeError(`minresQlp: workspace of order ${workspace.n} cannot solve a system of order ${n} (MinresQlpWorkspace.ofOrder makes one that fits)`);
  }
  const ws = workspace ?? new MinresQlpWorkspace(n);
  if (workspace !== undefined && workspace.ownsMemoryOf(b)) throw new RangeError('minresQlp: b must not be a buffer of the workspace it is solved in (the solve overwrites them)');
  const rtol = options.rtol ?? 1e-6;
  const maxit = options.maxit ?? n;
  const maxxnorm = options.maxxnorm ?? 1e7;
  const acondlim = options.acondlim ?? 1e15;
  const trancond = options.trancond ?? 1e7;
  const shift = options.shift ?? 0;

  const x = ws.x.fill(0);
  const beta1 = norm2(b);
  if (beta1 === 0) {
    return {
      x, exit: 'b-zero', ...solvedInconsistent('b-zero'), iterations: 0, Anorm: 0, Acond: 1, xnorm: 0,
      rnorm: 0, Arnorm: 0, relres: 0, relAres: 0, qlpIterations: 0,
    };
  }

  // Work vectors, from the workspace, in the state a fresh allocation would have. r1, r2, r3 hold
  // β_{k−1}v_{k−1}, β_k v_k and the new residual of the three-term recurrence; they rotate by
  // reference, never by copy.
  const v = ws.v; // written before it is read
  let r1 = ws.r[0].fill(0);
  let r2 = ws.r[1];
  r2.set(b);
  let r3 = ws.r[2].fill(0);
  const w = ws.w.fill(0); // w_k   (MINRES: column of V R⁻¹; QLP: column of V P)
  const wl = ws.wl.fill(0); // w_{k−1}
  const xl2 = ws.xl2.fill(0); // QLP: the part of x along w_1..w_{k−3}, which no longer changes
  const refl = ws.refl; // symOrtho output, written before it is read
  // Lanczos basis for the reorthogonalising variant (one more n-vector per iteration; its first
  // `basisLength` entries are this solve's, later ones are left over from earlier solves).
  const basis: Float64Array[] | undefined = options.reorthogonalize ? ws.basis : undefined;
  let basisLength = 0;

  let flag = Number.isFinite(beta1) ? FLAG0 : NONFINITE;
  let iter = 0;
  let qlpIter = 0;

  // Lanczos
  let beta = 0;
  let betan = beta1;
  let alfa = 0;
  // Left reflector Q_{k−1,k} and the entries it produces.
  let cs = -1, sn = 0;
  let dltan = 0; // δ̄_{k+1}
  let eplnn = 0; // ε_{k+1}
  let tau = 0, taul = 0, taul2 = 0; // τ_k, τ_{k−1}, τ_{k−2}: (Q_k β₁e₁)
  let phi = beta1; // φ_k = ‖r_k‖ (MINRES residual norm)
  // Right reflectors P_{k−2,k} (cr2, sr2) and P_{k−1,k} (cr1, sr1) and the entries of L_k.
  let cr1 = -1, sr1 = 0, cr2 = -1, sr2 = 0;
  let gama = 0, gamal = 0, gamal2 = 0; // γ_k, γ_{k−1}, γ_{k−2} (diagonal of L)
  let eta = 0, etal = 0, etal2 = 0; // η: second subdiagonal of L
  let vepln = 0, veplnl = 0, veplnl2 = 0; // ϑ: first subdiagonal of L
  // Solution coordinates u (L_k u_k = t_k) and norms.
  let ul3 = 0, ul2 = 0, ul = 0, u = 0;
  let xnorm = 0, xl2norm = 0;
  let rnorm = beta1, rnorml = beta1;
  let Anorm = 0, Acond = 1, Acondl = 1;
  let gmin = 0, gminl = 0;
  let relres = 1, relresl = 1;
  let relAresl = NaN, Arnorml = NaN; // for the previous iterate; set from the first iteration on
  // Saved at the end of each iteration for a MINRES → QLP transfer at the next one.
  let gamaQLP = 0, gamalQLP = 0, veplnQLP = 0, ulQLP = 0, uQLP = 0;

  while (flag === FLAG0 && iter < maxit) {
    // ---- Lanczos step: β_{k+1} v_{k+1} = (A − shift·I) v_k − α_k v_k − β_k v_{k−1}
    iter++;
    const betal = beta;
    beta = betan;
    const invBeta = 1 / beta;
    for (let i = 0; i < n; i++) v[i] = r2[i] * invBeta;
    apply(v, r3);
    const bRatio = iter > 1 ? beta / betal : 0;
    let dotAv = 0;
    for (let i = 0; i < n; i++) {
      const t = r3[i] - shift * v[i] - bRatio * r1[i];
      r3[i] = t;
      dotAv += t * v[i];
    }
    alfa = dotAv;
    const aRatio = alfa / beta;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const t = r3[i] - aRatio * r2[i];
      r3[i] = t;
      ss += t * t;
    }
    if (basis) {
      if (basisLength < basis.length) basis[basisLength].set(v);
      else basis.push(Float64Array.from(v));
      basisLength++;
      if (ws.coefficients.length < basisLength) ws.coefficients = new Float64Array(Math.max(basisLength, 2 * ws.coefficients.length));
      ss = reorthogonalize(basis, basisLength, r3, ws.coefficients);
    }
    const tmp = r1;
    r1 = r2;
    r2 = r3;
    r3 = tmp;
    betan = normFromSumSq(ss, r2);
    if (!Number.isFinite(alfa) || !Number.isFinite(betan)) {
      // A returned Inf/NaN: nothing of this step has touched x yet.
      iter--;
      flag = NONFINITE;
      break;
    }
    if (iter === 1 && betan === 0) {
      // Krylov space is one-dimensional: A b = α₁ b.
      if (alfa === 0) {
        flag = XZERO;
      } else {
        flag = -1;
        for (let i = 0; i < n; i++) x[i] = b[i] / alfa;
      }
      Anorm = Math.abs(alfa);
      break;
    }
    // ‖T_{k+1,k} e_k‖ = ‖(β_k, α_k, β_{k+1})‖ ≤ ‖A‖ (β₁ is not part of T).
    const pnorm = iter === 1 ? Math.hypot(alfa, betan) : Math.hypot(beta, alfa, betan);

    // ---- Previous left reflection Q_{k−1,k} applied to column k of T:
    // [δ_k  ε_{k+1}; γ̄_k  δ̄_{k+1}] = [c s; s −c]·[δ̄_k 0; α_k β_{k+1}]
    const dbar = dltan;
    let dlta = cs * dbar + sn * alfa;
    const epln = eplnn;
    const gbar = sn * dbar - cs * alfa;
    eplnn = sn * betan;
    dltan = -cs * betan;
    const dltaQLP = dlta; // δ_k before right reflections (MINRES update needs R's entries)

    // ---- Current left reflection Q_{k,k+1}: annihilates β_{k+1}; γ_k^(2) = ‖(γ̄_k, β_{k+1})‖.
    gamal2 = gamal;
    gamal = gama;
    symOrtho(gbar, betan, refl);
    cs = refl[0];
    sn = refl[1];
    gama = refl[2];
    const gamaTmp = gama; // diagonal of R_k (used by the MINRES update)
    taul2 = taul;
    taul = tau;
    tau = cs * phi; // τ_k
    phi = sn * phi; // φ_k = ‖r_k‖

    // ---- Previous right reflection P_{k−2,k}: rotates columns k−2 and k of R_k.
    if (iter > 2) {
      veplnl2 = veplnl;
      etal2 = etal;
      etal = eta;
      const dltaTmp = sr2 * vepln - cr2 * dlta;
      veplnl = cr2 * vepln + sr2 * dlta;
      dlta = dltaTmp;
      eta = sr2 * gama;
      gama = -cr2 * gama;
    }
    // ---- Current right reflection P_{k−1,k}: zeroes the superdiagonal δ_k, finishing row k of L.
    if (iter > 1) {
      symOrtho(gamal, dlta, refl);
      cr1 = refl[0];
      sr1 = refl[1];
      gamal = refl[2];
      vepln = sr1 * gama;
      gama = -cr1 * gama;
    }

    // ---- Forward substitution L_k u_k = t_k; only u_{k−2}, u_{k−1}, u_k change.
    const ul4 = ul3;
    ul3 = ul2;
    if (iter > 2) ul2 = (taul2 - etal2 * ul4 - veplnl2 * ul3) / gamal2;
    if (iter > 1) ul = (taul - etal * ul3 - veplnl * ul2) / gamal;
    const xnormTmp = Math.hypot(xl2norm, ul2, ul);
    // γ_k at rounding level (|γ_k| ≤ eps·‖T‖, the Fortran release's test made scale-free;
    // minresQLP.m tests |γ_k| > realmin) means T_k is singular to working precision.
    if (Math.abs(gama) > EPS * Math.max(Anorm, pnorm) && xnormTmp < maxxnorm) {
      u = (tau - eta * ul2 - vepln * ul) / gama;
      if (Math.hypot(xnormTmp, u) > maxxnorm) {
        u = 0; // drop the component that would blow x up (a near-null direction)
        flag = 6;
      }
    } else {
      u = 0; // γ_k = 0: T_k singular; the min-length solution has u_k = 0
      flag = 9;
    }
    xl2norm = Math.hypot(xl2norm, ul2);
    xnorm = Math.hypot(xl2norm, ul, u);

    // ---- Update w and x.
    if (Acond < trancond && flag === FLAG0 && qlpIter === 0) {
      // MINRES phase: w_k = (v_k − ε_k w_{k−2} − δ_k w_{k−1}) / γ_k^(2),  x_k = x_{k−1} + τ_k w_k.
      const g = 1 / gamaTmp;
      const addX = xnorm < maxxnorm;
      const stepX = addX ? tau : 0;
      for (let i = 0; i < n; i++) {
        const wOld2 = wl[i];
        const wOld = w[i];
        const wNew = (v[i] - epln * wOld2 - dltaQLP * wOld) * g;
        wl[i] = wOld;
        w[i] = wNew;
        x[i] += stepX * wNew;
      }
      if (!addX) flag = 6;
    } else {
      // QLP phase: W_k = V_k P_k, x_k = x^(k−3) + u_{k−2} w_{k−2} + u_{k−1} w_{k−1} + u_k w_k.
      qlpIter++;
      if (qlpIter === 1 && iter > 1) {
        // Transfer: QLP directions of step k−1 are W^MINRES·L_{k−1}; only the last two
        // columns are still needed: w_{k−2} ← γ_{k−2} w_{k−2} + ϑ_{k−1} w_{k−1}, w_{k−1} ← γ_{k−1} w_{k−1},
        // and the frozen part of x is x_{k−1} minus their contributions.
        for (let i = 0; i < n; i++) {
          const wOld = w[i];
          const wlNew = iter > 2 ? gamalQLP * wl[i] + veplnQLP * wOld : wl[i];
          const wNew = gamaQLP * wOld;
          wl[i] = wlNew;
          w[i] = wNew;
          xl2[i] = x[i] - ulQLP * wlNew - uQLP * wNew;
        }
      }
      if (iter === 1) {
        // W_1 = v_1 (P_1 = I; cr1 = −1, sr1 = 0); x_1 = u_1 w_1.
        for (let i = 0; i < n; i++) {
          const wl2i = wl[i];
          const vi = v[i];
          const wlNew = sr1 * vi;
          const wNew = -cr1 * vi;
          wl[i] = wlNew;
          w[i] = wNew;
          const xl = xl2[i] + ul2 * wl2i;
          xl2[i] = xl;
          x[i] = xl + ul * wlNew + u * wNew;
        }
      } else if (iter === 2) {
        // P_{1,2} mixes w_1 and v_2.
        for (let i = 0; i < n; i++) {
          const wl2i = wl[i];
          const wOld = w[i];
          const vi = v[i];
          const wlNew = cr1 * wOld + sr1 * vi;
          const wNew = sr1 * wOld - cr1 * vi;
          wl[i] = wlNew;
          w[i] = wNew;
          const xl = xl2[i] + ul2 * wl2i;
          xl2[i] = xl;
          x[i] = xl + ul * wlNew + u * wNew;
        }
      } else {
        // P_{k−2,k} mixes w_{k−2}, v_k (w_{k−2} becomes final); then P_{k−1,k} mixes w_{k−1}, that.
        for (let i = 0; i < n; i++) {
          const a = wl[i];
          const c = w[i];
          const vi = v[i];
          const t = sr2 * a - cr2 * vi;
          const wl2i = cr2 * a + sr2 * vi;
          const wlNew = cr1 * c + sr1 * t;
          const wNew = sr1 * c - cr1 * t;
          wl[i] = wlNew;
          w[i] = wNew;
          const xl = xl2[i] + ul2 * wl2i;
          xl2[i] = xl;
          x[i] = xl + ul * wlNew + u * wNew;
        }
      }
    }

    // ---- Next right reflection P_{k−1,k+1}: zeroes ε_{k+1}, finalising γ_{k−1}.
    const gamalTmp = gamal;
    symOrtho(gamal, eplnn, refl);
    cr2 = refl[0];
    sr2 = refl[1];
    gamal = refl[2];

    gamalQLP = gamalTmp;
    veplnQLP = vepln;
    gamaQLP = gama;
    ulQLP = ul;
    uQLP = u;

    // ---- Norm estimates.
    const absGama = Math.abs(gama);
    Anorm = Math.max(Anorm, pnorm, gamal, absGama);
    if (iter === 1) {
      gmin = gama;
      gminl = gmin;
    } else {
      const gminl2 = gminl;
      gminl = gmin;
      gmin = Math.min(gminl2, gamal, absGama);
    }
    Acondl = Acond;
    Acond = Anorm / gmin;
    rnorml = rnorm;
    relresl = relres;
    if (flag !== 9) rnorm = phi;
    relres = rnorm / (Anorm * xnorm + beta1);
    const rootl = Math.hypot(gbar, dltan); // ‖A r_{k−1}‖ / ‖r_{k−1}‖
    Arnorml = rnorml * rootl;
    relAresl = rootl / Anorm;

    // ---- Stopping tests, in the reference's order (a later test overrides an earlier one).
    if (flag === FLAG0 || flag === 9) {
      const epsx = Anorm * xnorm * EPS;
      const t1 = 1 + relres;
      const t2 = 1 + relAresl;
      if (iter >= maxit) flag = 8;
      if (Acond >= acondlim) flag = 7;
      if (xnorm >= maxxnorm) flag = 6;
      if (epsx >= beta1) flag = 5;
      if (t2 <= 1) flag = 4;
      if (t1 <= 1) flag = 3;
      if (relAresl <= rtol) flag = 2;
      if (relres <= rtol) flag = 1;
    }
    if (flag === 2 || flag === 4 || flag === 6 || flag === 7) {
      // Detected from step k−1 quantities (or step k was unusable): report step k−1.
      iter--;
      Acond = Acondl;
      rnorm = rnorml;
      relres = relresl;
    }
  }

  const exit = EXIT_OF_FLAG[flag];
  if (flag === NONFINITE) return recurrenceResult();

  // ---- Final quantities computed directly, as in the reference.
  const r = r1;
  const Ar = r3;
  apply(x, r);
  for (let i = 0; i < n; i++) r[i] = b[i] - r[i] + shift * x[i];
  apply(r, Ar);
  for (let i = 0; i < n; i++) Ar[i] -= shift * r[i];
  const rnormD = norm2(r);
  const ArnormD = norm2(Ar);
  if (!Number.isFinite(rnormD) || !Number.isFinite(ArnormD)) {
    return recurrenceResult(); // the operator broke on the final check
  }
  const xnormD = norm2(x);
  return {
    x,
    exit,
    ...solvedInconsistent(exit),
    iterations: iter,
    Anorm,
    Acond,
    xnorm: xnormD,
    rnorm: rnormD,
    Arnorm: ArnormD,
    relres: rnormD / (Anorm * xnormD + beta1),
    relAres: rnormD > REALMIN && ArnormD !== 0 ? ArnormD / (Anorm * rnormD) : 0,
    qlpIterations: qlpIter,
  };

  function recurrenceResult(): MinresQlpResult {
    const xn = norm2(x);
    return {
      x,
      exit: 'nan-or-inf',
      ...solvedInconsistent('nan-or-inf'),
      iterations: iter,
      Anorm,
      Acond,
      xnorm: xn,
      rnorm,
      Arnorm: Arnorml,
      relres: rnorm / (Anorm * xn + beta1),
      relAres: relAresl,
      qlpIterations: qlpIter,
    };
  }
}

function solvedInconsistent(exit: MinresQlpExit): { solved: boolean; inconsistent: boolean } {
  const info = MINRES_QLP_EXITS[exit];
  return { solved: info.solved, inconsistent: info.inconsistent };
}
