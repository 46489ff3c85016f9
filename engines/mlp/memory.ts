/**
 * Memory of the float64 MLP oracle, from its allocations (mlp-oracle.ts, mlp-engine.ts,
 * mlp-threads.ts): what a problem of n parameters and N samples needs before it is built.
 *
 *   per parameter: the oracle's θ, gradient and two H·v buffers (4n); each chunk's engine keeps
 *     θ, its data gradient, v (3n) and per layer the packed W|b, V|c and an accumulator (≈ 3n);
 *     with worker threads, shared θ and v (2n) and one result vector per worker (n).
 *   per sample: the cached passes of the whole data set (the engine keeps every sample's
 *     activations, σ', σ'' and ∂f/∂Z so that HVPs at the same θ redo no forward/backward pass):
 *     the inputs (with a ones column for biases), per layer A_l (+1), ∂f/∂Z_l, σ'(Z_l) unless
 *     identity, σ''(Z_l) for swish/tanh; softmax p (CE) or a copy of the targets (MSE); the
 *     curvature passes' copy of the inputs; with workers, a shared copy of their samples' data.
 *   per block (blockRows B): the R-pass rows, 2·B·width per layer and 2·B·max width.
 * Transient: each HVP/gradient call's result vector (n) and K-FAC's passes are not counted.
 */
import { layerLayout, parameterCount, resolveMlpSpec, type MlpSpec } from './architecture.js';

export interface MlpMemory {
  n: number;
  /** Bytes by what they scale with. */
  perParameterBytes: number;
  perSampleBytes: number;
  perBlockBytes: number;
  totalBytes: number;
}

export function mlpOracleMemory(spec: MlpSpec, N: number, opts: { chunks?: number; threads?: number; blockRows?: number } = {}): MlpMemory {
  const r = resolveMlpSpec(spec);
  const n = parameterCount(r);
  const C = opts.chunks ?? 1;
  const T = Math.min(opts.threads ?? 1, C);
  const B = Math.min(opts.blockRows ?? 512, N);
  const beta = r.biases ? 1 : 0;
  const dIn = r.layers[0];
  const dOut = r.layers[r.layers.length - 1];
  let packed = 0;
  let perSample = dIn /* curvature copy */ + (dIn + beta) /* engine inputs */;
  let maxWidth = 0;
  let perBlock = 0;
  for (const ly of layerLayout(r)) {
    packed += ly.outputs * (ly.inputs + beta);
    const d1 = ly.activation === 'identity' ? 0 : 1;
    const d2 = ly.activation === 'swish' || ly.activation === 'tanh' ? 1 : 0;
    perSample += ly.outputs + beta + ly.outputs * (1 + d1 + d2);
    perBlock += 2 * B * ly.outputs;
    maxWidth = Math.max(maxWidth, ly.outputs + beta, ly.inputs + beta);
  }
  perSample += r.loss === 'softmax-cross-entropy' ? dOut + 0.5 /* Int32 label */ : dOut;
  perBlock += 2 * B * maxWidth;
  const workers = T - 1;
  // Workers' samples: the chunks after the calling thread's (C − T + 1) ones, shared copies.
  const workerShare = C > 0 ? workers / C : 0;
  perSample += workerShare * (dIn + (r.loss === 'softmax-cross-entropy' ? 0.5 : dOut));
  const perParam = 4 + C * (3 * n + 3 * packed) / n + (workers > 0 ? 2 + workers : 0);
  const perParameterBytes = 8 * perParam * n;
  const perSampleBytes = 8 * perSample * N;
  const perBlockBytes = 8 * perBlock * C;
  return { n, perParameterBytes, perSampleBytes, perBlockBytes, totalBytes: perParameterBytes + perSampleBytes + perBlockBytes };
}
