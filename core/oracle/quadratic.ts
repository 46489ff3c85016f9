/**
 * f(θ) = ½θᵀAθ + bᵀθ with a chosen symmetric A (possibly singular or indefinite): a problem
 * whose gradient Aθ + b, Hessian A and critical set are known exactly, for tests.
 */
import { checkTheta, emptyCounters, type LossAndGradient, type Oracle, type OracleCapability } from './oracle.js';

export class QuadraticOracle implements Oracle {
  readonly dim: number;
  readonly capabilities: ReadonlySet<OracleCapability> = new Set<OracleCapability>(['dense-hessian']);
  readonly counters = emptyCounters();
  private readonly a: Float64Array;
  private readonly b: Float64Array;

  /** `a` is n×n row-major and must be symmetric; `b` has length n. */
  constructor(a: Float64Array, b: Float64Array) {
    const n = b.length;
    if (a.length !== n * n) throw new RangeError(`QuadraticOracle: A has ${a.length} entries, expected n² = ${n * n} for b of length ${n}`);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const d = Math.abs(a[i * n + j] - a[j * n + i]);
        if (d > 1e-12 * (Math.abs(a[i * n + j]) + Math.abs(a[j * n + i]) + 1e-300)) {
          throw new RangeError(`QuadraticOracle: A is not symmetric (A[${i},${j}] = ${a[i * n + j]} but A[${j},${i}] = ${a[j * n + i]})`);
        }
      }
    }
    this.dim = n;
    this.a = Float64Array.from(a);
    this.b = Float64Array.from(b);
  }

  static diagonal(d: ArrayLike<number>, b: ArrayLike<number>): QuadraticOracle {
    const n = d.length;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) a[i * n + i] = d[i];
    return new QuadraticOracle(a, Float64Array.from(b));
  }

  private mul(v: Float64Array, out: Float64Array): Float64Array {
    const n = this.dim;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += this.a[i * n + j] * v[j];
      out[i] = s;
    }
    return out;
  }

  loss(theta: Float64Array): number {
    checkTheta(theta, this.dim);
    this.counters.loss++;
    return this.value(theta);
  }

  private value(theta: Float64Array): number {
    const av = this.mul(theta, new Float64Array(this.dim));
    let s = 0;
    for (let i = 0; i < this.dim; i++) s += 0.5 * theta[i] * av[i] + this.b[i] * theta[i];
    return s;
  }

  gradient(theta: Float64Array, out: Float64Array = new Float64Array(this.dim)): LossAndGradient {
    checkTheta(theta, this.dim);
    this.counters.gradient++;
    this.mul(theta, out);
    for (let i = 0; i < this.dim; i++) out[i] += this.b[i];
    return { loss: this.value(theta), gradient: out };
  }

  hvp(theta: Float64Array, v: Float64Array, out: Float64Array = new Float64Array(this.dim)): Float64Array {
    checkTheta(theta, this.dim);
    this.counters.hvp++;
    return this.mul(v, out);
  }

  hessian(theta: Float64Array): Float64Array {
    checkTheta(theta, this.dim);
    return Float64Array.from(this.a);
  }
}
