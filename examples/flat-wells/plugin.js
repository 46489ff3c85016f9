// A problem with exactly gradient-flat points, as a gradflat problem plugin (docs/problems.md):
// separable double wells in x plus linear directions z of zero curvature,
//
//     f(x, z) = Σᵢ (xᵢ² − 1)² / 4 + slope · Σⱼ zⱼ,   H = diag(3xᵢ² − 1, 0, …, 0).
//
// Wherever every well sits at a stationary point (xᵢ ∈ {−1, 0, 1}) the gradient is (0, slope, …)
// and lies in ker H exactly: spectral share 1 at every τ, Hg = 0. Newton-MR converges there in x
// while z stays put (the minimum-norm solve has no component in ker H). The paper's r of a
// truncated solve need not see it: MINRES-QLP may stop early with a long p along g.
// This file imports only from 'gradflat'.
import { functionOracle } from 'gradflat';

const flatWells = {
  name: 'flat-wells',
  description: 'separable double wells (x² − 1)²/4 plus linear directions of zero curvature: g ∈ ker H wherever the wells are stationary',
  options: {
    wells: { type: 'integer', min: 1, default: 39, description: 'double-well coordinates x' },
    linear: { type: 'integer', min: 1, default: 1, description: 'linear coordinates z (zero curvature)' },
    slope: { type: 'number', default: 0.1, description: 'gradient along every z' },
    jitter: { type: 'number', min: 0, default: 0.1, description: 'starts: xᵢ ∈ {−1, 0, 1} plus jitter·N(0, 1) (0: exactly gradient-flat)' },
  },
  build({ wells, linear, slope, jitter }) {
    const dim = wells + linear;
    const loss = (t) => {
      let s = 0;
      for (let i = 0; i < wells; i++) s += (t[i] * t[i] - 1) ** 2 / 4;
      for (let j = wells; j < dim; j++) s += slope * t[j];
      return s;
    };
    const oracle = functionOracle({
      dim,
      loss,
      gradient: (t) => {
        const g = new Float64Array(dim);
        for (let i = 0; i < wells; i++) g[i] = t[i] * t[i] * t[i] - t[i];
        for (let j = wells; j < dim; j++) g[j] = slope;
        return { loss: loss(t), gradient: g };
      },
      hvp: (t, v) => {
        const h = new Float64Array(dim);
        for (let i = 0; i < wells; i++) h[i] = (3 * t[i] * t[i] - 1) * v[i];
        return h; // zero along z: no curvature
      },
    });
    return {
      oracle,
      info: { wells, linear, slope },
      startingPoints: (count, rng) => Array.from({ length: count }, () => Float64Array.from({ length: dim }, (_, i) => {
        if (i >= wells) return rng.normal();
        const u = rng.uniform();
        return (u < 1 / 3 ? -1 : u < 2 / 3 ? 0 : 1) + jitter * rng.normal();
      })),
    };
  },
};

export default flatWells;
