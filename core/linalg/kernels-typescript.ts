/**
 * Pure-TypeScript dense kernels: always available, no allocation in the hot loops,
 * contiguous row-major memory.
 *
 * gemm: every trans case goes through the same register-tiled code, which addresses
 * op(A)[i,p] = a[i·ars + p·acs] and op(B)[p,j] = b[p·brs + j·bcs] with run-time strides
 * (so no packing copy is needed). 4×4 tiles keep 16 accumulators live and do 16 multiply-adds
 * per 8 loads; one function walks all full tiles (a call per tile costs as much as a tile when
 * k is 8–16); edges use 4×1, 1×4 and 1×1 kernels. k is blocked (KC) and so is n (NC) so that
 * the op(B) panel stays in cache for large problems; beta is applied when C is first written
 * (beta = 0 never reads C). Variants tried and measured slower or no faster: 4×8, 2×8, 3×4, 8×2,
 * 1×8 tiles, unrolling k by 2 or 4, one call per tile.
 * Measured at the MLP shapes (N = 10⁴, in = 16, out = 8/16; Node 20, one core of an AMD EPYC):
 * 3.9–4.5 GFLOP/s for all three trans cases, ~4× the straightforward loop it replaced, and
 * ~5–7× slower than single-threaded OpenBLAS (bench/kernels.ts).
 *
 * symmetricEigen: Householder tridiagonalization + implicit QL (./symmetric-eigen.ts).
 */
import type { DenseKernels } from './kernels.js';
import { symmetricEigen } from './symmetric-eigen.js';

/** k-block: a 4-row sliver of op(A) and a 4-column sliver of op(B) over KC stay in L1. */
const KC = 256;
/** n-block: the KC×NC op(B) panel (512 KiB at most) stays in L2. */
const NC = 256;

/**
 * The main block: for rows i = 0, 4, …, m4−4 and column tiles j = j0, j0+4, …, j4−4,
 * C[i..i+3, j..j+3] ← beta·C + alpha·op(A)[i..i+3, p0..p0+kc)·op(B)[p0..p0+kc, j..j+3]
 * (beta = 0: C is only written). 16 accumulators, 8 loads per 16 multiply-adds. Loops over
 * all tiles itself: with k as small as 8, a call per tile would cost as much as the tile.
 */
function block4x4(
  kc: number, alpha: number, a: Float64Array, aK: number, ars: number, acs: number,
  b: Float64Array, bK: number, brs: number, bcs: number, beta: number, c: Float64Array, ldc: number,
  m4: number, j0: number, j4: number,
): void {
  const a1 = ars, a2 = 2 * ars, a3 = 3 * ars;
  const b1 = bcs, b2 = 2 * bcs, b3 = 3 * bcs;
  for (let i = 0; i < m4; i += 4) {
    const aI = aK + i * ars;
    const cI = i * ldc;
    for (let j = j0; j < j4; j += 4) {
      let pa = aI;
      let pb = bK + j * bcs;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0; p < kc; p++) {
        const x0 = a[pa], x1 = a[pa + a1], x2 = a[pa + a2], x3 = a[pa + a3];
        const y0 = b[pb], y1 = b[pb + b1], y2 = b[pb + b2], y3 = b[pb + b3];
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
        pa += acs;
        pb += brs;
      }
      let q = cI + j;
      if (beta === 0) {
        c[q] = alpha * c00; c[q + 1] = alpha * c01; c[q + 2] = alpha * c02; c[q + 3] = alpha * c03; q += ldc;
        c[q] = alpha * c10; c[q + 1] = alpha * c11; c[q + 2] = alpha * c12; c[q + 3] = alpha * c13; q += ldc;
        c[q] = alpha * c20; c[q + 1] = alpha * c21; c[q + 2] = alpha * c22; c[q + 3] = alpha * c23; q += ldc;
        c[q] = alpha * c30; c[q + 1] = alpha * c31; c[q + 2] = alpha * c32; c[q + 3] = alpha * c33;
      } else {
        c[q] = beta * c[q] + alpha * c00; c[q + 1] = beta * c[q + 1] + alpha * c01;
        c[q + 2] = beta * c[q + 2] + alpha * c02; c[q + 3] = beta * c[q + 3] + alpha * c03; q += ldc;
        c[q] = beta * c[q] + alpha * c10; c[q + 1] = beta * c[q + 1] + alpha * c11;
        c[q + 2] = beta * c[q + 2] + alpha * c12; c[q + 3] = beta * c[q + 3] + alpha * c13; q += ldc;
        c[q] = beta * c[q] + alpha * c20; c[q + 1] = beta * c[q + 1] + alpha * c21;
        c[q + 2] = beta * c[q + 2] + alpha * c22; c[q + 3] = beta * c[q + 3] + alpha * c23; q += ldc;
        c[q] = beta * c[q] + alpha * c30; c[q + 1] = beta * c[q + 1] + alpha * c31;
        c[q + 2] = beta * c[q + 2] + alpha * c32; c[q + 3] = beta * c[q + 3] + alpha * c33;
      }
    }
  }
}

/** One column of a 4-row tile: C[4×1]. */
function kernel4x1(
  kc: number, alpha: number, a: Float64Array, pa: number, ars: number, acs: number,
  b: Float64Array, pb: number, brs: number, beta: number, c: Float64Array, pc: number, ldc: number,
): void {
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  const a1 = ars, a2 = 2 * ars, a3 = 3 * ars;
  for (let p = 0; p < kc; p++) {
    const y = b[pb];
    c0 += a[pa] * y; c1 += a[pa + a1] * y; c2 += a[pa + a2] * y; c3 += a[pa + a3] * y;
    pa += acs;
    pb += brs;
  }
  let q = pc;
  if (beta === 0) {
    c[q] = alpha * c0; q += ldc; c[q] = alpha * c1; q += ldc; c[q] = alpha * c2; q += ldc; c[q] = alpha * c3;
  } else {
    c[q] = beta * c[q] + alpha * c0; q += ldc;
    c[q] = beta * c[q] + alpha * c1; q += ldc;
    c[q] = beta * c[q] + alpha * c2; q += ldc;
    c[q] = beta * c[q] + alpha * c3;
  }
}

/** One row, four columns: C[1×4]. */
function kernel1x4(
  kc: number, alpha: number, a: Float64Array, pa: number, acs: number,
  b: Float64Array, pb: number, brs: number, bcs: number, beta: number, c: Float64Array, pc: number,
): void {
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  const b1 = bcs, b2 = 2 * bcs, b3 = 3 * bcs;
  for (let p = 0; p < kc; p++) {
    const x = a[pa];
    c0 += x * b[pb]; c1 += x * b[pb + b1]; c2 += x * b[pb + b2]; c3 += x * b[pb + b3];
    pa += acs;
    pb += brs;
  }
  if (beta === 0) {
    c[pc] = alpha * c0; c[pc + 1] = alpha * c1; c[pc + 2] = alpha * c2; c[pc + 3] = alpha * c3;
  } else {
    c[pc] = beta * c[pc] + alpha * c0; c[pc + 1] = beta * c[pc + 1] + alpha * c1;
    c[pc + 2] = beta * c[pc + 2] + alpha * c2; c[pc + 3] = beta * c[pc + 3] + alpha * c3;
  }
}

/** C[1×1]. */
function kernel1x1(
  kc: number, alpha: number, a: Float64Array, pa: number, acs: number,
  b: Float64Array, pb: number, brs: number, beta: number, c: Float64Array, pc: number,
): void {
  let s = 0;
  for (let p = 0; p < kc; p++) {
    s += a[pa] * b[pb];
    pa += acs;
    pb += brs;
  }
  c[pc] = beta === 0 ? alpha * s : beta * c[pc] + alpha * s;
}

/** C ← beta·C on an m×n block (beta = 0 writes zeros, so NaN/Inf there do not survive). */
export function scaleC(m: number, n: number, beta: number, c: Float64Array, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const ci = i * ldc;
    if (beta === 0) for (let j = 0; j < n; j++) c[ci + j] = 0;
    else for (let j = 0; j < n; j++) c[ci + j] *= beta;
  }
}

function checkStored(name: string, x: Float64Array, rows: number, cols: number, ld: number): void {
  if (!Number.isInteger(ld) || ld < Math.max(1, cols)) {
    throw new RangeError(`gemm: ld${name} = ${ld} is less than the ${cols} columns of ${name}`);
  }
  if (rows > 0 && cols > 0 && x.length < (rows - 1) * ld + cols) {
    throw new RangeError(`gemm: ${name} has ${x.length} elements, needs ${(rows - 1) * ld + cols} (${rows}×${cols}, ld${name} = ${ld})`);
  }
}

/**
 * Validates gemm's sizes, strides and array lengths (O(1); shared with the FFI kernels, where
 * an out-of-range access would corrupt memory). A and B are only checked when referenced.
 */
export function checkGemmArgs(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float64Array, lda: number, b: Float64Array, ldb: number, c: Float64Array, ldc: number,
): void {
  if (!Number.isInteger(m) || !Number.isInteger(n) || !Number.isInteger(k) || m < 0 || n < 0 || k < 0) {
    throw new RangeError(`gemm: bad sizes m = ${m}, n = ${n}, k = ${k}`);
  }
  if (m === 0 || n === 0) return;
  checkStored('C', c, m, n, ldc);
  if (alpha === 0 || k === 0) return;
  checkStored('A', a, transA ? k : m, transA ? m : k, lda);
  checkStored('B', b, transB ? n : k, transB ? k : n, ldb);
}

function gemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  alpha: number, a: Float64Array, lda: number, b: Float64Array, ldb: number,
  beta: number, c: Float64Array, ldc: number,
): void {
  checkGemmArgs(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc);
  if (m === 0 || n === 0) return;
  if (alpha === 0 || k === 0) {
    // BLAS semantics: A and B are not referenced.
    scaleC(m, n, beta, c, ldc);
    return;
  }
  // op(A)[i,p] = a[i·ars + p·acs], op(B)[p,j] = b[p·brs + j·bcs]
  const ars = transA ? 1 : lda;
  const acs = transA ? lda : 1;
  const brs = transB ? 1 : ldb;
  const bcs = transB ? ldb : 1;
  const m4 = m - (m & 3);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    const bt = p0 === 0 ? beta : 1; // later k-blocks accumulate
    const aK = p0 * acs;
    const bK = p0 * brs;
    for (let j0 = 0; j0 < n; j0 += NC) {
      const jEnd = Math.min(n, j0 + NC);
      const j4 = jEnd - ((jEnd - j0) & 3);
      if (m4 > 0 && j4 > j0) block4x4(kc, alpha, a, aK, ars, acs, b, bK, brs, bcs, bt, c, ldc, m4, j0, j4);
      if (j4 < jEnd) {
        for (let i = 0; i < m4; i += 4) {
          const aI = aK + i * ars;
          const cI = i * ldc;
          for (let j = j4; j < jEnd; j++) kernel4x1(kc, alpha, a, aI, ars, acs, b, bK + j * bcs, brs, bt, c, cI + j, ldc);
        }
      }
      for (let i = m4; i < m; i++) {
        const aI = aK + i * ars;
        const cI = i * ldc;
        let j = j0;
        for (; j < j4; j += 4) kernel1x4(kc, alpha, a, aI, acs, b, bK + j * bcs, brs, bcs, bt, c, cI + j);
        for (; j < jEnd; j++) kernel1x1(kc, alpha, a, aI, acs, b, bK + j * bcs, brs, bt, c, cI + j);
      }
    }
  }
}

export const typescriptKernels: DenseKernels = { name: 'typescript', gemm, symmetricEigen };
