/** Small assertion helpers for float64 tests. */
import assert from 'node:assert/strict';

export function assertClose(actual: number, expected: number, tol: number, what = 'value'): void {
  const err = Math.abs(actual - expected);
  assert.ok(err <= tol, `${what}: got ${actual}, expected ${expected} (|diff| ${err.toExponential(2)} > tol ${tol.toExponential(2)})`);
}

/** max_i |a_i − b_i| ≤ tol·max(1, ‖b‖∞) */
export function assertVectorClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what = 'vector'): void {
  assert.equal(a.length, b.length, `${what}: length ${a.length} vs ${b.length}`);
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - b[i]);
    assert.ok(err <= tol * scale, `${what}[${i}]: got ${a[i]}, expected ${b[i]} (|diff| ${err.toExponential(2)} > ${(tol * scale).toExponential(2)})`);
  }
}

/** max_i |a_i − b_i| / max_i |b_i|: the relative error of a vector, in the max norm. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0; let den = 0;
  for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); }
  return num / den;
}
