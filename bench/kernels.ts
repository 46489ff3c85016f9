/**
 * Dense-kernel micro-benchmark: for each available kernel set (pure TypeScript always,
 * OpenBLAS/LAPACKE when it loads), times gemm at the MLP shapes that dominate training and
 * Hessian-vector products (N = 10 000 samples, in = 16, out = 8 and 16):
 *
 *   forward      C(N×out) = A(N×in)·Wᵀ        gemm(false, true)
 *   back, data   dA(N×in) = dZ(N×out)·W        gemm(false, false)
 *   back, weight dW(out×in) = dZᵀ(out×N)·A    gemm(true, false)
 *
 * and symmetricEigen at n = 552 (values only; FLOP ≈ 4n³/3, the tridiagonalization; with
 * `vectors`, also the eigenvector path, counted as ≈ 9n³ like LAPACK's dsyev estimate).
 * Every figure is a median over ≥ 5 timed samples after warm-up; a gemm sample times a batch
 * of calls lasting ≥ ~10 ms. Returns the report as text (the caller prints it).
 */
import type { DenseKernels } from '../core/linalg/kernels.js';
import { typescriptKernels } from '../core/linalg/kernels-typescript.js';
import { loadOpenBlasKernels } from '../core/linalg/kernels-openblas.js';
import { Rng } from '../core/random/rng.js';

export interface BenchKernelsOptions {
  /** Timed samples per measurement (median reported); at least 5. Default 7. */
  repeats?: number;
  /** Samples N of the gemm shapes. Default 10 000. */
  samples?: number;
  /** Order of the eigenproblem. Default 552. */
  eigenOrder?: number;
  /** Also time the eigenvector path. Default false. */
  vectors?: boolean;
}

interface Row { op: string; shape: string; flop: number; ms: Record<string, number> }

const rng = (seed: number) => new Rng(seed);
const randomArray = (len: number, r: Rng) => r.uniformVector(len, -1, 1);

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Median milliseconds per call of `f` over `repeats` samples (batched to ≥ ~10 ms). */
function medianMs(f: () => void, repeats: number): number {
  // Warm-up (lets the JIT settle) and batch sizing.
  let batch = 1;
  const t0 = now();
  f();
  let one = now() - t0;
  for (let w = 0; w < 3; w++) { const t = now(); f(); one = Math.min(one, now() - t); }
  if (one < 10) batch = Math.max(1, Math.ceil(10 / Math.max(one, 1e-3)));
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t = now();
    for (let b = 0; b < batch; b++) f();
    samples.push((now() - t) / batch);
  }
  samples.sort((x, y) => x - y);
  return samples[samples.length >> 1];
}

function fmtFlop(x: number): string {
  return x >= 1e9 ? `${(x / 1e9).toFixed(2)} G` : `${(x / 1e6).toFixed(2)} M`;
}

export function benchKernels(options: BenchKernelsOptions = {}): string {
  const repeats = Math.max(5, options.repeats ?? 7);
  const N = options.samples ?? 10_000;
  const nEig = options.eigenOrder ?? 552;
  const inW = 16;
  const sets: DenseKernels[] = [typescriptKernels];
  const lines: string[] = [];
  const loaded = loadOpenBlasKernels();
  if ('kernels' in loaded) sets.push(loaded.kernels);
  else lines.push(`openblas: skipped (${loaded.error})`);

  const r = rng(12345);
  const rows: Row[] = [];
  for (const outW of [8, 16]) {
    const a = randomArray(N * inW, r);
    const w = randomArray(outW * inW, r);
    const dz = randomArray(N * outW, r);
    const z = new Float64Array(N * outW);
    const dA = new Float64Array(N * inW);
    const dW = new Float64Array(outW * inW);
    const shapes: [string, string, number, (k: DenseKernels) => void][] = [
      ['gemm NT  C=A·Wᵀ', `${N}×${outW}×${inW}`, 2 * N * outW * inW,
        (k) => k.gemm(false, true, N, outW, inW, 1, a, inW, w, inW, 0, z, outW)],
      ['gemm NN  dA=dZ·W', `${N}×${inW}×${outW}`, 2 * N * inW * outW,
        (k) => k.gemm(false, false, N, inW, outW, 1, dz, outW, w, inW, 0, dA, inW)],
      ['gemm TN  dW=dZᵀ·A', `${outW}×${inW}×${N}`, 2 * outW * inW * N,
        (k) => k.gemm(true, false, outW, inW, N, 1, dz, outW, a, inW, 0, dW, inW)],
    ];
    for (const [op, shape, flop, run] of shapes) {
      const ms: Record<string, number> = {};
      for (const k of sets) ms[k.name] = medianMs(() => run(k), repeats);
      rows.push({ op, shape: `${shape} (m×n×k)`, flop, ms });
    }
  }
  const sym = randomArray(nEig * nEig, r);
  for (let i = 0; i < nEig; i++) for (let j = 0; j < i; j++) sym[i * nEig + j] = sym[j * nEig + i];
  const eigModes: [string, boolean, number][] = [['eigen values', false, (4 / 3) * nEig ** 3]];
  if (options.vectors === true) eigModes.push(['eigen vectors', true, 9 * nEig ** 3]);
  for (const [op, wantVectors, eigFlop] of eigModes) {
    const ms: Record<string, number> = {};
    for (const k of sets) ms[k.name] = medianMs(() => { k.symmetricEigen(sym, nEig, wantVectors); }, repeats);
    rows.push({ op, shape: `n = ${nEig}`, flop: eigFlop, ms });
  }

  const names = sets.map((k) => k.name);
  const head = ['operation'.padEnd(20), 'shape'.padEnd(22), 'FLOP'.padStart(9)];
  for (const nm of names) head.push(`${nm} ms`.padStart(15), `${nm} GF/s`.padStart(16));
  if (names.length > 1) head.push('TS/OpenBLAS'.padStart(12));
  lines.push(`dense kernels: median of ${repeats} samples (FLOP: 2mnk for gemm; eigen 4n³/3 values, 9n³ vectors)`);
  lines.push(head.join(' '));
  for (const row of rows) {
    const cells = [row.op.padEnd(20), row.shape.padEnd(22), fmtFlop(row.flop).padStart(9)];
    for (const nm of names) {
      const t = row.ms[nm];
      cells.push(t.toFixed(3).padStart(15), (row.flop / (t * 1e6)).toFixed(2).padStart(16));
    }
    if (names.length > 1) cells.push(`${(row.ms[names[0]] / row.ms[names[1]]).toFixed(1)}×`.padStart(12));
    lines.push(cells.join(' '));
  }
  return lines.join('\n');
}
