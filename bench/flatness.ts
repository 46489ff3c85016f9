/**
 * What a certified flatness verdict costs (core/analysis/spectral-flatness.ts): products and
 * seconds per verdict at the default criterion, dense vs Lanczos, on three networks
 *   swish-ae   Fig. 1C Swish AE after 50 gradient steps (n = 384, N = 10,000)
 *   552        16→8→16→16 Swish AE with biases at its initialisation (n = 552, N = 10,000)
 *   mnist-mlp  784→128→64→10 on 2,000 MNIST images after 20 momentum steps (n = 109,386)
 * each next to one gradient's time measured in the same run (the ratio says what a probe at
 * every step costs), then the Lanczos basis's memory at n = 10⁵ … 10⁶ on an operator of known
 * spectrum (a diagonal one: products cost O(n) there, so the time is the reorthogonalisation's).
 */
import { DEFAULT_FLATNESS_CRITERION, flatnessVerdict, lanczosSpectralFlatness, spectralFlatness, bracketAt, type SpectralFlatness } from '../core/analysis/spectral-flatness.js';
import { hvpOperator } from '../core/analysis/index-estimate.js';
import type { DenseKernels } from '../core/linalg/kernels.js';
import { hessianEigen } from '../core/newton/exact-direction.js';
import type { Oracle } from '../core/oracle/oracle.js';
import { buildProblem } from '../core/registry/catalog.js';
import { Rng } from '../core/random/rng.js';
import { trainTrajectory } from '../core/starts/training.js';
import { initMlpParameters } from '../engines/mlp/init.js';
import type { MlpSpec } from '../engines/mlp/architecture.js';
import { swishAeBenchState } from './swish-ae-state.js';
import { MlpOracle } from '../engines/mlp/mlp-oracle.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

interface Point { name: string; oracle: Oracle; theta: Float64Array; dispose: () => void }

function points(k: DenseKernels, withLarge: boolean): Point[] {
  const out: Point[] = [];
  {
    const { spec, theta, data } = swishAeBenchState(k);
    const oracle = new MlpOracle(spec, data, k);
    out.push({ name: 'swish-ae (n = 384)', oracle, theta, dispose: () => oracle.dispose() });
  }
  {
    const rng = new Rng(4);
    const spec: MlpSpec = { layers: [16, 8, 16, 16], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 0 };
    const N = 10_000;
    const x = Float64Array.from({ length: N * 16 }, () => rng.normal());
    const oracle = new MlpOracle(spec, { inputs: x, targets: x, N }, k);
    out.push({ name: 'swish AE with biases (n = 552)', oracle, theta: initMlpParameters(spec, () => rng.normal()), dispose: () => oracle.dispose() });
  }
  if (withLarge) {
    const problem = buildProblem({ name: 'mnist-mlp', seed: 1 }, k);
    const spec = problem.info.spec as MlpSpec;
    const rng = new Rng(1);
    const traj = trainTrajectory(problem.oracle, initMlpParameters(spec, () => 0.05 * rng.normal()), { learningRate: 0.1, momentum: 0.9, steps: 20, keepEvery: 20 });
    out.push({ name: 'mnist-mlp (n = 109,386)', oracle: problem.oracle, theta: traj.thetas[traj.thetas.length - 1], dispose: () => (problem.oracle as { dispose?: () => void }).dispose?.() });
  }
  return out;
}

const describe = (f: SpectralFlatness) => {
  const [lo, hi] = bracketAt(f, DEFAULT_FLATNESS_CRITERION.tau);
  return `${flatnessVerdict(f)} [${lo.toFixed(3)}, ${hi.toFixed(3)}]`;
};

export function benchFlatness(k: DenseKernels, opts: { repeats: number; large: boolean }): string {
  const lines: string[] = [];
  const c = DEFAULT_FLATNESS_CRITERION;
  lines.push(`criterion: share ≥ ${c.share} at |λ| ≤ ${c.tau}‖H‖₂; kernels ${k.name}; medians of ${opts.repeats}`);
  // Memory first, on a clean heap: buffers the network points free later would hide the basis's growth.
  const memory: string[] = [];
  memory.push('');
  memory.push('Lanczos basis memory (operator of known spectrum, g with half its mass at |λ| ≤ 1e-6‖H‖₂, all steps run):');
  memory.push('| n | steps | predicted basis (k·n·8 B) | measured peak ArrayBuffer growth | s |');
  memory.push('|---|---|---|---|---|');
  for (const n of opts.large ? [100_000, 300_000, 1_000_000] : [100_000]) {
    const rng = new Rng(7);
    const d = Float64Array.from({ length: n }, (_, i) => (i < 5 ? 10 : 10 * 10 ** (-9 + 8 * rng.uniform())));
    // A diagonal operator: the basis's memory and reorthogonalisation do not depend on the eigenbasis.
    const h = { op: (v: Float64Array, out: Float64Array) => { for (let i = 0; i < n; i++) out[i] = d[i] * v[i]; } };
    const g = Float64Array.from(d, (x) => (x < 1e-5 ? 1 : 0.1));
    (globalThis as { gc?: () => void }).gc?.();
    const base = process.memoryUsage().arrayBuffers;
    let peak = base;
    const op = (v: Float64Array, out: Float64Array) => { h.op(v, out); peak = Math.max(peak, process.memoryUsage().arrayBuffers); };
    const t0 = performance.now();
    const f = lanczosSpectralFlatness(op, n, g, { stopWhenDecided: false, maxSteps: 100, normSteps: 20 });
    const s = (performance.now() - t0) / 1000;
    memory.push(`| ${n.toLocaleString('en')} | ${f.steps} | ${((f.steps! * n * 8) / 2 ** 20).toFixed(0)} MiB | ${((peak - base) / 2 ** 20).toFixed(0)} MiB | ${s.toFixed(1)} |`);
  }
  lines.push('| point | gradient | dense: products, s | lanczos: products, s, ×gradient | lanczos at the cap (undecided): products, s, ×gradient | verdict [bracket at τ_flat] |');
  lines.push('|---|---|---|---|---|---|');
  for (const p of points(k, opts.large)) {
    const n = p.oracle.dim;
    const g = Float64Array.from(p.oracle.gradient(p.theta).gradient);
    const gradMs: number[] = [];
    // A fresh θ each time: oracles cache the gradient of the last θ.
    for (let r = 0; r < opts.repeats; r++) {
      const t = Float64Array.from(p.theta);
      t[0] += 1e-9 * (r + 1);
      const t0 = performance.now();
      p.oracle.gradient(t);
      gradMs.push(performance.now() - t0);
    }
    let dense = '—';
    let denseVerdict = '';
    if (n <= 2000) {
      const ms: number[] = [];
      let f: SpectralFlatness | undefined;
      for (let r = 0; r < opts.repeats; r++) { const t0 = performance.now(); f = spectralFlatness(hessianEigen(p.oracle, p.theta, k), g); ms.push(performance.now() - t0); }
      dense = `${f!.products}, ${(median(ms) / 1000).toFixed(3)}`;
      denseVerdict = `dense ${describe(f!)}; `;
    }
    const ms: number[] = [];
    let f: SpectralFlatness | undefined;
    for (let r = 0; r < opts.repeats; r++) { const t0 = performance.now(); f = lanczosSpectralFlatness(hvpOperator(p.oracle, p.theta), n, g, { kernels: k }); ms.push(performance.now() - t0); }
    // The worst case: a point whose bracket never decides runs the whole budget.
    const t0 = performance.now();
    const cap = lanczosSpectralFlatness(hvpOperator(p.oracle, p.theta), n, g, { kernels: k, stopWhenDecided: false });
    const capMs = performance.now() - t0;
    lines.push(`| ${p.name} | ${median(gradMs).toFixed(1)} ms | ${dense} | ${f!.products} (${f!.steps} from g), ${(median(ms) / 1000).toFixed(3)}, ${(median(ms) / median(gradMs)).toFixed(0)}× | ${cap.products}, ${(capMs / 1000).toFixed(2)}, ${(capMs / median(gradMs)).toFixed(0)}× | ${denseVerdict}lanczos ${describe(f!)} |`);
    p.dispose();
  }
  lines.push(...memory);
  return lines.join('\n');
}
