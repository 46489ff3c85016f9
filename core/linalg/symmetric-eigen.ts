/**
 * Pure-TypeScript symmetric eigensolver (float64, row-major).
 *
 *   1. Symmetrize and copy: W = (A + Aᵀ)/2, upper triangle only (A is never modified), scaled
 *      by a power of two when ‖A‖max is near the overflow / underflow thresholds.
 *   2. Householder reduction to tridiagonal form, A = Q·T·Qᵀ (LAPACK dsytd2 convention:
 *      H_k = I − τ_k v_k v_kᵀ, v_k(k+1) = 1). Only the upper triangle is stored and updated;
 *      the symmetric rank-2 update of step k is fused with the matrix–vector product of step
 *      k+1, so each step makes one unit-stride pass over the trailing triangle.
 *   3. (vectors only) Backward accumulation of Qᵀ = H_{n−3}···H_0 applied from the right, so
 *      that every operation is a row-wise dot + axpy (unit stride). Rows of Qᵀ are columns of Q.
 *   4. Implicit QL with Wilkinson-type shifts on T (EISPACK tql2 / JAMA), rotations applied to
 *      ROWS of Qᵀ (again unit stride). The values-only path skips steps 3 and the rotations,
 *      making it O(n²) after the O(4/3·n³) reduction.
 *   5. Ascending sort; row i of the returned `vectors` is the eigenvector of values[i].
 *
 * Measured (Node 20, one core of an AMD EPYC, n = 552): values only ≈ 60 ms, with vectors
 * ≈ 300–350 ms (tridiagonalization ≈ 55, Qᵀ accumulation ≈ 45, QL + rotations ≈ 210);
 * single-threaded LAPACKE dsyevd takes ≈ 14 / 32 ms (bench/kernels.ts).
 *
 * Backward stable: the computed pair satisfies ‖A·V − V·Λ‖ = O(n·ε·‖A‖) and
 * ‖VᵀV − I‖ = O(n·ε) (orthogonal transformations only). Non-finite entries throw a RangeError;
 * a QL iteration that fails to converge (never observed in practice) throws an Error.
 */
import type { SymmetricEigen } from './kernels.js';

const EPS = 2 ** -52;
/** Scale the matrix when its max entry is outside [SMALL, BIG] (keeps squares representable). */
const BIG = 2 ** 400;
const SMALL = 2 ** -400;
/** Maximum QL iterations per eigenvalue (LAPACK allows 30 on average; tql2 needs ~1.5). */
const MAX_ITER = 100;

/** √(a² + b²) without destructive overflow / underflow. */
function hypot2(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  if (a < b) { const t = a; a = b; b = t; }
  if (a === 0) return 0;
  const r = b / a;
  return a * Math.sqrt(1 + r * r);
}

/**
 * Householder vector for x = W[row, s..n−1] (LAPACK dlarfg): H·x = β·e₁ with
 * H = I − τ·v·vᵀ, v(s) = 1. Writes v into `v[s..n−1]` and back into the row of W
 * (kept there for the back-accumulation), stores β in e[row], returns τ.
 */
function householder(w: Float64Array, n: number, row: number, v: Float64Array, e: Float64Array): number {
  const s = row + 1;
  const base = row * n;
  const alpha = w[base + s];
  let xnorm2 = 0;
  for (let j = s + 1; j < n; j++) { const x = w[base + j]; xnorm2 += x * x; }
  v[s] = 1;
  w[base + s] = 1;
  if (xnorm2 === 0) {
    // Already in the desired form (or the remainder underflowed relative to a scaled ‖A‖ ~ 1): H = I.
    for (let j = s + 1; j < n; j++) v[j] = w[base + j] = 0;
    e[row] = alpha;
    return 0;
  }
  const r = Math.sqrt(alpha * alpha + xnorm2);
  const beta = alpha >= 0 ? -r : r;
  const tau = (beta - alpha) / beta;
  const scal = 1 / (alpha - beta);
  for (let j = s + 1; j < n; j++) { const x = w[base + j] * scal; w[base + j] = x; v[j] = x; }
  e[row] = beta;
  return tau;
}

/**
 * Reduces the symmetric matrix held in the upper triangle of `w` (row-major n×n) to tridiagonal
 * form: diagonal → d, super-diagonal → e[0..n−2] (e[n−1] = 0), Householder vectors → rows of w
 * (row k, columns k+1..n−1), scalars → tau.
 */
function tridiagonalize(w: Float64Array, n: number, d: Float64Array, e: Float64Array, tau: Float64Array): void {
  e[n - 1] = 0;
  if (n === 1) { d[0] = w[0]; return; }
  if (n === 2) { d[0] = w[0]; d[1] = w[3]; e[0] = w[1]; return; }
  let v = new Float64Array(n);
  let p = new Float64Array(n);
  let vn = new Float64Array(n);
  let pn = new Float64Array(n);
  const wv = new Float64Array(n);

  // Step 0 set-up: v₀ and p = τ₀·A₂₂·v₀ from the upper triangle (rows 1..n−1).
  let t = householder(w, n, 0, v, e);
  tau[0] = t;
  for (let i = 1; i < n; i++) {
    const vi = v[i];
    const ri = i * n;
    let s = w[ri + i] * vi;
    for (let j = i + 1; j < n; j++) {
      const aij = w[ri + j];
      s += aij * v[j];
      p[j] += aij * vi;
    }
    p[i] += s;
  }
  for (let i = 1; i < n; i++) p[i] *= t;

  for (let k = 0; k <= n - 3; k++) {
    d[k] = w[k * n + k];
    const k1 = k + 1;
    // wv = p − (τ/2)(pᵀv)·v; the trailing update is A₂₂ ← A₂₂ − v·wvᵀ − wv·vᵀ.
    let pv = 0;
    for (let j = k1; j < n; j++) pv += p[j] * v[j];
    const half = 0.5 * t * pv;
    for (let j = k1; j < n; j++) wv[j] = p[j] - half * v[j];

    // Row k+1 first: it carries the next Householder vector.
    {
      const r = k1 * n;
      const vi = v[k1];
      const wi = wv[k1];
      for (let j = k1; j < n; j++) w[r + j] -= vi * wv[j] + wi * v[j];
    }
    if (k1 <= n - 3) {
      const tn = householder(w, n, k1, vn, e);
      tau[k1] = tn;
      const k2 = k + 2;
      for (let j = k2; j < n; j++) pn[j] = 0;
      // Fused: update rows of the trailing triangle, then use them for pn = A₂₂'·vn
      // (two rows per pass, so v, wv, vn and pn are loaded once for both).
      let i = k2;
      for (; i + 1 < n; i += 2) {
        const i1 = i + 1;
        const r0 = i * n;
        const r1 = r0 + n;
        const v0 = v[i], w0 = wv[i], vn0 = vn[i];
        const v1 = v[i1], w1 = wv[i1], vn1 = vn[i1];
        const a00 = w[r0 + i] - 2 * v0 * w0;
        const a01 = w[r0 + i1] - v0 * w1 - w0 * v1;
        const a11 = w[r1 + i1] - 2 * v1 * w1;
        w[r0 + i] = a00;
        w[r0 + i1] = a01;
        w[r1 + i1] = a11;
        let s0 = a00 * vn0 + a01 * vn1;
        let s1 = a01 * vn0 + a11 * vn1;
        for (let j = i + 2; j < n; j++) {
          const vj = v[j], wj = wv[j], vnj = vn[j];
          const b0 = w[r0 + j] - v0 * wj - w0 * vj;
          const b1 = w[r1 + j] - v1 * wj - w1 * vj;
          w[r0 + j] = b0;
          w[r1 + j] = b1;
          s0 += b0 * vnj;
          s1 += b1 * vnj;
          pn[j] += b0 * vn0 + b1 * vn1;
        }
        pn[i] += s0;
        pn[i1] += s1;
      }
      if (i < n) {
        // Last row: only its diagonal.
        const ri = i * n;
        const aii = w[ri + i] - 2 * v[i] * wv[i];
        w[ri + i] = aii;
        pn[i] += aii * vn[i];
      }
      for (let j = k2; j < n; j++) pn[j] *= tn;
      t = tn;
      let sw = v; v = vn; vn = sw;
      sw = p; p = pn; pn = sw;
    } else {
      // k = n−3: only the last diagonal entry is left to update.
      const i = n - 1;
      w[i * n + i] -= 2 * v[i] * wv[i];
    }
  }
  d[n - 2] = w[(n - 2) * n + (n - 2)];
  d[n - 1] = w[(n - 1) * n + (n - 1)];
  e[n - 2] = w[(n - 2) * n + (n - 1)];
}

/** z ← z·H_k for one reflector (v in row k of w, columns k+1..n−1), rows k+1..n−1. */
function applyReflectorRight(w: Float64Array, n: number, k: number, t: number, z: Float64Array): void {
  if (t === 0) return;
  const vb = k * n;
  const k1 = k + 1;
  for (let i = k1; i < n; i++) {
    const ri = i * n;
    let s = 0;
    for (let j = k1; j < n; j++) s += z[ri + j] * w[vb + j];
    s *= t;
    if (s === 0) continue;
    for (let j = k1; j < n; j++) z[ri + j] -= s * w[vb + j];
  }
}

/**
 * z (n×n, identity on entry) ← Qᵀ = H_{n−3}···H_0, applied from the right in descending k,
 * four reflectors at a time in compact-WY form: with P = H_{k0+3}···H_{k0}, Pᵀ = I − V·T·Vᵀ
 * (LAPACK dlarft, forward), so z ← z − (z·V)·Tᵀ·Vᵀ. Rows ≤ k0 of z are unit vectors orthogonal
 * to V and are skipped; the rest is done 4 rows × 4 reflectors at a time (a gemm-like register
 * tile). Every access is unit stride.
 */
function accumulateQt(w: Float64Array, n: number, tau: Float64Array, z: Float64Array): void {
  const nref = n - 2; // reflectors 0..n−3
  let k = nref - 1;
  // Leading singles so that the rest splits into blocks of four.
  for (let r = nref % 4; r > 0; r--, k--) applyReflectorRight(w, n, k, tau[k], z);
  if (k < 0) return;
  const vp = new Float64Array(4 * n); // packed V: vp[4j + c] = v_{k0+c}[j]
  const tt = new Float64Array(16); // T, row-major 4×4, upper triangular
  const y = new Float64Array(4);
  for (let k0 = k - 3; k0 >= 0; k0 -= 4) {
    const j0 = k0 + 1;
    // Pack V (zero above each unit entry).
    for (let c = 0; c < 4; c++) {
      const kc = k0 + c;
      const vb = kc * n;
      for (let j = j0; j <= kc; j++) vp[4 * j + c] = 0;
      vp[4 * (kc + 1) + c] = 1;
      for (let j = kc + 2; j < n; j++) vp[4 * j + c] = w[vb + j];
    }
    // T (dlarft, forward columnwise).
    tt.fill(0);
    for (let c = 0; c < 4; c++) {
      const t = tau[k0 + c];
      tt[5 * c] = t;
      if (c === 0 || t === 0) continue;
      for (let cp = 0; cp < c; cp++) {
        let s = 0;
        for (let j = j0; j < n; j++) s += vp[4 * j + cp] * vp[4 * j + c];
        y[cp] = s;
      }
      for (let r = 0; r < c; r++) {
        let s = 0;
        for (let cp = r; cp < c; cp++) s += tt[4 * r + cp] * y[cp];
        tt[4 * r + c] = -t * s;
      }
    }
    const t00 = tt[0], t01 = tt[1], t02 = tt[2], t03 = tt[3];
    const t11 = tt[5], t12 = tt[6], t13 = tt[7];
    const t22 = tt[10], t23 = tt[11];
    const t33 = tt[15];
    let i = j0;
    for (; i + 4 <= n; i += 4) {
      const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      // S = z[rows, :]·V
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let j = j0; j < n; j++) {
        const q = 4 * j;
        const v0 = vp[q], v1 = vp[q + 1], v2 = vp[q + 2], v3 = vp[q + 3];
        const x0 = z[r0 + j], x1 = z[r1 + j], x2 = z[r2 + j], x3 = z[r3 + j];
        s00 += x0 * v0; s01 += x0 * v1; s02 += x0 * v2; s03 += x0 * v3;
        s10 += x1 * v0; s11 += x1 * v1; s12 += x1 * v2; s13 += x1 * v3;
        s20 += x2 * v0; s21 += x2 * v1; s22 += x2 * v2; s23 += x2 * v3;
        s30 += x3 * v0; s31 += x3 * v1; s32 += x3 * v2; s33 += x3 * v3;
      }
      // M = S·Tᵀ: M[r][c] = Σ_{c' ≥ c} S[r][c']·T[c][c']
      const m00 = s00 * t00 + s01 * t01 + s02 * t02 + s03 * t03, m01 = s01 * t11 + s02 * t12 + s03 * t13, m02 = s02 * t22 + s03 * t23, m03 = s03 * t33;
      const m10 = s10 * t00 + s11 * t01 + s12 * t02 + s13 * t03, m11 = s11 * t11 + s12 * t12 + s13 * t13, m12 = s12 * t22 + s13 * t23, m13 = s13 * t33;
      const m20 = s20 * t00 + s21 * t01 + s22 * t02 + s23 * t03, m21 = s21 * t11 + s22 * t12 + s23 * t13, m22 = s22 * t22 + s23 * t23, m23 = s23 * t33;
      const m30 = s30 * t00 + s31 * t01 + s32 * t02 + s33 * t03, m31 = s31 * t11 + s32 * t12 + s33 * t13, m32 = s32 * t22 + s33 * t23, m33 = s33 * t33;
      // z[rows, :] −= M·Vᵀ
      for (let j = j0; j < n; j++) {
        const q = 4 * j;
        const v0 = vp[q], v1 = vp[q + 1], v2 = vp[q + 2], v3 = vp[q + 3];
        z[r0 + j] -= m00 * v0 + m01 * v1 + m02 * v2 + m03 * v3;
        z[r1 + j] -= m10 * v0 + m11 * v1 + m12 * v2 + m13 * v3;
        z[r2 + j] -= m20 * v0 + m21 * v1 + m22 * v2 + m23 * v3;
        z[r3 + j] -= m30 * v0 + m31 * v1 + m32 * v2 + m33 * v3;
      }
    }
    for (; i < n; i++) {
      const r0 = i * n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = j0; j < n; j++) {
        const q = 4 * j;
        const x = z[r0 + j];
        s0 += x * vp[q]; s1 += x * vp[q + 1]; s2 += x * vp[q + 2]; s3 += x * vp[q + 3];
      }
      const m0 = s0 * t00 + s1 * t01 + s2 * t02 + s3 * t03, m1 = s1 * t11 + s2 * t12 + s3 * t13, m2 = s2 * t22 + s3 * t23, m3 = s3 * t33;
      for (let j = j0; j < n; j++) {
        const q = 4 * j;
        z[r0 + j] -= m0 * vp[q] + m1 * vp[q + 1] + m2 * vp[q + 2] + m3 * vp[q + 3];
      }
    }
  }
}

/**
 * Applies one QL sweep's rotations to rows l..m of z (row-major, n columns), in the order i = m−1, …, l:
 * (row i, row i+1) ← (c·zᵢ − s·zᵢ₊₁, s·zᵢ + c·zᵢ₊₁). Works on 4 columns at a time and carries
 * the running row in registers, so each element costs one load and one store per sweep step
 * instead of two of each (LAPACK's dlasr does the same job).
 */
function applyRotations(z: Float64Array, n: number, l: number, m: number, cs: Float64Array, sn: Float64Array): void {
  let q = 0;
  for (; q + 4 <= n; q += 4) {
    let rb = m * n + q;
    let h0 = z[rb];
    let h1 = z[rb + 1];
    let h2 = z[rb + 2];
    let h3 = z[rb + 3];
    for (let i = m - 1; i >= l; i--) {
      const c = cs[i];
      const s = sn[i];
      const ra = rb - n;
      const a0 = z[ra];
      const a1 = z[ra + 1];
      const a2 = z[ra + 2];
      const a3 = z[ra + 3];
      z[rb] = s * a0 + c * h0;
      z[rb + 1] = s * a1 + c * h1;
      z[rb + 2] = s * a2 + c * h2;
      z[rb + 3] = s * a3 + c * h3;
      h0 = c * a0 - s * h0;
      h1 = c * a1 - s * h1;
      h2 = c * a2 - s * h2;
      h3 = c * a3 - s * h3;
      rb = ra;
    }
    z[rb] = h0;
    z[rb + 1] = h1;
    z[rb + 2] = h2;
    z[rb + 3] = h3;
  }
  for (; q < n; q++) {
    let rb = m * n + q;
    let h = z[rb];
    for (let i = m - 1; i >= l; i--) {
      const c = cs[i];
      const s = sn[i];
      const ra = rb - n;
      const a = z[ra];
      z[rb] = s * a + c * h;
      h = c * a - s * h;
      rb = ra;
    }
    z[rb] = h;
  }
}

/**
 * Implicit QL with shifts on the tridiagonal (d, e) (e[i] couples i and i+1, e[n−1] = 0);
 * eigenvalues replace d. With z (row-major n × zCols), rotations are applied to its rows (z row r ↔ d[r]):
 * zCols = 1 with z = e₁ tracks only the eigenvectors' first components (Golub–Welsch, O(n²)).
 */
function tql2(d: Float64Array, e: Float64Array, n: number, z: Float64Array | undefined, zCols = n): void {
  const cs = new Float64Array(n);
  const sn = new Float64Array(n);
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > EPS * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > MAX_ITER) throw new Error(`symmetricEigen: QL iteration did not converge (eigenvalue ${l} of ${n})`);
        // Shift from the leading 2×2 block.
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot2(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        // Implicit QL sweep from m−1 up to l.
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot2(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          cs[i] = c;
          sn[i] = s;
        }
        if (z !== undefined) applyRotations(z, zCols, l, m, cs, sn);
        p = -s * s2 * c3 * el1 * e[l] / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > EPS * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/**
 * w ← (A + Aᵀ)/2 (both triangles, row-major n×n); throws on a non-finite entry. Returns
 * max |w_ij|. Shared by both kernel sets so that they decompose the same matrix.
 */
export function symmetrizedCopy(a: Float64Array, n: number, w: Float64Array): number {
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = i; j < n; j++) {
      const x = a[ri + j];
      const y = a[j * n + i];
      const s = x === y ? x : 0.5 * x + 0.5 * y;
      if (!Number.isFinite(s)) throw new RangeError(`symmetricEigen: non-finite entry at (${i}, ${j})`);
      w[ri + j] = s;
      w[j * n + i] = s;
      const abs = Math.abs(s);
      if (abs > amax) amax = abs;
    }
  }
  return amax;
}

/**
 * Eigen-decomposition of the symmetric n×n row-major matrix `a` (the symmetric part
 * (A + Aᵀ)/2 is used; `a` is not modified). Values ascending; with `wantVectors`, row i of
 * `vectors` (row-major n×n) is the unit eigenvector for values[i].
 */
export function symmetricEigen(a: Float64Array, n: number, wantVectors: boolean): SymmetricEigen {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`symmetricEigen: bad order n = ${n}`);
  if (a.length < n * n) throw new RangeError(`symmetricEigen: array of length ${a.length} is too short for ${n}×${n}`);
  const d = new Float64Array(n);
  if (n === 0) return wantVectors ? { values: d, vectors: new Float64Array(0) } : { values: d };

  // Symmetrize into w; validate and find the scale.
  const w = new Float64Array(n * n);
  const amax = symmetrizedCopy(a, n, w);
  let scale = 1;
  if (amax > BIG || (amax > 0 && amax < SMALL)) {
    scale = 2 ** -Math.round(Math.log2(amax));
    for (let i = 0; i < n * n; i++) w[i] *= scale;
  }

  const e = new Float64Array(n);
  const tau = new Float64Array(n);
  tridiagonalize(w, n, d, e, tau);

  let z: Float64Array | undefined;
  if (wantVectors) {
    z = new Float64Array(n * n);
    for (let i = 0; i < n; i++) z[i * n + i] = 1;
    accumulateQt(w, n, tau, z);
  }
  tql2(d, e, n, z);

  // Ascending order (selection sort keeps the row swaps at O(n²) total).
  if (z === undefined) {
    d.sort();
  } else {
    for (let i = 0; i < n - 1; i++) {
      let kmin = i;
      let pmin = d[i];
      for (let j = i + 1; j < n; j++) if (d[j] < pmin) { kmin = j; pmin = d[j]; }
      if (kmin !== i) {
        d[kmin] = d[i];
        d[i] = pmin;
        const ri = i * n;
        const rk = kmin * n;
        for (let q = 0; q < n; q++) { const tmp = z[ri + q]; z[ri + q] = z[rk + q]; z[rk + q] = tmp; }
      }
    }
  }
  if (scale !== 1) for (let i = 0; i < n; i++) d[i] /= scale;
  return z === undefined ? { values: d } : { values: d, vectors: z };
}

/**
 * Eigen-decomposition of the symmetric tridiagonal matrix with diagonal `d` (length k) and
 * off-diagonal `e` (e[i] couples i and i+1; length ≥ k−1), by the same implicit QL as above
 * (Lanczos' T, core/linalg/lanczos.ts). Inputs are not modified. Values ascending; with
 * `wantVectors`, row i of `vectors` (row-major k×k) is the unit eigenvector of values[i].
 */
export function tridiagonalEigen(d: ArrayLike<number>, e: ArrayLike<number>, wantVectors: boolean): SymmetricEigen {
  const k = d.length;
  const dd = Float64Array.from(d);
  const ee = new Float64Array(k);
  for (let i = 0; i + 1 < k; i++) ee[i] = e[i];
  for (let i = 0; i < k; i++) {
    if (!Number.isFinite(dd[i]) || !Number.isFinite(ee[i])) throw new RangeError(`tridiagonalEigen: non-finite entry at ${i}`);
  }
  let z: Float64Array | undefined;
  if (wantVectors) {
    z = new Float64Array(k * k);
    for (let i = 0; i < k; i++) z[i * k + i] = 1;
  }
  if (k > 0) tql2(dd, ee, k, z);
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => dd[a] - dd[b]);
  const values = Float64Array.from(order, (i) => dd[i]);
  if (z === undefined) return { values };
  const vectors = new Float64Array(k * k);
  order.forEach((src, dst) => vectors.set(z!.subarray(src * k, (src + 1) * k), dst * k));
  return { values, vectors };
}

/**
 * Eigenvalues of the tridiagonal (d, e) with the first component of each unit eigenvector,
 * ascending: the nodes and (squared) weights of the Gauss rule of a Lanczos run (Golub & Welsch,
 * Math. Comp. 23, 1969). O(k²), where the full eigenvectors would cost O(k³).
 */
export function tridiagonalFirstComponents(d: ArrayLike<number>, e: ArrayLike<number>): { values: Float64Array; first: Float64Array } {
  const k = d.length;
  const dd = Float64Array.from(d);
  const ee = new Float64Array(k);
  for (let i = 0; i + 1 < k; i++) ee[i] = e[i];
  for (let i = 0; i < k; i++) {
    if (!Number.isFinite(dd[i]) || !Number.isFinite(ee[i])) throw new RangeError(`tridiagonalFirstComponents: non-finite entry at ${i}`);
  }
  const z = new Float64Array(k);
  if (k > 0) {
    z[0] = 1;
    tql2(dd, ee, k, z, 1);
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => dd[a] - dd[b]);
  return { values: Float64Array.from(order, (i) => dd[i]), first: Float64Array.from(order, (i) => z[i]) };
}
