/**
 * Which engine computes an MLP problem's oracle. 'f64' is gradflat's float64 engine (exact,
 * the default); 'tfjs' computes the same network with TensorFlow.js (float32), for users'
 * models and the float32-vs-float64 precision study. A problem's numbers depend on its engine,
 * so the engine is part of a run directory's identity.
 */
import type { DenseKernels } from '../linalg/kernels.js';
import type { Oracle } from '../oracle/oracle.js';
import type { MlpSpec } from './mlp/architecture.js';
import type { MlpData } from './mlp/data.js';
import { MlpOracle } from './mlp/mlp-oracle.js';

export const ENGINES = ['f64', 'tfjs'] as const;
export type Engine = (typeof ENGINES)[number];

export interface MlpEngineOptions {
  engine?: Engine;
  /** f64 engine: oracle threads (default: MlpOracle's rule). */
  threads?: number;
}

export function createMlpOracle(spec: MlpSpec, data: MlpData, kernels: DenseKernels, options: MlpEngineOptions = {}): Oracle {
  const engine = options.engine ?? 'f64';
  switch (engine) {
    case 'f64': return new MlpOracle(spec, data, kernels, { threads: options.threads });
    case 'tfjs': throw new Error("engine 'tfjs' is not available yet in this build");
    default: throw new Error(`unknown engine '${String(engine)}'. Engines: ${ENGINES.join(', ')}`);
  }
}
