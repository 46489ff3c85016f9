/** [GF] Fig. 3: 16→8→16→16 Swish autoencoder, biases, no ℓ2, on 4×4 MNIST (n = 552). */
import type { Engine } from '../../engines/select.js';
import type { OutputActivation } from '../../engines/mlp/architecture.js';
import { mlpProblem } from '../common/mlp-problem.js';
import type { ProblemPlugin } from '../../core/registry/problems.js';
import { engineOption, l2Option, MOMENTUM_STARTS, mnistFeatures, outputActivationOption, samplesOption, mlpDeclarations } from '../common/options.js';

export const mnistAeProblem: ProblemPlugin = {
  name: 'mnist-ae',
  description: '16→8→16→16 Swish autoencoder, biases, on 4×4 MNIST ([GF] Fig. 3)',
  options: {
    samples: samplesOption(10_000, 'MNIST training images (the first ones)'), l2: l2Option(0), outputActivation: outputActivationOption, engine: engineOption,
  },
  ...mlpDeclarations(16),
  build(o, ctx) {
    const { inputs, n, source } = mnistFeatures(o.samples as number);
    return mlpProblem({
      spec: { layers: [16, 8, 16, 16], hiddenActivation: 'swish', outputActivation: o.outputActivation as OutputActivation, biases: true, loss: 'mse', l2: o.l2 as number },
      data: { inputs, targets: inputs, N: n }, ctx, engine: o.engine as Engine, source, startDefaults: MOMENTUM_STARTS,
    });
  },
};
