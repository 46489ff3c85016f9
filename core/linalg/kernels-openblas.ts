/**
 * OpenBLAS / LAPACKE dense kernels through the koffi FFI (an OPTIONAL dependency).
 *
 * - gemm → `cblas_dgemm` (CblasRowMajor, so row-major arguments pass straight through).
 * - symmetricEigen → `LAPACKE_dsyevd` (divide and conquer) in COLUMN-major layout on a
 *   symmetrized copy: a symmetric matrix reads the same in either layout, and the eigenvector
 *   columns it returns in column-major order are exactly ROWS in row-major order, so no
 *   transpose is needed either way. The caller's matrix is never handed to LAPACK.
 * - Float64Array arguments (including `subarray` views; koffi honours their byteOffset) are
 *   passed as `double *` without copying.
 * - OpenBLAS is pinned to one thread (`openblas_set_num_threads(1)`) when that symbol exists:
 *   at the MLP shapes this library uses (N = 10⁴, widths ≤ 32) a second thread did not help
 *   on the development machine (see bench/kernels.ts), and it competes with anything else.
 *
 * `loadOpenBlasKernels()` never throws: it returns `{ error }` saying what is missing (koffi,
 * the library, or a symbol). The result is cached per process.
 */
import { createRequire } from 'node:module';
import type { DenseKernels, SymmetricEigen } from './kernels.js';
import { checkGemmArgs, scaleC } from './kernels-typescript.js';
import { symmetrizedCopy } from './symmetric-eigen.js';

/** The part of koffi's API used here (declared locally: koffi may be absent at build time). */
interface KoffiFunction {
  (...args: unknown[]): unknown;
}
interface KoffiLibrary {
  func(declaration: string): KoffiFunction;
}
interface Koffi {
  load(path: string): KoffiLibrary;
}

const CBLAS_ROW_MAJOR = 101;
const CBLAS_NO_TRANS = 111;
const CBLAS_TRANS = 112;
const LAPACK_COL_MAJOR = 102;
const CHAR_N = 'N'.charCodeAt(0);
const CHAR_V = 'V'.charCodeAt(0);
const CHAR_U = 'U'.charCodeAt(0);

/** Tried in order for cblas_dgemm (the generic names last). */
const BLAS_NAMES = [
  'libopenblas.so.0', 'libopenblas.so', 'libopenblas.dylib', 'libopenblas.0.dylib',
  'libcblas.so.3', 'libcblas.so', 'libblas.so.3', 'libblas.so',
];
/** Tried for LAPACKE_dsyevd after the BLAS library itself (upstream OpenBLAS builds bundle LAPACKE). */
const LAPACKE_NAMES = ['liblapacke.so.3', 'liblapacke.so', 'liblapacke.dylib'];

const DGEMM_DECL =
  'void cblas_dgemm(int order, int transA, int transB, int m, int n, int k, double alpha, ' +
  'const double *a, int lda, const double *b, int ldb, double beta, double *c, int ldc)';
const DSYEVD_DECL =
  'int LAPACKE_dsyevd(int layout, char jobz, char uplo, int n, double *a, int lda, double *w)';

let cached: { kernels: DenseKernels } | { error: string } | undefined;

/**
 * What decides OpenBLAS's round-off on this machine: the library loaded and the CPU kernel it
 * chose at load time (`openblas_get_corename`: Haswell, SkylakeX, Sandybridge...; set by
 * OPENBLAS_CORETYPE or detected), its build configuration and its thread count. Two machines
 * whose kernels differ can write different numbers for the same run.
 */
export interface BlasInfo {
  library: string;
  corename?: string;
  config?: string;
  threads?: number;
}

let blasInfo: BlasInfo | undefined;

/** The loaded BLAS's BlasInfo (undefined until loadOpenBlasKernels succeeded). */
export function openBlasInfo(): BlasInfo | undefined {
  loadOpenBlasKernels();
  return blasInfo;
}

function readString(lib: KoffiLibrary, decl: string): string | undefined {
  const f = tryFunc(lib, decl);
  if (f === undefined) return undefined;
  try {
    const v = f();
    return typeof v === 'string' ? v.trim() : undefined;
  } catch {
    return undefined;
  }
}

function message(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0];
}

function tryLoad(koffi: Koffi, name: string): KoffiLibrary | string {
  try {
    return koffi.load(name);
  } catch (e) {
    return message(e);
  }
}

function optional<K extends string, V>(key: K, v: V | undefined): Partial<Record<K, V>> {
  return v === undefined ? {} : { [key]: v } as Record<K, V>;
}

function tryFunc(lib: KoffiLibrary, decl: string): KoffiFunction | undefined {
  try {
    return lib.func(decl);
  } catch {
    return undefined;
  }
}

function build(): { kernels: DenseKernels } | { error: string } {
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
  } catch (e) {
    return { error: `the optional npm dependency koffi is not installed or does not load (${message(e)})` };
  }

  // BLAS: the first library that loads and exports cblas_dgemm.
  let blas: KoffiLibrary | undefined;
  let blasName = '';
  let dgemm: KoffiFunction | undefined;
  const blasFailures: string[] = [];
  for (const name of BLAS_NAMES) {
    const lib = tryLoad(koffi, name);
    if (typeof lib === 'string') { blasFailures.push(name); continue; }
    const f = tryFunc(lib, DGEMM_DECL);
    if (f === undefined) { blasFailures.push(`${name} (no cblas_dgemm)`); continue; }
    blas = lib;
    blasName = name;
    dgemm = f;
    break;
  }
  if (blas === undefined || dgemm === undefined) {
    return { error: `no CBLAS library found (tried ${blasFailures.join(', ')})` };
  }

  // LAPACKE: bundled in the BLAS library, or a separate liblapacke.
  let dsyevd = tryFunc(blas, DSYEVD_DECL);
  const lapackeFailures: string[] = [`${blasName} (no LAPACKE_dsyevd)`];
  for (const name of LAPACKE_NAMES) {
    if (dsyevd !== undefined) break;
    const lib = tryLoad(koffi, name);
    if (typeof lib === 'string') { lapackeFailures.push(name); continue; }
    dsyevd = tryFunc(lib, DSYEVD_DECL);
    if (dsyevd === undefined) lapackeFailures.push(`${name} (no LAPACKE_dsyevd)`);
  }
  if (dsyevd === undefined) {
    return { error: `no LAPACKE library found (tried ${lapackeFailures.join(', ')})` };
  }

  // One thread (if this is OpenBLAS; other BLASes have their own knobs).
  const setThreads = tryFunc(blas, 'void openblas_set_num_threads(int n)');
  if (setThreads !== undefined) {
    try { setThreads(1); } catch (e) { return { error: `openblas_set_num_threads failed: ${message(e)}` }; }
  }

  const threads = tryFunc(blas, 'int openblas_get_num_threads()');
  blasInfo = {
    library: blasName,
    ...optional('corename', readString(blas, 'const char *openblas_get_corename()')),
    ...optional('config', readString(blas, 'const char *openblas_get_config()')),
    ...optional('threads', threads ? Number(threads()) : undefined),
  };

  const cblasDgemm = dgemm;
  const lapackeDsyevd = dsyevd;
  let scratch = new Float64Array(0);

  function gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Float64Array, lda: number, b: Float64Array, ldb: number,
    beta: number, c: Float64Array, ldc: number,
  ): void {
    // Out-of-range arguments would make native code read or write out of bounds: check first.
    checkGemmArgs(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc);
    if (m === 0 || n === 0) return;
    if (alpha === 0 || k === 0) { scaleC(m, n, beta, c, ldc); return; }
    cblasDgemm(
      CBLAS_ROW_MAJOR, transA ? CBLAS_TRANS : CBLAS_NO_TRANS, transB ? CBLAS_TRANS : CBLAS_NO_TRANS,
      m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
    );
  }

  function symmetricEigen(a: Float64Array, n: number, wantVectors: boolean): SymmetricEigen {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`symmetricEigen: bad order n = ${n}`);
    if (a.length < n * n) throw new RangeError(`symmetricEigen: array of length ${a.length} is too short for ${n}×${n}`);
    const values = new Float64Array(n);
    if (n === 0) return wantVectors ? { values, vectors: new Float64Array(0) } : { values };
    // Symmetrized full copy (same convention as the TypeScript solver): into the result
    // array when vectors are wanted (dsyevd overwrites it with them), else into scratch.
    let w: Float64Array;
    if (wantVectors) {
      w = new Float64Array(n * n);
    } else {
      if (scratch.length < n * n) scratch = new Float64Array(n * n);
      w = scratch.subarray(0, n * n);
    }
    symmetrizedCopy(a, n, w);
    const info = lapackeDsyevd(LAPACK_COL_MAJOR, wantVectors ? CHAR_V : CHAR_N, CHAR_U, n, w, n, values) as number;
    if (info !== 0) {
      throw new Error(info > 0
        ? `symmetricEigen: LAPACKE_dsyevd failed to converge (info = ${info})`
        : `symmetricEigen: LAPACKE_dsyevd rejected argument ${-info} (info = ${info})`);
    }
    return wantVectors ? { values, vectors: w } : { values };
  }

  return { kernels: { name: 'openblas', gemm, symmetricEigen } };
}

/**
 * OpenBLAS/LAPACKE kernels, or the reason they are unavailable. Never throws; cached.
 */
export function loadOpenBlasKernels(): { kernels: DenseKernels } | { error: string } {
  if (cached === undefined) {
    try {
      cached = build();
    } catch (e) {
      cached = { error: `unexpected failure while loading OpenBLAS: ${message(e)}` };
    }
  }
  return cached;
}
