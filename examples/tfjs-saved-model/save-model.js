// Trains a small TensorFlow.js classifier as a user would, and saves it to disk in the tfjs
// format (model.json + weights.bin) with its training data (data.csv: features, then label).
//   node examples/tfjs-saved-model/save-model.js [OUTDIR]   (default: this folder)
// Then: gradflat suite examples/tfjs-saved-model/suite.yaml
import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { saveLayersModelFiles } from 'gradflat';

const out = process.argv[2] ?? fileURLToPath(new URL('.', import.meta.url));

// Three Gaussian blobs in 6 dimensions, 40 points each (a fixed pseudo-random sequence).
let seed = 5;
const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const gauss = () => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
const xs = [];
const labels = [];
for (let c = 0; c < 3; c++) for (let i = 0; i < 40; i++) {
  xs.push(Array.from({ length: 6 }, (_, k) => gauss() + (k % 3 === c ? 1.5 : 0)));
  labels.push(c);
}
const model = tf.sequential({ layers: [
  tf.layers.dense({ inputShape: [6], units: 5, activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) }),
  tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }),
] });
model.compile({ optimizer: tf.train.adam(0.02), loss: 'sparseCategoricalCrossentropy' });
await model.fit(tf.tensor2d(xs), tf.tensor1d(labels), { epochs: 30, batchSize: 120, shuffle: false, verbose: 0 });

const path = await saveLayersModelFiles(model, out);
writeFileSync(join(out, 'data.csv'), xs.map((row, i) => [...row.map((v) => v.toFixed(6)), labels[i]].join(',')).join('\n') + '\n');
console.log(`saved ${path}, weights.bin and data.csv`);
