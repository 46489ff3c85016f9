/**
 * A user's `tf.LayersModel` (Sequential Dense layers) plus data and a loss name, as a gradflat
 * problem: an Oracle, the model's current weights as θ, and a way to write θ back.
 *
 * Accepted layers: Dense (any units, activation, useBias), Activation, InputLayer, and Dropout
 * (the identity: gradflat's loss is the deterministic inference-mode loss). The model's input
 * must be a flat vector per sample.
 *
 * When the network is one gradflat's MlpSpec describes — one hidden activation (linear, swish,
 * tanh or relu), an output activation in linear/swish/tanh (or softmax with a cross-entropy
 * loss, read as logits + softmax CE), and biases on every layer or on none — the result carries
 * that `spec`, and the oracle is the MLP oracle of the chosen engine: 'tfjs' (float32, HVP by
 * the R-operator in tfjs ops) or 'f64' (gradflat's float64 engine, the same numbers as
 * `--engine f64`). Any other Dense stack (mixed activations, sigmoid, mixed biases) gets a
 * `TfjsFunctionOracle` over the same layers written with safe ops (HVP by double backprop). That
 * loss is built from safe ops only, so its HVP needs no first-call finite-difference check — a
 * check that relu's kinks would fail with a right HVP; it is off. Its per-sample losses are
 * summed in float64 and its ℓ2 term added on the host in float64, as in the MLP oracle.
 *
 * θ layout (as everywhere in gradflat): per layer W (out×in, row-major, i.e. the TRANSPOSE of
 * tfjs's [in, out] kernel), then b. Loss conventions are the float64 engine's: MSE mean over
 * samples and outputs (= tfjs's meanSquaredError), softmax CE mean over samples, ℓ2 λ·mean(θ²).
 */
import type * as TF from '@tensorflow/tfjs';
import type { DenseKernels } from '../../core/linalg/kernels.js';
import { selectKernels } from '../../core/linalg/select-kernels.js';
import type { Oracle } from '../../core/oracle/oracle.js';
import type { HiddenActivation, MlpLoss, MlpSpec, OutputActivation } from '../mlp/architecture.js';
import { type MlpData, validateMlpData } from '../mlp/data.js';
import { resolveMlpSpec } from '../mlp/architecture.js';
import { MlpOracle } from '../mlp/mlp-oracle.js';
import { TfjsMlpOracle } from './mlp-r-operator.js';
import { loadTfjs } from './backend.js';
import { TfjsFunctionOracle } from './function-oracle.js';
import type { TfjsHvpMethod } from './mlp-r-operator.js';
import { safeOps } from './safe-ops.js';
import { UsageError } from '../../core/io/errors.js';

/** Samples: a tensor (N×d), rows of numbers, or a flat row-major Float64Array/Float32Array. */
export type TensorLike2D = TF.Tensor | number[][] | Float64Array | Float32Array;

export interface TfjsModelData {
  /** N×d_in inputs. */
  x: TensorLike2D;
  /**
   * MSE: N×d_out targets (for an autoencoder, the inputs again). Cross-entropy: N class indices
   * (Int32Array, number[] or a 1-D tensor) or an N×C one-hot matrix.
   */
  y: TensorLike2D | Int32Array | number[];
}

export interface TfjsModelOptions {
  /**
   * 'mse' (alias meanSquaredError, mean_squared_error) or 'softmax-cross-entropy' (aliases
   * categoricalCrossentropy, sparseCategoricalCrossentropy and their snake_case forms).
   */
  loss: string;
  /** ℓ2 strength λ (penalty λ·mean(θ²)); default 0. */
  l2?: number;
  /** Engine of an MlpSpec network (default 'tfjs'); other networks always use tfjs. */
  engine?: 'tfjs' | 'f64';
  /** tfjs engine: how H·v is computed for an MlpSpec network (default 'r-operator'). */
  hvp?: TfjsHvpMethod;
  /** f64 engine: dense kernels (default: selectKernels() quietly). */
  kernels?: DenseKernels;
}

/** One Dense layer as gradflat reads it. */
export interface DenseLayerInfo {
  name: string;
  inputs: number;
  outputs: number;
  /** gradflat's name: identity for tfjs 'linear'. */
  activation: string;
  bias: boolean;
}

export interface TfjsModelProblem {
  oracle: Oracle;
  /** The MlpSpec when the model is one (then the same problem runs on either engine), else null. */
  spec: MlpSpec | null;
  layers: DenseLayerInfo[];
  /** The data in gradflat's float64 form. */
  data: MlpData;
  /** The model's current weights in gradflat's θ layout. */
  theta: Float64Array;
  /** Writes θ into the model's weights (rounded to float32). */
  toModel(theta: Float64Array): void;
  /** 'f64' or 'tfjs', and how the HVP is computed. */
  engine: 'f64' | 'tfjs';
}

const MSE_NAMES = ['mse', 'meansquarederror', 'mean_squared_error'];
const CE_NAMES = ['softmax-cross-entropy', 'categoricalcrossentropy', 'categorical_crossentropy', 'sparsecategoricalcrossentropy', 'sparse_categorical_crossentropy'];

export function lossFromName(name: string): MlpLoss {
  const k = String(name).toLowerCase();
  if (MSE_NAMES.includes(k)) return 'mse';
  if (CE_NAMES.includes(k)) return 'softmax-cross-entropy';
  throw new UsageError(`unsupported loss '${name}': use 'mse' (meanSquaredError) or 'softmax-cross-entropy' (categoricalCrossentropy, sparseCategoricalCrossentropy)`);
}

interface LayerLike {
  name: string;
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  getWeights(): TF.Tensor[];
  setWeights(w: TF.Tensor[]): void;
}

/** The Dense layers of a Sequential model, with activation layers folded in. */
export function denseLayersOf(model: TF.LayersModel): { layers: DenseLayerInfo[]; dense: LayerLike[]; outputSoftmax: boolean } {
  const all = (model as unknown as { layers: LayerLike[] }).layers;
  if (!Array.isArray(all) || all.length === 0) throw new TypeError('expected a tf.LayersModel (e.g. tf.sequential()) with at least one Dense layer');
  const layers: DenseLayerInfo[] = [];
  const dense: LayerLike[] = [];
  let outputSoftmax = false;
  for (const layer of all) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig();
    if (cls === 'Dense') {
      const w = layer.getWeights();
      const kernelShape = w[0].shape;
      layers.push({ name: layer.name, inputs: kernelShape[0]!, outputs: kernelShape[1]!, activation: 'identity', bias: w.length > 1 });
      dense.push(layer);
      setActivation(layers, String(cfg.activation ?? 'linear'), layer.name);
    } else if (cls === 'Activation') {
      if (layers.length === 0) throw new UsageError(`layer '${layer.name}': an Activation layer before the first Dense layer is not supported`);
      const last = layers[layers.length - 1];
      if (last.activation !== 'identity') throw new UsageError(`layer '${layer.name}': two activations in a row after Dense layer '${last.name}' are not supported`);
      setActivation(layers, String(cfg.activation), layer.name);
    } else if (cls === 'InputLayer' || cls === 'Dropout') {
      continue;
    } else {
      throw new UsageError(`layer '${layer.name}' is a ${cls}: gradflat reads Sequential models of Dense layers (plus Activation, InputLayer, Dropout). Write the loss as a tfjs function of θ and use TfjsFunctionOracle instead.`);
    }
  }
  if (layers.length === 0) throw new UsageError('the model has no Dense layer');
  for (let i = 1; i < layers.length; i++) {
    if (layers[i].inputs !== layers[i - 1].outputs) throw new UsageError(`layer '${layers[i].name}' takes ${layers[i].inputs} inputs but '${layers[i - 1].name}' gives ${layers[i - 1].outputs}`);
  }
  const last = layers[layers.length - 1];
  if (last.activation === 'softmax') {
    outputSoftmax = true;
    last.activation = 'identity';
  }
  for (const l of layers) if (l.activation === 'softmax') throw new UsageError(`layer '${l.name}': softmax is supported only on the output layer, with a cross-entropy loss`);
  return { layers, dense, outputSoftmax };

  function setActivation(ls: DenseLayerInfo[], tfName: string, where: string): void {
    const map: Record<string, string> = { linear: 'identity', swish: 'swish', tanh: 'tanh', relu: 'relu', sigmoid: 'sigmoid', softmax: 'softmax' };
    const a = map[tfName];
    if (a === undefined) throw new UsageError(`layer '${where}': activation '${tfName}' is not supported (have ${Object.keys(map).join(', ')})`);
    ls[ls.length - 1].activation = a;
  }
}

/** The MlpSpec of these layers, or null when they are not one. */
export function specOfLayers(layers: DenseLayerInfo[], loss: MlpLoss, l2: number): MlpSpec | null {
  const hidden = new Set(layers.slice(0, -1).map((l) => l.activation));
  const out = layers[layers.length - 1].activation;
  const biases = new Set(layers.map((l) => l.bias));
  if (hidden.size > 1 || biases.size > 1) return null;
  const h = hidden.size === 0 ? 'identity' : [...hidden][0];
  if (!['identity', 'swish', 'tanh', 'relu'].includes(h) || !['identity', 'swish', 'tanh'].includes(out)) return null;
  return {
    layers: [layers[0].inputs, ...layers.map((l) => l.outputs)], hiddenActivation: h as HiddenActivation,
    outputActivation: out as OutputActivation, biases: [...biases][0], loss, l2,
  };
}

function rows(x: TensorLike2D, d: number, what: string): Float64Array {
  if (x instanceof Float64Array) return x;
  if (x instanceof Float32Array) return Float64Array.from(x);
  if (Array.isArray(x)) {
    const out = new Float64Array(x.length * d);
    x.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== d) throw new UsageError(`${what}[${i}] must be an array of ${d} numbers`);
      out.set(r, i * d);
    });
    return out;
  }
  const t = x as TF.Tensor;
  if (t.rank !== 2 || t.shape[1] !== d) throw new UsageError(`${what} must be an N×${d} tensor; got shape [${t.shape}]`);
  return Float64Array.from(t.dataSync() as Float32Array);
}

function toMlpData(data: TfjsModelData, dIn: number, dOut: number, loss: MlpLoss): MlpData {
  if (data === null || typeof data !== 'object') throw new TypeError('data must be { x, y }');
  const inputs = rows(data.x, dIn, 'data.x');
  const N = inputs.length / dIn;
  if (!Number.isInteger(N)) throw new UsageError(`data.x has ${inputs.length} values, not a multiple of the input width ${dIn}`);
  if (loss === 'mse') return { inputs, N, targets: rows(data.y as TensorLike2D, dOut, 'data.y') };
  const y = data.y;
  let labels: Int32Array;
  const isTensor = (v: unknown): v is TF.Tensor => typeof v === 'object' && v !== null && 'rank' in v && 'dataSync' in v;
  if (y instanceof Int32Array) labels = y;
  else if (Array.isArray(y) && (y.length === 0 || typeof y[0] === 'number')) labels = classIndices(y as number[], dOut);
  else if (isTensor(y) && y.rank === 1) labels = classIndices(y.dataSync() as ArrayLike<number>, dOut);
  else {
    // One-hot N×C: each row must be exactly one 1.
    const oh = rows(y as TensorLike2D, dOut, 'data.y');
    labels = new Int32Array(oh.length / dOut);
    for (let i = 0; i < labels.length; i++) {
      let k = -1;
      for (let c = 0; c < dOut; c++) {
        const v = oh[i * dOut + c];
        if (v === 1 && k < 0) k = c;
        else if (v !== 0) { k = -2; break; }
      }
      if (k < 0) throw new UsageError(`data.y row ${i} is not one-hot (cross-entropy needs class indices or one-hot rows)`);
      labels[i] = k;
    }
  }
  checkClassIndices(labels, dOut);
  if (labels.length !== N) throw new UsageError(`data.y has ${labels.length} labels but data.x has ${N} samples`);
  return { inputs, N, labels };
}

/** Class indices from numbers, refusing non-integers (Int32Array.from would truncate 0.7 to 0). */
function classIndices(y: ArrayLike<number>, classes: number): Int32Array {
  for (let i = 0; i < y.length; i++) {
    if (!Number.isInteger(y[i])) throw new UsageError(`data.y[${i}] = ${y[i]} is not a class index: cross-entropy labels must be integers in 0..${classes - 1} (or one-hot rows)`);
  }
  return Int32Array.from(y);
}

function checkClassIndices(labels: Int32Array, classes: number): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 0 || labels[i] >= classes) throw new UsageError(`data.y[${i}] = ${labels[i]} is out of range: the model has ${classes} outputs, so class indices must be in 0..${classes - 1}`);
  }
}

/**
 * A tfjs model of Dense layers, its data and a loss name as a problem: an Oracle (the MLP oracle
 * when gradflat's MlpSpec describes the network, else one over the same layers with HVP by double
 * backprop), the model's weights as θ (per layer W out×in row-major, then b), and `toModel(θ)` to
 * write a point back. The model itself is only read. Losses follow the float64 engine's
 * conventions; tfjs computes in float32 (docs/precision.md).
 */
export function tfjsModelProblem(model: TF.LayersModel, data: TfjsModelData, options: TfjsModelOptions): TfjsModelProblem {
  const tf = loadTfjs();
  if (options === null || typeof options !== 'object') throw new TypeError("options must be { loss: 'mse' | 'softmax-cross-entropy', l2? }");
  const loss = lossFromName(options.loss);
  const l2 = options.l2 ?? 0;
  if (!(Number.isFinite(l2) && l2 >= 0)) throw new UsageError(`l2 must be a finite number ≥ 0; got ${l2}`);
  const { layers, dense, outputSoftmax } = denseLayersOf(model);
  if (outputSoftmax && loss !== 'softmax-cross-entropy') throw new UsageError("the model ends in softmax: use a cross-entropy loss (gradflat reads the pre-softmax outputs as logits)");
  const dIn = layers[0].inputs;
  const dOut = layers[layers.length - 1].outputs;
  const mlpData = toMlpData(data, dIn, dOut, loss);
  const spec = specOfLayers(layers, loss, l2);
  if (spec !== null) validateMlpData(resolveMlpSpec(spec), mlpData);

  // θ from the kernels (transposed) and biases.
  const offsets: { w: number; b: number }[] = [];
  let n = 0;
  for (const l of layers) {
    offsets.push({ w: n, b: l.bias ? n + l.inputs * l.outputs : -1 });
    n += l.inputs * l.outputs + (l.bias ? l.outputs : 0);
  }
  const theta = new Float64Array(n);
  dense.forEach((layer, k) => {
    const l = layers[k];
    const [kernel, bias] = layer.getWeights();
    const kv = kernel.dataSync();
    for (let r = 0; r < l.outputs; r++) for (let c = 0; c < l.inputs; c++) theta[offsets[k].w + r * l.inputs + c] = kv[c * l.outputs + r];
    if (l.bias) theta.set(bias.dataSync(), offsets[k].b);
  });
  const toModel = (t: Float64Array) => {
    if (!(t instanceof Float64Array) || t.length !== n) throw new RangeError(`toModel: θ must be a Float64Array of length ${n}`);
    dense.forEach((layer, k) => {
      const l = layers[k];
      const kernel = new Float32Array(l.inputs * l.outputs);
      for (let r = 0; r < l.outputs; r++) for (let c = 0; c < l.inputs; c++) kernel[c * l.outputs + r] = t[offsets[k].w + r * l.inputs + c];
      const ws: TF.Tensor[] = [tf.tensor2d(kernel, [l.inputs, l.outputs])];
      if (l.bias) ws.push(tf.tensor1d(Float32Array.from(t.subarray(offsets[k].b, offsets[k].b + l.outputs))));
      layer.setWeights(ws);
      for (const w of ws) w.dispose();
    });
  };

  const engine = options.engine ?? 'tfjs';
  if (engine !== 'tfjs' && engine !== 'f64') throw new UsageError(`engine must be 'tfjs' or 'f64'; got ${JSON.stringify(engine)}`);
  if (spec !== null) {
    const kernels = options.kernels ?? (engine === 'f64' ? selectKernels(undefined, () => {}) : undefined);
    // As engines/select.ts's createMlpOracle, which this module cannot import (it imports this folder).
    const oracle = engine === 'f64' ? new MlpOracle(spec, mlpData, kernels as DenseKernels) : new TfjsMlpOracle(spec, mlpData, { hvp: options.hvp });
    return { oracle, spec, layers, data: mlpData, theta, toModel, engine };
  }
  if (engine === 'f64') throw new UsageError(`this model is not an MlpSpec network (${describeLayers(layers)}): only the tfjs engine can compute it`);
  return { oracle: layersFunctionOracle(layers, offsets, mlpData, loss, l2), spec: null, layers, data: mlpData, theta, toModel, engine };
}

function describeLayers(layers: DenseLayerInfo[]): string {
  return layers.map((l) => `${l.outputs} ${l.activation}${l.bias ? '' : ' no bias'}`).join(', ');
}

/**
 * Any Dense stack as a TfjsFunctionOracle (safe ops, double backprop). The loss is the mean of
 * per-sample losses, summed in float64 (`terms`); ℓ2 is added on the host in float64 (`l2`). No
 * first-call HVP check: every op is a safe op or piecewise linear (relu), so double backprop is
 * right, and the check's finite differences would cross relu's kinks and refuse a right HVP.
 */
function layersFunctionOracle(layers: DenseLayerInfo[], offsets: { w: number; b: number }[], data: MlpData, loss: MlpLoss, l2: number): Oracle {
  const tf = loadTfjs();
  const ops = safeOps();
  const dIn = layers[0].inputs;
  const dOut = layers[layers.length - 1].outputs;
  const X = tf.tensor2d(Float32Array.from(data.inputs), [data.N, dIn]);
  const Y = loss === 'mse'
    ? tf.tensor2d(Float32Array.from(data.targets!), [data.N, dOut])
    : tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(data.labels!, 'int32'), dOut), 'float32') as TF.Tensor2D);
  const n = offsets.length === 0 ? 0 : layers.reduce((s, l) => s + l.inputs * l.outputs + (l.bias ? l.outputs : 0), 0);
  const forward = (theta: TF.Tensor1D): TF.Tensor => {
    let a: TF.Tensor = X;
    layers.forEach((l, k) => {
      const W = tf.reshape(tf.slice(theta, offsets[k].w, l.inputs * l.outputs), [l.outputs, l.inputs]) as TF.Tensor2D;
      let z: TF.Tensor = tf.matMul(a as TF.Tensor2D, W, false, true);
      if (l.bias) z = tf.add(z, tf.slice(theta, offsets[k].b, l.outputs));
      a = ops.activation(l.activation)(z);
    });
    return a;
  };
  // Per-sample losses; the data loss is scale·Σ rows (MSE: mean over samples and outputs; CE: over samples).
  const rows = (theta: TF.Tensor1D): TF.Tensor => {
    const a = forward(theta);
    return loss === 'mse' ? ops.squaredErrorRows(a, Y) : ops.softmaxCrossEntropyRows(a as TF.Tensor2D, Y);
  };
  const scale = loss === 'mse' ? 1 / (data.N * dOut) : 1 / data.N;
  const f = (theta: TF.Tensor1D): TF.Scalar => tf.mul(scale, tf.sum(rows(theta))) as TF.Scalar;
  return new TfjsFunctionOracle(f, n, { owned: [X, Y], terms: { terms: rows, scale }, l2, checkHvp: 'never', provenance: { model: describeLayers(layers), loss } });
}
