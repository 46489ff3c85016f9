/** [GF] Fig. 4: 16→12→8→10 Swish classifier, biases, ℓ2 (1e-4), softmax cross-entropy, on 4×4 MNIST (n = 398). */
import type { Engine } from '../../engines/select.js';
import { mlpProblem } from '../common/mlp-problem.js';
import type { ProblemPlugin } from '../../core/registry/problems.js';
import { engineOption, l2Option, MOMENTUM_STARTS, mnistFeatures, samplesOption, mlpDeclarations } from '../common/options.js';

export const mnistClassifierProblem: ProblemPlugin = {
  name: 'mnist-classifier',
  description: '16→12→8→10 Swish classifier, biases, ℓ2, softmax cross-entropy, on 4×4 MNIST ([GF] Fig. 4)',
  options: { samples: samplesOption(10_000, 'MNIST training images (the first ones)'), l2: l2Option(1e-4), engine: engineOption },
  ...mlpDeclarations(16),
  build(o, ctx) {
    const { inputs, labels, n, source } = mnistFeatures(o.samples as number);
    return mlpProblem({
      spec: { layers: [16, 12, 8, 10], hiddenActivation: 'swish', biases: true, loss: 'softmax-cross-entropy', l2: o.l2 as number },
      data: { inputs, labels, N: n }, ctx, engine: o.engine as Engine, source, startDefaults: MOMENTUM_STARTS,
    });
  },
};
