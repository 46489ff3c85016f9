/**
 * `npm run bench`: speed of the pieces gradflat's runs spend their time in, for each kernel
 * set available here. Every time is a median over repeats measured in this run; ratios
 * compare kernel sets measured side by side (the machine is shared and noisy).
 *   1. dense kernels: gemm at the MLP shapes, symmetric eigenvalues (n = 552)
 *   2. HVP and gradient of the 16→8→16→16 Swish AE with biases on 10,000 samples (n = 552),
 *      MlpOracle threads = 1 and 2
 *   3. one Newton-MR iteration on the Fig. 1C Swish AE (16→16→4→16, n = 384, rtol 1e-10, maxit n),
 *      threads = 1 and 2
 *   4. dense Hessian + eigenvalues for n = 552
 *   5. batched curvature: batched dense Hessian vs sequential beside the DGEMM peak, and a
 *      Newton-MR step with the dense-Hessian operator vs sequential HVPs (bench/curvature.ts);
 *      OpenBLAS only (TypeScript kernels when it does not load) unless `--long`.
 *   6. a certified flatness verdict: products and seconds, dense vs Lanczos, at n = 384, 552 and
 *      109,386 beside a gradient's time, and the Lanczos basis's memory at n = 10⁵ … 10⁶
 *      (bench/flatness.ts; the n = 109,386 point and n > 10⁵ with `--long` or `--only-flatness`).
 * Flags: `--long` (section 5 for every kernel set, 6 repeats), `--only-curvature` (section 5 only),
 * `--only-flatness` (section 6 only, with the large points).
 */
import { benchKernels } from './kernels.js';
import { benchCurvature } from './curvature.js';
import { benchMlpHvp } from './mlp-engine.js';
import { benchFlatness } from './flatness.js';
import { registerBuiltins } from '../builtins.js';
import { typescriptKernels } from '../core/linalg/kernels-typescript.js';
import { loadOpenBlasKernels } from '../core/linalg/kernels-openblas.js';
import type { DenseKernels } from '../core/linalg/kernels.js';
import { initMlpParameters } from '../engines/mlp/init.js';
import { Rng } from '../core/random/rng.js';
import { PluginRegistry } from '../core/registry/registry.js';
import { measuredStep } from '../core/run/run-loop.js';
import { newtonMrPlugin } from '../plugins/newton-mr/index.js';
import { MlpOracle } from '../engines/mlp/mlp-oracle.js';
import { swishAeBenchState } from './swish-ae-state.js';
import { spectrumOf } from '../core/analysis/spectrum.js';
import { denseHessian } from '../core/oracle/dense-hessian.js';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The benches build catalog problems by name from the default registry, which starts empty.
registerBuiltins();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const sets: DenseKernels[] = [typescriptKernels];
const loaded = loadOpenBlasKernels();
if ('kernels' in loaded) sets.push(loaded.kernels);
const out = (s: string) => process.stdout.write(s + '\n');

const long = process.argv.includes('--long');
const onlyCurvature = process.argv.includes('--only-curvature');
const onlyFlatness = process.argv.includes('--only-flatness');
const flatnessSection = () => {
  out('\n## 6. Certified flatness verdict (spectral share at τ_flat: dense vs Lanczos)\n');
  out(benchFlatness(sets[sets.length - 1], { repeats: 3, large: long || onlyFlatness }));
};
const curvatureSection = () => {
  out('\n## 5. Batched curvature (dense Hessian from HVP blocks vs sequential HVPs)\n');
  out(benchCurvature(long ? sets : sets.slice(-1), { repeats: long ? 6 : 4 }));
};

out('# gradflat bench\n');
out(`node ${process.version}; kernel sets: ${sets.map((k) => k.name).join(', ')}${'error' in loaded ? ` (openblas: ${loaded.error})` : ''}\n`);

if (onlyCurvature) {
  curvatureSection();
  process.exit(0);
}
if (onlyFlatness) {
  flatnessSection();
  process.exit(0);
}

out('## 1. Dense kernels\n');
out(benchKernels());

out('\n## 2. MLP oracle, 16→8→16→16 Swish AE with biases, N = 10,000 (n = 552), threads = 1 and 2\n');
const mlp: Record<string, { msPerHvp: number; msPerGradient: number; flopsPerHvp: number }> = {};
for (const k of sets) {
  for (const threads of [1, 2]) {
    const r = benchMlpHvp(k, { hvpRepeats: 30, gradientRepeats: 15, threads });
    mlp[`${k.name}/${threads}`] = r;
    out(`${k.name.padEnd(10)} threads ${threads}  HVP ${r.msPerHvp.toFixed(2)} ms (${(r.flopsPerHvp / 1e6).toFixed(1)} MFLOP, ${(r.flopsPerHvp / r.msPerHvp / 1e6).toFixed(2)} GFLOP/s)   gradient ${r.msPerGradient.toFixed(2)} ms`);
  }
  const a = mlp[`${k.name}/1`]; const b = mlp[`${k.name}/2`];
  out(`${k.name.padEnd(10)} speed-up threads 2 vs 1: HVP ${(a.msPerHvp / b.msPerHvp).toFixed(2)}×, gradient ${(a.msPerGradient / b.msPerGradient).toFixed(2)}×`);
}
if (mlp['openblas/1']) out(`ratio typescript/openblas HVP time (threads 1): ${(mlp['typescript/1'].msPerHvp / mlp['openblas/1'].msPerHvp).toFixed(2)}×`);
out('goals: OpenBLAS HVP ≤ 2 ms; pure-TS HVP faster than PyTorch float64 (8–11 ms measured on this kind of machine)');

out('\n## 2b. The same HVP side by side with PyTorch float64 (when Debian python3-torch is installed)\n');
{
  // Baseline in the same run, interleaved over rounds so machine noise hits both alike.
  const python = '/usr/bin/python3';
  const script = fileURLToPath(new URL('../../bench/baselines/torch_hvp.py', import.meta.url));
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    out('skipped: /usr/bin/python3 cannot import torch (apt-get install python3-torch to compare)');
  } else {
    const rows: Record<string, number[]> = {};
    const add = (key: string, ms: number) => (rows[key] ??= []).push(ms);
    for (let round = 0; round < 3; round++) {
      for (const threads of [1, 2]) {
        const r = spawnSync(python, [script, String(threads)], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`torch baseline failed: ${r.stderr}`);
        const t = JSON.parse(r.stdout.trim().split('\n').pop()!) as { hvp_fresh_ms: number; hvp_cached_graph_ms: number };
        add(`pytorch threads ${threads} (graph rebuilt per HVP)`, t.hvp_fresh_ms);
        add(`pytorch threads ${threads} (first-order graph reused)`, t.hvp_cached_graph_ms);
        for (const k of sets) add(`gradflat ${k.name} threads ${threads}`, benchMlpHvp(k, { hvpRepeats: 30, gradientRepeats: 3, threads }).msPerHvp);
      }
    }
    const med = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v)]));
    const base = med['pytorch threads 1 (first-order graph reused)'];
    for (const [k, v] of Object.entries(med)) out(`${k.padEnd(48)} HVP ${v.toFixed(2)} ms   (PyTorch threads 1, reused graph) / this = ${(base / v).toFixed(2)}×`);
  }
}

out('\n## 3. Newton-MR iteration, Fig. 1C Swish AE (16→16→4→16, no biases, ℓ2 1e-4, N = 10,000, n = 384; rtol 1e-10, maxit n), threads = 1 and 2\n');
const nmr: Record<string, number> = {};
for (const k of sets) {
  const { spec, theta, data } = swishAeBenchState(k);
  for (const threads of [1, 2]) {
    const oracle = new MlpOracle(spec, data, k, { threads });
    const reg = new PluginRegistry();
    reg.register(newtonMrPlugin);
    const stepper = reg.create('newton-mr', oracle, { rtol: 1e-10 });
    let state = stepper.init(theta);
    const times: number[] = [];
    const hvps: number[] = [];
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      const res = measuredStep(stepper, state, oracle.counters);
      times.push(performance.now() - t0);
      hvps.push(res.metrics.work.hvp);
      state = res.state;
    }
    oracle.dispose();
    const flops = median(hvps) * oracle.flopsPerHvp();
    nmr[`${k.name}/${threads}`] = median(times);
    out(`${k.name.padEnd(10)} threads ${threads}  ${(median(times) / 1000).toFixed(3)} s per iteration (median of 6; ~${median(hvps)} HVPs, ${(flops / 1e9).toFixed(2)} GFLOP in HVP gemms, ${(flops / median(times) / 1e6).toFixed(2)} GFLOP/s)`);
  }
  out(`${k.name.padEnd(10)} speed-up threads 2 vs 1: ${(nmr[`${k.name}/1`] / nmr[`${k.name}/2`]).toFixed(2)}×`);
}
if (nmr['openblas/1']) out(`ratio typescript/openblas (threads 1): ${(nmr['typescript/1'] / nmr['openblas/1']).toFixed(2)}×`);
out('goal: ≤ 0.3 s per iteration (the paper\'s reference code: 7.3–7.7 s here)');

out('\n## 4. Dense Hessian + eigenvalues, n = 552 (N = 10,000)\n');
for (const k of sets) {
  const rng = new Rng(4);
  const spec = { layers: [16, 8, 16, 16], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 0 } as const;
  const N = 10_000;
  const x = Float64Array.from({ length: N * 16 }, () => rng.normal());
  const oracle = new MlpOracle({ ...spec, layers: [...spec.layers] }, { inputs: x, targets: x, N }, k);
  const theta = initMlpParameters({ ...spec, layers: [...spec.layers] }, () => rng.normal());
  oracle.gradient(theta);
  const t0 = performance.now();
  const h = denseHessian(oracle, theta);
  const t1 = performance.now();
  spectrumOf(h, oracle.dim, k);
  const t2 = performance.now();
  const eigFlop = (4 / 3) * oracle.dim ** 3;
  out(`${k.name.padEnd(10)} Hessian ${((t1 - t0) / 1000).toFixed(2)} s (${oracle.dim} HVPs, ${(oracle.dim * oracle.flopsPerHvp() / (t1 - t0) / 1e6).toFixed(2)} GFLOP/s)   eigenvalues ${(t2 - t1).toFixed(1)} ms (≈ 4n³/3 = ${(eigFlop / 1e6).toFixed(0)} MFLOP, ${(eigFlop / (t2 - t1) / 1e6).toFixed(2)} GFLOP/s)`);
}

curvatureSection();
flatnessSection();
