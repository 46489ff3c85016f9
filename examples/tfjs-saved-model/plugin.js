// A TensorFlow.js LayersModel saved to disk (model.json + weights) and its data, as a gradflat
// problem: gradflat reads the model's Dense layers and loss, θ = the model's weights. Run with
// `gradflat suite suite.yaml` (this folder). This file imports only from 'gradflat'.
import { loadLayersModelFile, readCsvMatrix, tfjsModelProblem, UsageError } from 'gradflat';

const tfjsSavedModel = {
  name: 'tfjs-saved-model',
  description: 'a saved tf.LayersModel (Dense layers) on its CSV data (features, then the label or targets)',
  options: {
    model: { type: 'file', default: null, description: "the model's model.json (weights files beside it)" },
    data: { type: 'file', default: null, description: 'headerless CSV: features…, then the class label (cross-entropy) or the targets (mse)' },
    loss: { type: 'choice', choices: ['softmax-cross-entropy', 'mse'], default: 'softmax-cross-entropy', description: 'the training loss' },
    l2: { type: 'number', min: 0, default: 1e-3, description: 'ℓ2 strength λ (so that the loss has minima)' },
    engine: { type: 'choice', choices: ['f64', 'tfjs'], default: 'f64', description: "'f64': gradflat's float64 engine on the same network; 'tfjs': float32" },
    spread: { type: 'number', min: 0, default: 0.1, description: 'starts: the saved weights, then the saved weights + N(0, spread²) noise' },
  },
  // Loading a model is asynchronous: build may return a Promise.
  async build(o, ctx) {
    for (const k of ['model', 'data']) if (o[k] === null) throw new UsageError(`problem 'tfjs-saved-model': option '${k}' is required`);
    const model = await loadLayersModelFile(o.model);
    const dIn = model.inputs[0].shape[1];
    const m = readCsvMatrix(o.data);
    if (m.cols <= dIn) throw new UsageError(`${o.data}: the model takes ${dIn} features, the file has ${m.cols} columns (features, then label/targets)`);
    const x = new Float64Array(m.rows * dIn);
    const yCols = m.cols - dIn;
    const y = o.loss === 'mse' ? new Float64Array(m.rows * yCols) : new Int32Array(m.rows);
    for (let r = 0; r < m.rows; r++) {
      for (let c = 0; c < dIn; c++) x[r * dIn + c] = m.data[r * m.cols + c];
      for (let c = 0; c < yCols; c++) y[r * yCols + c] = m.data[r * m.cols + dIn + c];
    }
    const p = tfjsModelProblem(model, { x, y }, { loss: o.loss, l2: o.l2, engine: o.engine, kernels: ctx.kernels });
    return {
      oracle: p.oracle,
      info: { model: o.model, layers: p.layers, engine: p.engine, parameters: p.oracle.dim, samples: m.rows },
      startingPoints(count, rng) {
        return Array.from({ length: count }, (_, i) => p.theta.map((t) => (i === 0 ? t : t + o.spread * rng.normal())));
      },
    };
  },
};

export default tfjsSavedModel;
