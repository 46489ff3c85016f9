/**
 * Micro-benchmark of the MLP oracle on the paper's Fig. 3 network: a 16→8→16→16 Swish
 * autoencoder with biases (552 parameters), linear output, MSE, N = 10,000 samples (synthetic
 * Gaussian inputs standing in for the 4×4 MNIST pixels — the cost does not depend on the values).
 * Not wired into any CLI: call `benchMlpHvp(kernels, { threads })` from a script.
 */
import type { DenseKernels } from '../core/linalg/kernels.js';
import type { MlpSpec } from '../engines/mlp/architecture.js';
import { initMlpParameters, seededNormal } from '../engines/mlp/init.js';
import { MlpOracle } from '../engines/mlp/mlp-oracle.js';

export interface MlpBenchResult {
  /** Median ms per HVP with the forward/backward pass cached (same θ, new v each call). */
  msPerHvp: number;
  /** Median ms per loss+gradient at a fresh θ (forward + derivative cache + backward). */
  msPerGradient: number;
  /** GEMM flops of one cached HVP (2·m·n·k summed over the gemm calls; elementwise work excluded). */
  flopsPerHvp: number;
}

export interface MlpBenchOptions {
  N?: number;
  /** Timed calls per measurement (default 20 HVPs, 10 gradients). */
  hvpRepeats?: number;
  gradientRepeats?: number;
  spec?: MlpSpec;
  /** MlpOracle option `threads` (default 1: the calling thread only). */
  threads?: number;
}

export function benchMlpHvp(kernels: DenseKernels, options: MlpBenchOptions = {}): MlpBenchResult {
  const N = options.N ?? 10_000;
  const spec: MlpSpec = options.spec ?? {
    layers: [16, 8, 16, 16], hiddenActivation: 'swish', outputActivation: 'identity', biases: true, loss: 'mse', l2: 0,
  };
  const normal = seededNormal(12345);
  const dIn = spec.layers[0];
  const inputs = new Float64Array(N * dIn);
  for (let i = 0; i < inputs.length; i++) inputs[i] = normal();
  const oracle = new MlpOracle(spec, { inputs, N, targets: inputs }, kernels, { threads: options.threads ?? 1 });
  try {
    return timeOracle(oracle, spec, normal, options);
  } finally {
    oracle.dispose();
  }
}

function timeOracle(oracle: MlpOracle, spec: MlpSpec, normal: () => number, options: MlpBenchOptions): MlpBenchResult {
  const n = oracle.dim;
  const theta = initMlpParameters(spec, normal);
  const thetaB = theta.slice();
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = normal();
  const out = new Float64Array(n);
  const g = new Float64Array(n);

  // Warm-up (JIT) on both paths.
  for (let r = 0; r < 5; r++) {
    thetaB[0] = theta[0] + 1e-3 * (r + 1);
    oracle.gradient(thetaB, g);
    oracle.hvp(thetaB, v, out);
  }
  const hvpTimes: number[] = [];
  oracle.gradient(theta, g);
  for (let r = 0; r < (options.hvpRepeats ?? 20); r++) {
    v[r % n] += 0.5;
    const t0 = performance.now();
    oracle.hvp(theta, v, out);
    hvpTimes.push(performance.now() - t0);
  }
  const gradTimes: number[] = [];
  for (let r = 0; r < (options.gradientRepeats ?? 10); r++) {
    thetaB[1] = theta[1] + 1e-3 * (r + 1); // a new θ each time: no cache hit
    const t0 = performance.now();
    oracle.gradient(thetaB, g);
    gradTimes.push(performance.now() - t0);
  }
  return { msPerHvp: median(hvpTimes), msPerGradient: median(gradTimes), flopsPerHvp: oracle.flopsPerHvp() };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}
