/**
 * Chooses the dense kernels (gemm, symmetric eigensolver) for this process.
 *
 *   'auto'       OpenBLAS/LAPACKE through koffi when it loads, otherwise the pure-TypeScript
 *                kernels; in that case `notice` is called ONCE per process with a one-line
 *                message saying why and how to get the fast kernels.
 *   'typescript' the pure-TypeScript kernels (always available, no message).
 *   'openblas'   OpenBLAS or a clear Error with the reason it is unavailable.
 *
 * Environment: GRADFLAT_KERNELS=auto|typescript|openblas sets the preference used when
 * `selectKernels` is called without one (an invalid value throws). An explicit argument wins.
 *
 * The OpenBLAS probe runs at most once per process and its outcome is cached, so repeated
 * calls return the same kernel object.
 */
import type { DenseKernels } from './kernels.js';
import { typescriptKernels } from './kernels-typescript.js';
import { loadOpenBlasKernels } from './kernels-openblas.js';
import { UsageError } from '../io/errors.js';
import { envField, z } from '../io/fields.js';

export type KernelPreference = (typeof PREFERENCES)[number];

const PREFERENCES = ['auto', 'typescript', 'openblas'] as const;
const INSTALL_HINT = 'apt-get install libopenblas0-pthread liblapacke';

let noticeSent = false;

// The notice carries no "gradflat:" prefix: the CLI's notice adds it (it was doubled once).
function defaultNotice(msg: string): void {
  process.emitWarning(`gradflat: ${msg}`, { code: 'GRADFLAT_KERNELS' });
}

function environmentPreference(): KernelPreference {
  return envField('GRADFLAT_KERNELS', z.string().toLowerCase().pipe(z.enum(PREFERENCES)), (raw) => `GRADFLAT_KERNELS must be one of ${PREFERENCES.join('|')} (got '${raw}')`) ?? 'auto';
}

/** How to get the OpenBLAS kernels, given why they did not load. */
function remedy(reason: string): string {
  return reason.includes('koffi')
    ? `reinstall with optional dependencies (npm install koffi) and ${INSTALL_HINT}`
    : INSTALL_HINT;
}

/**
 * Dense kernels for `preference` (default: $GRADFLAT_KERNELS, else 'auto'): 'auto' takes
 * OpenBLAS/LAPACKE through koffi when it loads, else the TypeScript kernels and calls `notice`
 * once saying why and how to get the fast ones; 'typescript' always works; 'openblas' throws with
 * the reason when unavailable. `notice` defaults to `process.emitWarning`.
 */
export function selectKernels(preference?: KernelPreference, notice?: (msg: string) => void): DenseKernels {
  const pref = preference ?? environmentPreference();
  if (!PREFERENCES.includes(pref)) {
    throw new UsageError(`unknown kernel preference '${String(pref)}' (expected ${PREFERENCES.join('|')})`);
  }
  if (pref === 'typescript') return typescriptKernels;
  const loaded = loadOpenBlasKernels();
  if ('kernels' in loaded) return loaded.kernels;
  if (pref === 'openblas') {
    throw new UsageError(`OpenBLAS kernels were requested but are unavailable: ${loaded.error}. To get them: ${remedy(loaded.error)}; or use --kernels/GRADFLAT_KERNELS=auto or typescript.`);
  }
  if (!noticeSent) {
    noticeSent = true;
    (notice ?? defaultNotice)(
      `using the pure-TypeScript dense kernels (slower) because OpenBLAS is unavailable: ${loaded.error}. ` +
      `For the fast kernels: ${remedy(loaded.error)}. Set GRADFLAT_KERNELS=typescript to silence this.`,
    );
  }
  return typescriptKernels;
}
