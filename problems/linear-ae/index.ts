/** [GF] Fig. 1A/B: 16→4→16 linear autoencoder, no biases, MSE, Gaussian data; analytic critical points when λ = 0. */
import { linearAeCriticalPoints, linearAeSpec } from './truth.js';
import type { ProblemPlugin } from '../../core/registry/problems.js';
import { dataFileOption, engineOption, gaussianAutoencoder, l2Option, samplesOption, mlpDeclarations } from '../common/options.js';

export const linearAeProblem: ProblemPlugin = {
  name: 'linear-ae',
  description: '16→4→16 linear autoencoder, no biases, MSE, on Gaussian data ([GF] Fig. 1A/B); analytic critical points',
  options: {
    samples: samplesOption(10_000, 'generated samples'), l2: l2Option(0), dataFile: dataFileOption, engine: engineOption,
  },
  ...mlpDeclarations(16),
  build(o, ctx) {
    let spec = linearAeSpec(16, 4);
    if ((o.l2 as number) !== 0) spec = { ...spec, l2: o.l2 as number };
    const { inputs, samples, ...problem } = gaussianAutoencoder(o, ctx, spec, 'linear-ae');
    if (spec.l2 === 0) problem.truth = (cutoff) => linearAeCriticalPoints(inputs, samples, 16, 4, ctx.kernels, cutoff);
    return problem;
  },
};
