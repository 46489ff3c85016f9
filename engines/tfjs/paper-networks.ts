/**
 * The networks of [GF] as MlpSpecs (the same spec runs on the f64 and the tfjs engine), plus
 * tanh variants so that every activation the paper uses (identity, swish, tanh) and every loss
 * (MSE, softmax cross-entropy, ℓ2) is covered by the engine-agreement tests and the bench.
 */
import type { MlpSpec } from '../mlp/architecture.js';

export const PAPER_NETWORKS: Readonly<Record<string, MlpSpec>> = Object.freeze({
  /** Fig. 1A/B: deep linear autoencoder. */
  'linear-ae': { layers: [16, 4, 16], hiddenActivation: 'identity', biases: false, loss: 'mse', l2: 0 },
  /** Fig. 1C/D: Swish autoencoder, no biases, ℓ2. */
  'swish-ae': { layers: [16, 16, 4, 16], hiddenActivation: 'swish', biases: false, loss: 'mse', l2: 1e-4 },
  /** Fig. 3: 16→8→16→16 Swish autoencoder with biases (4×4 MNIST). */
  'swish-ae-biases': { layers: [16, 8, 16, 16], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 0 },
  /** Fig. 4: 16→12→8→10 Swish classifier with biases, ℓ2, softmax cross-entropy. */
  'swish-classifier': { layers: [16, 12, 8, 10], hiddenActivation: 'swish', biases: true, loss: 'softmax-cross-entropy', l2: 1e-4 },
  /** Fig. 5: 32→32→4→2 Swish classifier, no biases, ℓ2, cross-entropy. */
  'swish-classifier-2': { layers: [32, 32, 4, 2], hiddenActivation: 'swish', biases: false, loss: 'softmax-cross-entropy', l2: 1e-4 },
  /** tanh hidden and output layers (the reference code's activation on the output layer), biases, ℓ2. */
  'tanh-ae': { layers: [16, 8, 16, 16], hiddenActivation: 'tanh', outputActivation: 'tanh', biases: true, loss: 'mse', l2: 1e-4 },
  /** tanh classifier with a swish output layer, cross-entropy. */
  'tanh-classifier': { layers: [16, 12, 8, 10], hiddenActivation: 'tanh', outputActivation: 'swish', biases: true, loss: 'softmax-cross-entropy', l2: 0 },
});

/** The five networks of the paper itself (the others are activation/loss variants). */
export const PAPER_ONLY = ['linear-ae', 'swish-ae', 'swish-ae-biases', 'swish-classifier', 'swish-classifier-2'] as const;
