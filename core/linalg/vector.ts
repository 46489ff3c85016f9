/**
 * Float64 vector helpers. Every solver and metric in gradflat works on `Float64Array`
 * (the paper's linear-autoencoder check reaches ‖g‖² ≈ 1e-30, below float32's reach).
 * Functions that produce a vector take an optional `out` so hot loops need not allocate.
 */

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Euclidean norm, scaled so that it neither overflows nor underflows (like LAPACK's dnrm2). */
export function norm2(a: Float64Array): number {
  let scale = 0;
  let ssq = 1;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v !== 0) {
      const abs = Math.abs(v);
      if (scale < abs) {
        const q = scale / abs;
        ssq = 1 + ssq * q * q;
        scale = abs;
      } else {
        const q = abs / scale;
        ssq += q * q;
      }
    }
  }
  return scale * Math.sqrt(ssq);
}

export function normSq(a: Float64Array): number {
  return dot(a, a);
}

/** y ← y + alpha·x */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): Float64Array {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
  return y;
}

/** out ← x + alpha·y */
export function addScaled(x: Float64Array, alpha: number, y: Float64Array, out = new Float64Array(x.length)): Float64Array {
  for (let i = 0; i < x.length; i++) out[i] = x[i] + alpha * y[i];
  return out;
}

/** out ← alpha·x */
export function scale(alpha: number, x: Float64Array, out = new Float64Array(x.length)): Float64Array {
  for (let i = 0; i < x.length; i++) out[i] = alpha * x[i];
  return out;
}

export function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** Index of the first non-finite entry, or -1. */
export function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

export function equalArrays(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
