/**
 * Dense kernels: gemm (every trans case, strided submatrices, alpha/beta semantics) against a
 * naive triple loop, for the TypeScript kernels and — when the system has them — the
 * OpenBLAS/LAPACKE kernels, which must also agree with the TypeScript ones (gemm and
 * symmetricEigen). Without OpenBLAS those tests are skipped with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DenseKernels } from './kernels.js';
import { typescriptKernels } from './kernels-typescript.js';
import { loadOpenBlasKernels } from './kernels-openblas.js';
import { selectKernels } from './select-kernels.js';
import { Rng } from '../random/rng.js';

const EPS = 2 ** -52;
const loaded = loadOpenBlasKernels();
const openblas = 'kernels' in loaded ? loaded.kernels : undefined;
const skipOpenBlas = 'error' in loaded ? `OpenBLAS unavailable: ${loaded.error}` : false;
// CI installs the libraries and sets GRADFLAT_REQUIRE_OPENBLAS so a broken load fails loudly
// instead of silently testing one kernel set.
test('OpenBLAS loads when the environment requires it', { skip: process.env.GRADFLAT_REQUIRE_OPENBLAS ? false : 'GRADFLAT_REQUIRE_OPENBLAS not set' }, () => {
  assert.ok(openblas, `GRADFLAT_REQUIRE_OPENBLAS is set but OpenBLAS did not load: ${skipOpenBlas}`);
});

const kernelSets: [string, DenseKernels | undefined][] = [['typescript', typescriptKernels], ['openblas', openblas]];

const rng = (seed: number) => new Rng(seed);
const randomArray = (len: number, r: Rng) => r.uniformVector(len, -1, 1);

/** Reference: C ← alpha·op(A)·op(B) + beta·C, beta = 0 ignoring C, by definition. */
function naiveGemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  alpha: number, a: Float64Array, lda: number, b: Float64Array, ldb: number,
  beta: number, c: Float64Array, ldc: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const aip = transA ? a[p * lda + i] : a[i * lda + p];
        const bpj = transB ? b[j * ldb + p] : b[p * ldb + j];
        s += aip * bpj;
      }
      c[i * ldc + j] = beta === 0 ? alpha * s : beta * c[i * ldc + j] + alpha * s;
    }
  }
}

interface Case { transA: boolean; transB: boolean; m: number; n: number; k: number; alpha: number; beta: number; pad: number; offset: number }

/**
 * Runs one case on `kernels` with A, B, C as subarray views (offset > 0) into larger buffers
 * with row strides cols + pad; checks C against the naive result (|error| ≤ 4·k·ε·Σ|terms|
 * bound simplified to 8·k·ε·(|alpha|·k + |beta|)) and that nothing outside C's block moved.
 */
function runCase(kernels: DenseKernels, cs: Case, seed: number): void {
  const { transA, transB, m, n, k, alpha, beta, pad, offset } = cs;
  const r = rng(seed);
  const aRows = transA ? k : m, aCols = transA ? m : k;
  const bRows = transB ? n : k, bCols = transB ? k : n;
  const lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
  const aBuf = randomArray(offset + aRows * lda, r);
  const bBuf = randomArray(offset + bRows * ldb, r);
  const cBuf = randomArray(offset + m * ldc, r);
  if (beta === 0) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) cBuf[offset + i * ldc + j] = j % 2 === 0 ? NaN : Infinity;
  const cRef = Float64Array.from(cBuf);
  const aCopy = Float64Array.from(aBuf), bCopy = Float64Array.from(bBuf);
  naiveGemm(transA, transB, m, n, k, alpha, aBuf.subarray(offset), lda, bBuf.subarray(offset), ldb, beta, cRef.subarray(offset), ldc);
  kernels.gemm(transA, transB, m, n, k, alpha, aBuf.subarray(offset), lda, bBuf.subarray(offset), ldb, beta, cBuf.subarray(offset), ldc);
  const tol = 8 * (k + 1) * EPS * (Math.abs(alpha) * k + Math.abs(beta) + 1);
  const label = `${kernels.name} ${JSON.stringify(cs)}`;
  for (let q = 0; q < cBuf.length; q++) {
    const got = cBuf[q], want = cRef[q];
    if (Number.isNaN(want)) assert.ok(Number.isNaN(got), `${label}: C[${q}] should stay NaN`);
    else assert.ok(Math.abs(got - want) <= tol, `${label}: C[${q}] = ${got}, expected ${want}`);
  }
  // Padding and the prefix are untouched exactly (checked above via the naive copy), A and B too.
  assert.deepEqual(aBuf, aCopy);
  assert.deepEqual(bBuf, bCopy);
}

function allCases(): Case[] {
  const cases: Case[] = [];
  const shapes: [number, number, number][] = [
    [1, 1, 1], [3, 5, 2], [4, 4, 4], [5, 7, 9], [8, 16, 16], [13, 6, 11], [17, 9, 1], [2, 3, 300], [6, 261, 5],
  ];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      for (const [m, n, k] of shapes) {
        for (const [alpha, beta] of [[1, 0], [1, 1], [-0.75, 0.3], [2, 0]]) {
          cases.push({ transA, transB, m, n, k, alpha, beta, pad: (m + n) % 3, offset: (m * 7 + k) % 5 });
        }
      }
    }
  }
  return cases;
}

for (const [name, kernels] of kernelSets) {
  const skip = kernels === undefined ? skipOpenBlas : false;

  test(`${name} gemm: all trans cases, strided subarrays, alpha/beta against the naive loop`, { skip }, () => {
    let seed = 1;
    for (const cs of allCases()) runCase(kernels!, cs, seed++);
  });

  test(`${name} gemm: MLP shapes (N×in·Wᵀ, dZ·W, dZᵀ·A) with interleaved strides`, { skip }, () => {
    const r = rng(99);
    const N = 203, inW = 16, outW = 8;
    // [A | extra] interleaved rows (stride 2·inW), as the MLP oracle's fused buffers do.
    const aBuf = randomArray(N * 2 * inW, r);
    const w = randomArray(outW * inW, r);
    const dzBuf = randomArray(N * 2 * outW, r);
    const cases: [boolean, boolean, number, number, number, Float64Array, number, Float64Array, number, number][] = [
      [false, true, N, outW, inW, aBuf.subarray(inW), 2 * inW, w, inW, outW],
      [false, false, N, inW, outW, dzBuf.subarray(outW), 2 * outW, w, inW, inW],
      [true, false, outW, inW, N, dzBuf.subarray(outW), 2 * outW, aBuf.subarray(inW), 2 * inW, inW],
    ];
    for (const [ta, tb, m, n, k, a, lda, b, ldb, ldc] of cases) {
      const got = new Float64Array(m * ldc).fill(NaN);
      const want = new Float64Array(m * ldc);
      kernels!.gemm(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, got, ldc);
      naiveGemm(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, want, ldc);
      for (let q = 0; q < got.length; q++) assert.ok(Math.abs(got[q] - want[q]) <= 16 * k * EPS * k, `${ta}${tb} C[${q}]`);
    }
  });

  test(`${name} gemm: alpha = 0 and k = 0 only scale C; bad arguments throw`, { skip }, () => {
    const k = kernels!;
    const a = new Float64Array(6).fill(NaN), b = new Float64Array(6).fill(NaN);
    const c = new Float64Array([1, 2, 3, 4]);
    k.gemm(false, false, 2, 2, 3, 0, a, 3, b, 2, 2, c, 2);
    assert.deepEqual(c, new Float64Array([2, 4, 6, 8]));
    const c0 = new Float64Array([NaN, 1, Infinity, 2]);
    k.gemm(false, false, 2, 2, 0, 1, new Float64Array(0), 1, new Float64Array(0), 2, 0, c0, 2);
    assert.deepEqual(c0, new Float64Array(4));
    k.gemm(false, false, 0, 2, 3, 1, a, 3, b, 2, 0, c, 2); // m = 0: no-op
    assert.deepEqual(c, new Float64Array([2, 4, 6, 8]));
    assert.throws(() => k.gemm(false, false, 2, 2, 3, 1, new Float64Array(5), 3, b, 2, 0, c, 2), RangeError);
    assert.throws(() => k.gemm(false, true, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2), RangeError); // ldb < k
    assert.throws(() => k.gemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, new Float64Array(3), 2), RangeError);
  });

  test(`${name} symmetricEigen: residual, orthogonality, input untouched`, { skip }, () => {
    const n = 30;
    const r = rng(5);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = 2 * r.uniform() - 1;
    const before = Float64Array.from(a);
    const { values, vectors } = kernels!.symmetricEigen(a, n, true);
    assert.deepEqual(a, before);
    let fro = 0;
    for (const x of a) fro += x * x;
    fro = Math.sqrt(fro);
    for (let i = 1; i < n; i++) assert.ok(values[i - 1] <= values[i]);
    for (let row = 0; row < n; row++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += a[i * n + j] * vectors![row * n + j];
        assert.ok(Math.abs(s - values[row] * vectors![row * n + i]) <= 10 * n * EPS * fro, `row ${row} is not an eigenvector`);
      }
    }
    const vOnly = kernels!.symmetricEigen(a, n, false);
    assert.equal(vOnly.vectors, undefined);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(vOnly.values[i] - values[i]) <= 10 * n * EPS * fro);
    assert.throws(() => kernels!.symmetricEigen(new Float64Array([1, NaN, NaN, 1]), 2, false), RangeError);
  });
}

test('OpenBLAS through koffi honours the byteOffset of subarray views', { skip: skipOpenBlas }, () => {
  const buf = Float64Array.from({ length: 20 }, (_, i) => i);
  const c = new Float64Array(10).fill(NaN);
  // [3 4; 5 6]·[10 11; 12 13] written into c[5..8]
  openblas!.gemm(false, false, 2, 2, 2, 1, buf.subarray(3, 7), 2, buf.subarray(10, 14), 2, 0, c.subarray(5, 9), 2);
  assert.deepEqual(Array.from(c.subarray(5, 9)), [78, 85, 122, 133]);
  assert.ok([0, 1, 2, 3, 4, 9].every((q) => Number.isNaN(c[q])), 'wrote outside the view');
  const sym = new Float64Array([99, 2, 1, 1, 2, 99]);
  const e = openblas!.symmetricEigen(sym.subarray(1, 5), 2, false);
  assert.deepEqual(Array.from(e.values).map((x) => Math.round(x * 1e12) / 1e12), [1, 3]);
});

test('OpenBLAS agrees with the TypeScript kernels (gemm, eigenvalues, eigenvectors up to sign)', { skip: skipOpenBlas }, () => {
  const ob = openblas!;
  const r = rng(2024);
  for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
    const m = 37, n = 19, k = 45;
    const a = randomArray(m * k, r), b = randomArray(k * n, r);
    const c1 = new Float64Array(m * n), c2 = new Float64Array(m * n);
    typescriptKernels.gemm(ta, tb, m, n, k, 1.5, a, ta ? m : k, b, tb ? k : n, 0, c1, n);
    ob.gemm(ta, tb, m, n, k, 1.5, a, ta ? m : k, b, tb ? k : n, 0, c2, n);
    for (let q = 0; q < c1.length; q++) assert.ok(Math.abs(c1[q] - c2[q]) <= 8 * k * EPS * 1.5 * k);
  }
  for (const n of [1, 2, 7, 40]) {
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = 2 * r.uniform() - 1;
    const ts = typescriptKernels.symmetricEigen(a, n, true);
    const bl = ob.symmetricEigen(a, n, true);
    let fro = 0;
    for (const x of a) fro += x * x;
    const tol = 20 * n * EPS * Math.sqrt(fro);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(ts.values[i] - bl.values[i]) <= tol, `n=${n} λ${i}`);
    // Random matrices have well-separated eigenvalues: vectors agree up to sign to ~ tol/gap.
    for (let row = 0; row < n; row++) {
      let gap = Infinity;
      if (row > 0) gap = Math.min(gap, ts.values[row] - ts.values[row - 1]);
      if (row < n - 1) gap = Math.min(gap, ts.values[row + 1] - ts.values[row]);
      let d = 0;
      for (let j = 0; j < n; j++) d += ts.vectors![row * n + j] * bl.vectors![row * n + j];
      assert.ok(1 - Math.abs(d) <= 10 * (tol / Math.min(gap, 1)) ** 2 + 1e-13, `n=${n} vector ${row}: |dot| = ${Math.abs(d)}`);
    }
  }
});

test('selectKernels: typescript, cached auto, openblas or its error, GRADFLAT_KERNELS', () => {
  assert.equal(selectKernels('typescript'), typescriptKernels);
  const notices: string[] = [];
  const auto1 = selectKernels('auto', (m) => notices.push(m));
  const auto2 = selectKernels('auto', (m) => notices.push(m));
  assert.equal(auto1, auto2);
  if (openblas !== undefined) {
    assert.equal(auto1, openblas);
    assert.equal(selectKernels('openblas'), openblas);
    assert.equal(notices.length, 0);
  } else {
    assert.equal(auto1, typescriptKernels);
    assert.ok(notices.length <= 1); // once per process (may have been sent already)
    if (notices.length === 1) assert.match(notices[0], /apt-get install libopenblas0-pthread liblapacke|koffi/);
    assert.throws(() => selectKernels('openblas'), /OpenBLAS kernels were requested but are unavailable/);
  }
  const saved = process.env.GRADFLAT_KERNELS;
  try {
    process.env.GRADFLAT_KERNELS = 'typescript';
    assert.equal(selectKernels(), typescriptKernels);
    process.env.GRADFLAT_KERNELS = 'bogus';
    assert.throws(() => selectKernels(), /GRADFLAT_KERNELS must be one of auto\|typescript\|openblas/);
    assert.equal(selectKernels('typescript'), typescriptKernels); // explicit argument wins
  } finally {
    if (saved === undefined) delete process.env.GRADFLAT_KERNELS;
    else process.env.GRADFLAT_KERNELS = saved;
  }
});
