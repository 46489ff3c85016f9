/**
 * Training data of an MLP problem and its validation: shapes against the spec, finiteness,
 * label range. Errors say which field, which sample/index, and how to fix it.
 */
import type { ResolvedMlpSpec } from './architecture.js';
import { UsageError } from '../../core/io/errors.js';

export interface MlpData {
  /** N×d_in, row-major (samples as rows). */
  inputs: Float64Array;
  /** Number of samples. */
  N: number;
  /** N×d_out targets, for loss 'mse' (autoencoder: targets = inputs). */
  targets?: Float64Array;
  /** N integer class labels in 0..d_out−1, for loss 'softmax-cross-entropy'. */
  labels?: Int32Array;
}

/** Checks shapes and finiteness of the data against the spec; throws errors that say how to fix them. */
export function validateMlpData(spec: ResolvedMlpSpec, data: MlpData): MlpData {
  if (data === null || typeof data !== 'object') throw new TypeError('MlpOracle data must be an object { inputs, N, targets? , labels? }');
  const dIn = spec.layers[0];
  const dOut = spec.layers[spec.layers.length - 1];
  const { N, inputs, targets, labels } = data;
  if (!Number.isInteger(N) || N < 1) throw new RangeError(`MlpOracle data.N must be a positive integer number of samples; got ${JSON.stringify(N)}`);
  if (!(inputs instanceof Float64Array)) {
    throw new TypeError(`MlpOracle data.inputs must be a Float64Array of N×d_in = ${N}×${dIn} values (samples as rows, row-major); got ${describe(inputs)}`);
  }
  if (inputs.length !== N * dIn) {
    throw new RangeError(`MlpOracle data.inputs has length ${inputs.length}, but N×d_in = ${N}×${dIn} = ${N * dIn} (d_in = layers[0]; samples as rows, row-major). Check data.N and the spec's input width.`);
  }
  checkFinite(inputs, dIn, 'data.inputs', 'feature');
  if (spec.loss === 'mse') {
    if (labels !== undefined) throw new TypeError("MlpOracle: data.labels is only for loss 'softmax-cross-entropy'; loss 'mse' uses data.targets (N×d_out). Remove labels or change the loss.");
    if (targets === undefined) throw new TypeError(`MlpOracle: loss 'mse' needs data.targets, a Float64Array of N×d_out = ${N}×${dOut} values (for an autoencoder pass targets = inputs).`);
    if (!(targets instanceof Float64Array)) throw new TypeError(`MlpOracle data.targets must be a Float64Array of N×d_out = ${N}×${dOut} values; got ${describe(targets)}`);
    if (targets.length !== N * dOut) {
      throw new RangeError(`MlpOracle data.targets has length ${targets.length}, but N×d_out = ${N}×${dOut} = ${N * dOut} (d_out = last entry of layers). Check the targets' shape or the spec's output width.`);
    }
    checkFinite(targets, dOut, 'data.targets', 'output');
  } else {
    if (targets !== undefined) throw new TypeError("MlpOracle: data.targets is only for loss 'mse'; loss 'softmax-cross-entropy' uses data.labels (Int32Array of class indices). Remove targets or change the loss.");
    if (labels === undefined) throw new TypeError(`MlpOracle: loss 'softmax-cross-entropy' needs data.labels, an Int32Array of N = ${N} class indices in 0..${dOut - 1}.`);
    if (!(labels instanceof Int32Array)) throw new TypeError(`MlpOracle data.labels must be an Int32Array of N = ${N} class indices; got ${describe(labels)}`);
    if (labels.length !== N) throw new RangeError(`MlpOracle data.labels has length ${labels.length}, but N = ${N} (one class index per sample).`);
    for (let i = 0; i < N; i++) {
      const y = labels[i];
      if (y < 0 || y >= dOut) {
        throw new UsageError(`MlpOracle data.labels[${i}] = ${y} is out of range: class indices must lie in 0..${dOut - 1} (d_out = ${dOut} = last entry of layers). Relabel the classes as 0..${dOut - 1} or widen the output layer.`);
      }
    }
  }
  return data;
}

function checkFinite(a: Float64Array, width: number, what: string, unit: string): void {
  for (let t = 0; t < a.length; t++) {
    if (!Number.isFinite(a[t])) {
      const i = Math.floor(t / width);
      throw new UsageError(`MlpOracle ${what} has a non-finite value ${a[t]} at sample ${i}, ${unit} ${t - i * width} (flat index ${t}). Remove or impute non-finite values before building the oracle.`);
    }
  }
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x !== 'object') return typeof x;
  return (x as object).constructor?.name ?? 'object';
}
