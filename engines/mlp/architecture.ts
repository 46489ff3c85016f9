/**
 * Multilayer-perceptron architecture: the spec, its validation, the parameter count and the
 * flat parameter layout shared by the oracle, the initialiser and everything that reads θ.
 *
 * Flat layout of θ (documented contract): for each layer l = 1..L in order (layer l maps width
 * layers[l-1] → layers[l]),
 *   W_l : out×in, row-major (row r = the incoming weights of output unit r), then
 *   b_l : out            (only when `biases` is true).
 * So θ = [W_1, b_1, W_2, b_2, …, W_L, b_L].
 *
 * Activations: `hiddenActivation` on layers 1..L-1, `outputActivation` (default 'identity') on
 * layer L. The paper's reference network class puts the activation on the output layer too; the
 * usual reading for the autoencoders is a linear output layer — both are selectable here. For
 * 'softmax-cross-entropy' the output layer's activations are the logits fed to the softmax.
 */

export type HiddenActivation = 'identity' | 'swish' | 'tanh' | 'relu';
export type OutputActivation = 'identity' | 'swish' | 'tanh';
export type Activation = HiddenActivation;
export type MlpLoss = 'mse' | 'softmax-cross-entropy';

export interface MlpSpec {
  /** Widths including input and output, e.g. [16, 8, 16, 16]; at least two entries. */
  layers: number[];
  hiddenActivation: HiddenActivation;
  /** Activation of the last layer; default 'identity'. */
  outputActivation?: OutputActivation;
  biases: boolean;
  loss: MlpLoss;
  /** ℓ2 strength λ ≥ 0; the penalty is λ·mean(θ²) = (λ/n)·Σθ² over all parameters. */
  l2: number;
}

/** A validated spec with every default filled in, plus derived facts. */
export interface ResolvedMlpSpec {
  readonly layers: readonly number[];
  readonly hiddenActivation: HiddenActivation;
  readonly outputActivation: OutputActivation;
  readonly biases: boolean;
  readonly loss: MlpLoss;
  readonly l2: number;
  /** False when some activation is only piecewise smooth (ReLU): the Hessian then uses σ'' = 0 a.e. */
  readonly smooth: boolean;
  /** Human-readable warnings (e.g. the ReLU non-smoothness note); empty when none. */
  readonly warnings: readonly string[];
}

/** Where one layer's parameters live in θ. */
export interface LayerLayout {
  /** 1-based layer index l (maps layers[l-1] → layers[l]). */
  readonly index: number;
  readonly inputs: number;
  readonly outputs: number;
  readonly activation: Activation;
  /** Offset of W_l (out×in row-major) in θ. */
  readonly weightOffset: number;
  /** Offset of b_l in θ, or -1 without biases. */
  readonly biasOffset: number;
}

const HIDDEN: readonly HiddenActivation[] = ['identity', 'swish', 'tanh', 'relu'];
const OUTPUT: readonly OutputActivation[] = ['identity', 'swish', 'tanh'];
const LOSSES: readonly MlpLoss[] = ['mse', 'softmax-cross-entropy'];

export const RELU_WARNING =
  "hiddenActivation 'relu' is not smooth at 0: gradients there use the subgradient 0 and the " +
  'Hessian-vector product uses the almost-everywhere second derivative 0 (finite differences of the ' +
  'gradient can disagree where a pre-activation crosses 0).';

/** Validates a spec and fills defaults. Throws an Error naming the field and what is allowed. */
export function resolveMlpSpec(spec: MlpSpec): ResolvedMlpSpec {
  if (spec === null || typeof spec !== 'object') throw new TypeError('MLP spec must be an object');
  const { layers } = spec;
  if (!Array.isArray(layers) || layers.length < 2) {
    throw new RangeError(`MLP spec field 'layers' must be an array of at least two widths (input and output), e.g. [16, 8, 16]; got ${JSON.stringify(layers)}`);
  }
  layers.forEach((w, i) => {
    if (!Number.isInteger(w) || w < 1) {
      throw new RangeError(`MLP spec field 'layers[${i}]' must be a positive integer width; got ${JSON.stringify(w)}`);
    }
  });
  if (!HIDDEN.includes(spec.hiddenActivation)) {
    throw new RangeError(`MLP spec field 'hiddenActivation' must be one of ${HIDDEN.map((s) => `'${s}'`).join(', ')}; got ${JSON.stringify(spec.hiddenActivation)}`);
  }
  const outputActivation = spec.outputActivation ?? 'identity';
  if (!OUTPUT.includes(outputActivation)) {
    throw new RangeError(`MLP spec field 'outputActivation' must be one of ${OUTPUT.map((s) => `'${s}'`).join(', ')} (or omitted for 'identity'); got ${JSON.stringify(spec.outputActivation)}`);
  }
  if (typeof spec.biases !== 'boolean') {
    throw new TypeError(`MLP spec field 'biases' must be true or false; got ${JSON.stringify(spec.biases)}`);
  }
  if (!LOSSES.includes(spec.loss)) {
    throw new RangeError(`MLP spec field 'loss' must be one of ${LOSSES.map((s) => `'${s}'`).join(', ')}; got ${JSON.stringify(spec.loss)}`);
  }
  if (typeof spec.l2 !== 'number' || !Number.isFinite(spec.l2) || spec.l2 < 0) {
    throw new RangeError(`MLP spec field 'l2' must be a finite number λ ≥ 0 (use 0 for no penalty); got ${JSON.stringify(spec.l2)}`);
  }
  const dOut = layers[layers.length - 1];
  if (spec.loss === 'softmax-cross-entropy' && dOut < 2) {
    throw new RangeError(`MLP spec: loss 'softmax-cross-entropy' needs at least 2 output units (classes) in 'layers'; the last width is ${dOut}`);
  }
  // ReLU matters only where it is actually used: on a hidden layer (there is one iff L ≥ 2).
  const usesRelu = spec.hiddenActivation === 'relu' && layers.length > 2;
  const warnings = usesRelu ? [RELU_WARNING] : [];
  return {
    layers: Object.freeze([...layers]),
    hiddenActivation: spec.hiddenActivation,
    outputActivation,
    biases: spec.biases,
    loss: spec.loss,
    l2: spec.l2,
    smooth: !usesRelu,
    warnings: Object.freeze(warnings),
  };
}

/** Number of parameters n = Σ_l out_l·in_l (+ out_l with biases). Validates the spec. */
export function parameterCount(spec: MlpSpec | ResolvedMlpSpec): number {
  const r = isResolved(spec) ? spec : resolveMlpSpec(spec);
  let n = 0;
  for (let l = 1; l < r.layers.length; l++) n += r.layers[l] * r.layers[l - 1] + (r.biases ? r.layers[l] : 0);
  return n;
}

/** The per-layer slices of θ, in order (see the file comment for the layout). */
export function layerLayout(spec: MlpSpec | ResolvedMlpSpec): LayerLayout[] {
  const r = isResolved(spec) ? spec : resolveMlpSpec(spec);
  const out: LayerLayout[] = [];
  let off = 0;
  const L = r.layers.length - 1;
  for (let l = 1; l <= L; l++) {
    const inputs = r.layers[l - 1];
    const outputs = r.layers[l];
    const weightOffset = off;
    off += inputs * outputs;
    const biasOffset = r.biases ? off : -1;
    if (r.biases) off += outputs;
    out.push({ index: l, inputs, outputs, activation: l === L ? r.outputActivation : r.hiddenActivation, weightOffset, biasOffset });
  }
  return out;
}

function isResolved(spec: MlpSpec | ResolvedMlpSpec): spec is ResolvedMlpSpec {
  return typeof (spec as ResolvedMlpSpec).smooth === 'boolean' && Array.isArray((spec as ResolvedMlpSpec).warnings);
}

// ---------------------------------------------------------------------------------------------
// Activations, with first and second derivatives.

/**
 * Logistic sigmoid, numerically stable: exp is only ever taken of a non-positive number, so it
 * never overflows and the result is never NaN for finite x (including |x| > 709).
 */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** σ(x), σ'(x), σ''(x) for one activation; the scalar reference the oracle's loops follow. */
export function activationValue(act: Activation, x: number): number {
  switch (act) {
    case 'identity': return x;
    case 'swish': return x * sigmoid(x);
    case 'tanh': return Math.tanh(x);
    case 'relu': return x > 0 ? x : 0;
  }
}

export function activationDerivative(act: Activation, x: number): number {
  switch (act) {
    case 'identity': return 1;
    case 'swish': { const s = sigmoid(x); return s * (1 + x * (1 - s)); }
    case 'tanh': { const t = Math.tanh(x); return 1 - t * t; }
    case 'relu': return x > 0 ? 1 : 0;
  }
}

export function activationSecondDerivative(act: Activation, x: number): number {
  switch (act) {
    case 'identity': return 0;
    case 'swish': { const s = sigmoid(x); return s * (1 - s) * (2 + x * (1 - 2 * s)); }
    case 'tanh': { const t = Math.tanh(x); return -2 * t * (1 - t * t); }
    case 'relu': return 0;
  }
}
