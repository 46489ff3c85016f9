/**
 * Dense float64 kernels. Two implementations exist: pure TypeScript (always available) and
 * OpenBLAS/LAPACKE through an FFI (used when the system has the libraries). Matrices are
 * contiguous row-major `Float64Array`s; pass `subarray` views to address part of a buffer.
 */
export interface DenseKernels {
  /** 'typescript' or 'openblas'. */
  readonly name: string;
  /**
   * C ← alpha·op(A)·op(B) + beta·C, row-major, op(X) = Xᵀ when trans is true.
   * op(A) is m×k, op(B) is k×n, C is m×n; lda/ldb/ldc are row strides of the stored matrices.
   * With beta = 0, C's old contents are ignored (NaN there does not propagate).
   */
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Float64Array, lda: number, b: Float64Array, ldb: number,
    beta: number, c: Float64Array, ldc: number,
  ): void;
  /**
   * Eigen-decomposition of a symmetric n×n row-major matrix (only its full contents are read;
   * it is not modified). Eigenvalues come back ascending; with `wantVectors`, `vectors` holds
   * the eigenvectors as ROWS (row i belongs to values[i]), row-major n×n.
   */
  symmetricEigen(a: Float64Array, n: number, wantVectors: boolean): SymmetricEigen;
}

export interface SymmetricEigen {
  values: Float64Array;
  vectors?: Float64Array;
}
