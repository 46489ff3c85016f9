/** The dense Hessian of an oracle, when n allows it: what spectra, exact solves and dense operators start from. */
import type { Oracle } from './oracle.js';
import { norm2 } from '../linalg/vector.js';
import { hessianFromHvps } from '../linalg/dense-hessian.js';

/** Largest n for which the dense Hessian (n HVPs, n² memory) is built by default. */
export const DENSE_MAX_DIM = 2000;

/**
 * The n×n row-major Hessian at θ: the oracle's own dense Hessian when it declares one,
 * otherwise n Hessian-vector products with unit vectors, symmetrised as (H + Hᵀ)/2.
 */
export function denseHessian(oracle: Oracle, theta: Float64Array): Float64Array {
  const n = oracle.dim;
  if (oracle.capabilities.has('dense-hessian') && oracle.hessian) return oracle.hessian(theta);
  return hessianFromHvps(n, (e, out) => { oracle.hvp(theta, e, out); });
}

export function frobeniusNorm(h: Float64Array): number {
  return norm2(h);
}
