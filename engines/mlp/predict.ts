/**
 * Plain forward pass for reporting (accuracy of a classifier's training runs): outputs of the
 * network at θ for every sample, with the scalar activations of architecture.ts. Not used by
 * the oracles, which have their own blocked passes.
 */
import { activationValue, layerLayout, resolveMlpSpec, type MlpSpec } from './architecture.js';

/** N×d_out outputs (logits for a softmax classifier). */
export function mlpOutputs(spec: MlpSpec, inputs: Float64Array, N: number, theta: Float64Array): Float64Array {
  const r = resolveMlpSpec(spec);
  let a = inputs;
  for (const l of layerLayout(r)) {
    const z = new Float64Array(N * l.outputs);
    for (let s = 0; s < N; s++) {
      for (let o = 0; o < l.outputs; o++) {
        let v = l.biasOffset >= 0 ? theta[l.biasOffset + o] : 0;
        const w = l.weightOffset + o * l.inputs;
        for (let i = 0; i < l.inputs; i++) v += theta[w + i] * a[s * l.inputs + i];
        z[s * l.outputs + o] = activationValue(l.activation, v);
      }
    }
    a = z;
  }
  return a;
}

/** Share of samples whose largest output is at their label. */
export function classificationAccuracy(spec: MlpSpec, inputs: Float64Array, labels: Int32Array, theta: Float64Array): number {
  const N = labels.length;
  const d = spec.layers[spec.layers.length - 1];
  const out = mlpOutputs(spec, inputs, N, theta);
  let correct = 0;
  for (let s = 0; s < N; s++) {
    let best = 0;
    for (let k = 1; k < d; k++) if (out[s * d + k] > out[s * d + best]) best = k;
    if (best === labels[s]) correct++;
  }
  return correct / N;
}
