/** [GF] Fig. 1C/D: 16→16→4→16 Swish autoencoder, no biases, ℓ2 (λ default 1e-4), Gaussian data. */
import type { OutputActivation } from '../../engines/mlp/architecture.js';
import type { ProblemPlugin } from '../../core/registry/problems.js';
import { dataFileOption, engineOption, gaussianAutoencoder, l2Option, outputActivationOption, samplesOption, mlpDeclarations } from '../common/options.js';

export const swishAeProblem: ProblemPlugin = {
  name: 'swish-ae',
  description: '16→16→4→16 Swish autoencoder, no biases, ℓ2, on Gaussian data ([GF] Fig. 1C/D)',
  options: {
    samples: samplesOption(10_000, 'generated samples'), l2: l2Option(1e-4), outputActivation: outputActivationOption,
    dataFile: dataFileOption, engine: engineOption,
  },
  ...mlpDeclarations(16),
  build(o, ctx) {
    const spec = {
      layers: [16, 16, 4, 16], hiddenActivation: 'swish' as const, outputActivation: o.outputActivation as OutputActivation,
      biases: false, loss: 'mse' as const, l2: o.l2 as number,
    };
    const { inputs: _i, samples: _s, ...problem } = gaussianAutoencoder(o, ctx, spec, 'swish-ae');
    return problem;
  },
};
