/** Random MLP data for tests: seeded, with targets (MSE) or class labels (cross-entropy). */
import type { MlpSpec } from './architecture.js';
import type { MlpData } from './data.js';

export function randomVec(n: number, normal: () => number, s = 1): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = s * normal();
  return v;
}

/** N samples of N(0, 1) inputs, and N(0, 1) targets or uniform-ish labels, as the spec's loss needs. */
export function randomMlpData(spec: MlpSpec, N: number, normal: () => number): MlpData {
  const dIn = spec.layers[0];
  const dOut = spec.layers[spec.layers.length - 1];
  const inputs = randomVec(N * dIn, normal);
  if (spec.loss === 'mse') return { inputs, N, targets: randomVec(N * dOut, normal) };
  const labels = new Int32Array(N);
  for (let i = 0; i < N; i++) labels[i] = Math.floor(Math.abs(normal() * 1e6)) % dOut;
  return { inputs, N, labels };
}

/**
 * The n×n matrix whose column j is product(e_j), NOT symmetrised (tests compare it with its
 * transpose or with closed forms; core/linalg/dense-hessian.ts symmetrises for real use).
 */
export function denseFromProducts(n: number, product: (e: Float64Array) => Float64Array): Float64Array {
  const M = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e[j] = 1;
    const col = product(e);
    for (let a = 0; a < n; a++) M[a * n + j] = col[a];
    e[j] = 0;
  }
  return M;
}
