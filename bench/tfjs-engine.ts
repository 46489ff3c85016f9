/**
 * Cost per HVP (and per gradient at a new θ) of each engine on the paper's networks, measured in
 * ONE process so that ratios are meaningful on a shared machine: float64 engine (OpenBLAS and
 * TypeScript kernels, one thread) and tfjs (each backend available, R-operator and double
 * backprop). Engines are interleaved in rounds and every number is a median.
 *
 *   node dist/bench/tfjs-engine.js [--N 10000] [--rounds 3] [--backends cpu,wasm] [--wasm-module PATH] [--nets a,b]
 *
 * docs/precision.md quotes its output. Synthetic Gaussian data (cost does not depend on values).
 */
import { pathToFileURL } from 'node:url';
import { selectKernels } from '../core/linalg/select-kernels.js';
import { typescriptKernels } from '../core/linalg/kernels-typescript.js';
import type { DenseKernels } from '../core/linalg/kernels.js';
import type { Oracle } from '../core/oracle/oracle.js';
import type { MlpSpec } from '../engines/mlp/architecture.js';
import type { MlpData } from '../engines/mlp/data.js';
import { initMlpParameters, seededNormal } from '../engines/mlp/init.js';
import { MlpOracle } from '../engines/mlp/mlp-oracle.js';
import { selectTfjsBackend, type TfjsBackendPreference } from '../engines/tfjs/backend.js';
import { TfjsMlpOracle } from '../engines/tfjs/mlp-r-operator.js';
import { PAPER_NETWORKS } from '../engines/tfjs/paper-networks.js';

export interface EngineTiming { engine: string; msPerHvp: number; msPerGradient: number }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

export function benchData(spec: MlpSpec, N: number, seed = 12345): MlpData {
  const normal = seededNormal(seed);
  const dIn = spec.layers[0];
  const dOut = spec.layers[spec.layers.length - 1];
  const inputs = Float64Array.from({ length: N * dIn }, normal);
  if (spec.loss === 'mse') return { inputs, N, targets: dIn === dOut ? inputs : Float64Array.from({ length: N * dOut }, normal) };
  return { inputs, N, labels: Int32Array.from({ length: N }, (_, i) => i % dOut) };
}

/** Times `reps` HVPs at one θ (passes cached) and `reps` gradients at new θ; returns ms samples. */
function timeOracle(oracle: Oracle, spec: MlpSpec, reps: number): { hvp: number[]; gradient: number[] } {
  const normal = seededNormal(7);
  const theta = initMlpParameters(spec, normal);
  const n = oracle.dim;
  const v = Float64Array.from({ length: n }, normal);
  const out = new Float64Array(n);
  const tb = theta.slice();
  for (let r = 0; r < 3; r++) { tb[0] = theta[0] + 1e-3 * (r + 1); oracle.gradient(tb); oracle.hvp(tb, v, out); }
  oracle.gradient(theta);
  const hvp: number[] = [];
  for (let r = 0; r < reps; r++) {
    v[r % n] += 0.5;
    const t0 = performance.now();
    oracle.hvp(theta, v, out);
    hvp.push(performance.now() - t0);
  }
  const gradient: number[] = [];
  for (let r = 0; r < reps; r++) {
    tb[1] = theta[1] + 1e-3 * (r + 1);
    const t0 = performance.now();
    oracle.gradient(tb);
    gradient.push(performance.now() - t0);
  }
  return { hvp, gradient };
}

export interface BenchOptions {
  N?: number;
  rounds?: number;
  reps?: number;
  backends?: TfjsBackendPreference[];
  wasmModule?: string;
  nets?: string[];
  log?: (line: string) => void;
}

export async function benchEngines(options: BenchOptions = {}): Promise<Record<string, EngineTiming[]>> {
  const N = options.N ?? 10_000;
  const rounds = options.rounds ?? 3;
  const reps = options.reps ?? 10;
  const backends = options.backends ?? ['cpu', 'wasm'];
  const log = options.log ?? ((s: string) => process.stdout.write(s + '\n'));
  const nets = options.nets ?? Object.keys(PAPER_NETWORKS);
  const blas = selectKernels('auto', () => {});
  const kernelSets: DenseKernels[] = blas.name === 'typescript' ? [typescriptKernels] : [blas, typescriptKernels];
  const usable: TfjsBackendPreference[] = [];
  for (const b of backends) {
    try { await selectTfjsBackend(b, { wasmModule: options.wasmModule }); usable.push(b); } catch (e) { log(`backend ${b}: unavailable (${(e as Error).message.split('\n')[0]})`); }
  }
  const results: Record<string, EngineTiming[]> = {};
  for (const net of nets) {
    const spec = PAPER_NETWORKS[net];
    if (spec === undefined) throw new Error(`unknown network '${net}' (have ${Object.keys(PAPER_NETWORKS).join(', ')})`);
    const data = benchData(spec, N);
    const samples = new Map<string, { hvp: number[]; gradient: number[] }>();
    const add = (name: string, t: { hvp: number[]; gradient: number[] }) => {
      const s = samples.get(name) ?? { hvp: [], gradient: [] };
      s.hvp.push(...t.hvp);
      s.gradient.push(...t.gradient);
      samples.set(name, s);
    };
    for (let round = 0; round < rounds; round++) {
      for (const k of kernelSets) {
        const o = new MlpOracle(spec, data, k, { threads: 1 });
        add(`f64 ${k.name} 1 thread`, timeOracle(o, spec, reps));
        o.dispose();
      }
      for (const b of usable) {
        await selectTfjsBackend(b, { wasmModule: options.wasmModule });
        for (const method of ['r-operator', 'double-backprop'] as const) {
          const o = new TfjsMlpOracle(spec, data, { hvp: method });
          add(`tfjs ${b} ${method}`, timeOracle(o, spec, reps));
          o.dispose();
        }
      }
    }
    results[net] = [...samples].map(([engine, s]) => ({ engine, msPerHvp: median(s.hvp), msPerGradient: median(s.gradient) }));
    log(`${net} (n = ${new MlpOracle(spec, benchData(spec, 2), typescriptKernels, { threads: 1 }).dim}, N = ${N}): median ms over ${rounds}×${reps} calls`);
    const ref = results[net][0].msPerHvp;
    for (const r of results[net]) {
      log(`  ${r.engine.padEnd(32)} HVP ${r.msPerHvp.toFixed(2).padStart(8)} ms (${(r.msPerHvp / ref).toFixed(2)}× ${results[net][0].engine})   gradient ${r.msPerGradient.toFixed(2).padStart(8)} ms`);
    }
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  await benchEngines({
    N: arg('N') ? Number(arg('N')) : undefined,
    rounds: arg('rounds') ? Number(arg('rounds')) : undefined,
    reps: arg('reps') ? Number(arg('reps')) : undefined,
    backends: arg('backends')?.split(',') as TfjsBackendPreference[] | undefined,
    wasmModule: arg('wasm-module'),
    nets: arg('nets')?.split(','),
  });
}
