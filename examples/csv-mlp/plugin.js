// Your own float64 MLP on your own CSV data, as a gradflat problem: register it here and run it
// with `gradflat suite suite.yaml` (this folder's suite) like a built-in problem — same run
// directory, summary, report. This file imports only from 'gradflat'.
//
// The CSV: headerless, one sample per row, the features, then the class label (0, 1, …, C−1)
// in the last column. The architecture is yours: hidden widths and activation are options.
import { mlpProblem, readCsvMatrix, UsageError } from 'gradflat';

const csvMlp = {
  name: 'csv-mlp',
  description: 'my MLP classifier on my CSV data (features, then the class label in the last column)',
  // Validated like stepper hyperparameters: errors name the option; defaults are filled in.
  options: {
    data: { type: 'file', default: null, description: 'headerless CSV: features…, label (0..C−1); relative to the suite file' },
    hidden: { type: 'numbers', integer: true, min: 1, minLength: 1, default: [8], description: 'hidden layer widths' },
    activation: { type: 'choice', choices: ['tanh', 'swish', 'relu'], default: 'tanh', description: 'hidden activation' },
    l2: { type: 'number', min: 0, default: 1e-3, description: 'ℓ2 strength λ (penalty λ·mean θ²)' },
  },
  // options: validated, defaults filled in; ctx: { seed, kernels, threads, starts }.
  // Bad input is a UsageError (exit 2); anything else build throws is reported as a bug in this plugin (exit 1).
  build(options, ctx) {
    if (options.data === null) throw new UsageError("problem 'csv-mlp': option 'data' is required (the CSV file)");
    const m = readCsvMatrix(options.data);
    const d = m.cols - 1;
    if (d < 1) throw new UsageError(`${options.data}: needs at least one feature column before the label`);
    const inputs = new Float64Array(m.rows * d);
    const labels = new Int32Array(m.rows);
    for (let r = 0; r < m.rows; r++) {
      for (let c = 0; c < d; c++) inputs[r * d + c] = m.data[r * m.cols + c];
      const y = m.data[r * m.cols + d];
      if (!Number.isInteger(y) || y < 0) throw new UsageError(`${options.data}:${r + 1}: the label (last column) must be an integer class 0, 1, …; got ${y}`);
      labels[r] = y;
    }
    const classes = Math.max(...labels) + 1;
    // gradflat's float64 MLP engine, and starts sampled uniformly in loss from full-batch training.
    return mlpProblem({
      spec: { layers: [d, ...options.hidden, classes], hiddenActivation: options.activation, biases: true, loss: 'softmax-cross-entropy', l2: options.l2 },
      data: { inputs, labels, N: m.rows },
      ctx,
      source: { file: options.data, samples: m.rows, features: d, classes },
    });
  },
};

export default { problems: [csvMlp] };
