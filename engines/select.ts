/**
 * Which engine computes an MLP problem's oracle. 'f64' is gradflat's float64 engine (exact,
 * the default); 'tfjs' computes the same network with TensorFlow.js (float32), for users'
 * models and the float32-vs-float64 precision study. A problem's numbers depend on its engine,
 * so the engine is part of a run directory's identity.
 *
 * Importing this module loads no TensorFlow.js (tfjs/backend.ts loads it on first use): a float64
 * process never pays for it, and a tfjs backend that cannot start breaks only tfjs work.
 */
import type { DenseKernels } from '../core/linalg/kernels.js';
import type { Oracle } from '../core/oracle/oracle.js';
import type { MlpSpec } from './mlp/architecture.js';
import type { MlpData } from './mlp/data.js';
import { MlpOracle } from './mlp/mlp-oracle.js';
import { TfjsMlpOracle, type TfjsHvpMethod } from './tfjs/mlp-r-operator.js';
import { selectTfjsBackend, type TfjsBackendStatus } from './tfjs/backend.js';
import { UsageError } from '../core/io/errors.js';

export const ENGINES = ['f64', 'tfjs'] as const;
export type Engine = (typeof ENGINES)[number];

export interface MlpEngineOptions {
  engine?: Engine;
  /** f64 engine: oracle threads (default: MlpOracle's rule). */
  threads?: number;
  /** tfjs engine: HVP by the R-operator in tfjs ops (default) or by double backprop (engines/tfjs/). */
  tfjsHvp?: TfjsHvpMethod;
}

export function createMlpOracle(spec: MlpSpec, data: MlpData, kernels: DenseKernels, options: MlpEngineOptions = {}): Oracle {
  const engine = options.engine ?? 'f64';
  switch (engine) {
    case 'f64': return new MlpOracle(spec, data, kernels, { threads: options.threads });
    // The tfjs backend is the process's (engines/tfjs/backend.ts: the CLI selects it first).
    case 'tfjs': return new TfjsMlpOracle(spec, data, { hvp: options.tfjsHvp });
    default: throw new UsageError(`unknown engine '${String(engine)}'. Engines: ${ENGINES.join(', ')}`);
  }
}

/**
 * Call before building problems on `engine` (the CLI does): for 'tfjs', chooses the process's tfjs
 * backend (tfjs-node, else WASM, else cpu; $GRADFLAT_TFJS_BACKEND) and records the choice in
 * $GRADFLAT_TFJS_BACKEND so that worker threads started afterwards use the same one. Returns the
 * backend's status, or null for 'f64'.
 */
export async function prepareEngine(engine: Engine | undefined): Promise<TfjsBackendStatus | null> {
  if (engine !== 'tfjs') return null;
  const status = await selectTfjsBackend();
  process.env.GRADFLAT_TFJS_BACKEND = status.backend;
  return status;
}
