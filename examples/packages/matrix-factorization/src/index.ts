/**
 * gradflat-matrix-factorization: fit M ≈ U Vᵀ, U ∈ ℝ^{rows×k}, V ∈ ℝ^{cols×k},
 *   f(U, V) = ½‖U Vᵀ − M‖²_F,
 * with M a planted matrix of rank r (Gaussian factors, seeded). Non-convex with a continuum of
 * global minima (U V ᵀ is unchanged by U → UA, V → VA⁻ᵀ, so the Hessian is singular there) and
 * strict saddles at the other critical points (Baldi & Hornik 1989; Ge, Jin & Zheng 2017): a
 * small test bed for gradient-flat regions. θ = [vec(U); vec(V)], row-major.
 *
 * Gradient: R = UVᵀ − M, ∇_U = R V, ∇_V = Rᵀ U.
 * Hessian along (dU, dV): with D = dU Vᵀ + U dVᵀ, H·(dU, dV) = (D V + R dV, Dᵀ U + Rᵀ dU).
 */
import { functionOracle, type ProblemPlugin } from 'gradflat';

/** mulberry32 with Box–Muller: the planted matrix depends on ctx.seed only. */
function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

interface Shape { rows: number; cols: number; k: number }

/** R = UVᵀ − M (rows×cols, row-major). */
function residual({ rows, cols, k }: Shape, t: Float64Array, M: Float64Array): Float64Array {
  const R = new Float64Array(rows * cols);
  const V0 = rows * k;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += t[i * k + c] * t[V0 + j * k + c];
      R[i * cols + j] = s - M[i * cols + j];
    }
  }
  return R;
}

/** (A B, Aᵀ C) products of the formulas above: out_U = X·W (rows×k), out_V = Xᵀ·Z (cols×k). */
function products({ rows, cols, k }: Shape, X: Float64Array, W: Float64Array, wOff: number, Z: Float64Array, zOff: number, out: Float64Array): void {
  const V0 = rows * k;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    const x = X[i * cols + j];
    if (x === 0) continue;
    for (let c = 0; c < k; c++) {
      out[i * k + c] += x * W[wOff + j * k + c];
      out[V0 + j * k + c] += x * Z[zOff + i * k + c];
    }
  }
}

const plugin: ProblemPlugin = {
  name: 'matrix-factorization',
  description: 'fit a planted rank-r matrix as U Vᵀ (½‖UVᵀ − M‖²): saddles and a singular valley of minima',
  options: {
    rows: { type: 'integer', default: 6, min: 1, description: 'rows of M' },
    cols: { type: 'integer', default: 5, min: 1, description: 'columns of M' },
    rank: { type: 'integer', default: 2, min: 1, description: 'rank r of the planted M' },
    k: { type: 'integer', default: 2, min: 1, description: 'inner dimension of the fit U Vᵀ' },
  },
  build(options, ctx) {
    const shape: Shape = { rows: options.rows as number, cols: options.cols as number, k: options.k as number };
    const r = options.rank as number;
    const draw = gaussian(ctx.seed);
    const A = Float64Array.from({ length: shape.rows * r }, draw), B = Float64Array.from({ length: shape.cols * r }, draw);
    const M = new Float64Array(shape.rows * shape.cols);
    for (let i = 0; i < shape.rows; i++) for (let j = 0; j < shape.cols; j++) for (let c = 0; c < r; c++) M[i * shape.cols + j] += A[i * r + c] * B[j * r + c];
    const dim = (shape.rows + shape.cols) * shape.k;
    const loss = (t: Float64Array) => 0.5 * residual(shape, t, M).reduce((s, x) => s + x * x, 0);
    return {
      oracle: functionOracle({
        dim,
        loss,
        gradient(t) {
          const R = residual(shape, t, M);
          const g = new Float64Array(dim);
          // ∇_U = R V, ∇_V = Rᵀ U.
          products(shape, R, t, shape.rows * shape.k, t, 0, g);
          return { loss: 0.5 * R.reduce((s, x) => s + x * x, 0), gradient: g };
        },
        hvp(t, v) {
          const { rows, cols, k } = shape;
          const R = residual(shape, t, M);
          const D = new Float64Array(rows * cols);
          for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
            let s = 0;
            for (let c = 0; c < k; c++) s += v[i * k + c] * t[rows * k + j * k + c] + t[i * k + c] * v[rows * k + j * k + c];
            D[i * cols + j] = s;
          }
          const out = new Float64Array(dim);
          products(shape, D, t, rows * k, t, 0, out); // (D V, Dᵀ U)
          products(shape, R, v, rows * k, v, 0, out); // (R dV, Rᵀ dU)
          return out;
        },
      }),
      info: { ...shape, rank: r, parameters: dim },
      startingPoints: (count, rng) => Array.from({ length: count }, () => Float64Array.from({ length: dim }, () => 0.5 * rng.normal())),
    };
  },
};

export default plugin;
