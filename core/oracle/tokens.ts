/**
 * Injection tokens. TypeScript interfaces are erased at run time and tsx/esbuild emit no
 * decorator metadata (so tsyringe cannot read constructor parameter types), so every injected
 * parameter names its token.
 * The tokens are registered symbols (Symbol.for): two copies of gradflat loaded in one process
 * (a user's plugin whose 'gradflat' resolves to another path) still agree on them.
 */
import type { InjectionToken } from '../di.js';
import type { DenseKernels } from '../linalg/kernels.js';
import type { Oracle } from './oracle.js';

/** The oracle the stepper being constructed steps on (the harness's counting wrapper of the problem's). */
export const ORACLE: InjectionToken<Oracle> = Symbol.for('gradflat.Oracle');
/** The validated hyperparameters of the stepper being constructed. */
export const HYPERPARAMETERS: InjectionToken<Record<string, unknown>> = Symbol.for('gradflat.Hyperparameters');
/**
 * The process's dense kernels (gemm, symmetric eigensolver): OpenBLAS/LAPACKE when loaded, else
 * the TypeScript ones (core/linalg/select-kernels.ts), so that steppers doing dense algebra
 * (K-FAC, saddle-free Newton) use the same kernels as the rest of the run.
 */
export const DENSE_KERNELS: InjectionToken<DenseKernels> = Symbol.for('gradflat.DenseKernels');
