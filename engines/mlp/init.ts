/**
 * The paper's initialisation ([GF] appendix A): every weight row — the incoming weights of one
 * output unit — is a random unit vector (a standard Gaussian vector normalised to length 1);
 * biases are 0.01. The random source is injected so that runs are reproducible: pass a seeded
 * `normal()` that returns independent standard normal draws.
 */
import { Rng } from '../../core/random/rng.js';
import { layerLayout, type MlpSpec, type ResolvedMlpSpec, parameterCount } from './architecture.js';

export interface MlpInitOptions {
  /** Bias value (default 0.01, the paper's). */
  bias?: number;
}

/** Returns θ (flat layout of architecture.ts), or fills `out` when given. */
export function initMlpParameters(
  spec: MlpSpec | ResolvedMlpSpec, normal: () => number, out?: Float64Array, options: MlpInitOptions = {},
): Float64Array {
  const n = parameterCount(spec);
  if (typeof normal !== 'function') throw new TypeError('initMlpParameters: `normal` must be a function returning standard normal draws');
  const theta = out ?? new Float64Array(n);
  if (theta.length !== n) throw new RangeError(`initMlpParameters: out has length ${theta.length}, but the network has ${n} parameters`);
  const bias = options.bias ?? 0.01;
  for (const layer of layerLayout(spec)) {
    const { inputs, outputs, weightOffset, biasOffset } = layer;
    for (let r = 0; r < outputs; r++) {
      const row = weightOffset + r * inputs;
      let ss = 0;
      // Redraw in the (probability-zero) case of an all-zero or non-finite draw.
      for (let attempt = 0; attempt < 100; attempt++) {
        ss = 0;
        for (let c = 0; c < inputs; c++) {
          const z = normal();
          theta[row + c] = z;
          ss += z * z;
        }
        if (ss > 0 && Number.isFinite(ss)) break;
      }
      if (!(ss > 0 && Number.isFinite(ss))) throw new Error('initMlpParameters: `normal()` keeps returning zeros or non-finite values');
      const inv = 1 / Math.sqrt(ss);
      for (let c = 0; c < inputs; c++) theta[row + c] *= inv;
    }
    if (biasOffset >= 0) theta.fill(bias, biasOffset, biasOffset + outputs);
  }
  return theta;
}

/** A seeded standard-normal source (gradflat's one PRNG, core/random/rng.ts), for tests and examples. */
export function seededNormal(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.normal();
}
