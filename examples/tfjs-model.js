// Bring your own TensorFlow.js model: train a small classifier with tfjs as usual, then ask
// gradflat what kind of point training stopped at, polish it with Newton-MR, and put the result
// back into the model. Run from the package root:  node examples/tfjs-model.js
import * as tf from '@tensorflow/tfjs';
import { tfjsModelProblem, selectTfjsBackend, registerBuiltins, registry, runStepper, evaluatePoint, selectKernels } from 'gradflat';

const backend = await selectTfjsBackend(); // tfjs-node if installed, else WASM, else pure JS
console.log(`tfjs backend: ${backend.backend}`);

// Three Gaussian blobs in 8 dimensions, 50 points each (a fixed pseudo-random sequence).
let seed = 7;
const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const gauss = () => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
const xs = [];
const labels = [];
for (let c = 0; c < 3; c++) for (let i = 0; i < 50; i++) {
  xs.push(Array.from({ length: 8 }, (_, k) => gauss() + (k % 3 === c ? 1.5 : 0)));
  labels.push(c);
}
const x = tf.tensor2d(xs);
const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);

const model = tf.sequential({ layers: [
  tf.layers.dense({ inputShape: [8], units: 6, activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) }),
  tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }),
] });
model.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy' });
await model.fit(x, y, { epochs: 40, batchSize: 150, shuffle: false, verbose: 0 });
const tfLoss = model.evaluate(x, y).dataSync()[0];

// The model, its data and its loss (plus an ℓ2 term, so that the loss has minima) become a
// gradflat problem: θ = the model's weights.
const problem = tfjsModelProblem(model, { x, y }, { loss: 'categoricalCrossentropy', l2: 1e-3 });
const kernels = selectKernels(undefined, () => {});
const before = evaluatePoint(problem.oracle, problem.theta, kernels);
console.log(`after tfjs training: model loss ${tfLoss.toFixed(6)}; gradflat: loss + ℓ2 ${before.loss.toFixed(6)}, ‖g‖² ${before.gradNormSq.toExponential(2)}, class ${before.class}, index ${before.index.toFixed(3)}`);

// Newton-MR from there (gradflat's built-in steppers work on any oracle).
registerBuiltins();
const stepper = registry.create('newton-mr', problem.oracle, { rtol: 1e-6 });
const { state, steps, stopReason } = runStepper(stepper, problem.theta, { maxIterations: 40 });
const after = evaluatePoint(problem.oracle, state.theta, kernels);
console.log(`newton-mr, ${steps} steps (${stopReason}): loss ${after.loss.toFixed(6)}, ‖g‖² ${after.gradNormSq.toExponential(2)}, class ${after.class}, index ${after.index.toFixed(3)}`);
console.log(`computed by: ${Object.entries(problem.oracle.provenance).map(([k, v]) => `${k} ${v}`).join(', ')}`);

// Put the point back into the model: tfjs now evaluates the polished weights.
problem.toModel(state.theta);
const back = tfjsModelProblem(model, { x, y }, { loss: 'categoricalCrossentropy', l2: 1e-3 });
const same = back.theta.every((t, i) => t === Math.fround(state.theta[i]));
console.log(`after toModel: model loss ${model.evaluate(x, y).dataSync()[0].toFixed(6)}, model weights = gradflat's point: ${same ? 'yes' : 'no'}`);
problem.oracle.dispose();
back.oracle.dispose();
