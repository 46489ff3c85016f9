/**
 * What decides a run's numbers besides its configuration: the code that computes it and the
 * numeric environment it runs in. Two machines that differ in either can write different
 * numbers for the same run (a fixed method; another CPU kernel chosen by OpenBLAS), so this is
 * part of a directory's identity and of every queued job, and a worker whose computation differs
 * from its coordinator's refuses the job (docs/scale-out.md).
 *   code      SHA-256 over gradflat's own modules as installed (built JavaScript, or the
 *             TypeScript sources when run from them), test files aside: any change to the code,
 *             whatever package.json's version says, is another computation.
 *   kernels   the dense kernel set (typescript, openblas).
 *   blas      with openblas: the library, the CPU kernel it chose (openblas_get_corename) and
 *             its thread count; the TypeScript kernels depend on nothing of the machine.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBlasInfo } from '../linalg/kernels-openblas.js';

export interface Computation {
  code: string;
  kernels: string;
  blas?: { library: string; corename?: string; threads?: number };
}

// The package root: dist/ when built (this file is dist/core/run/computation.js), the checkout when run from source.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Top-level folders that are not part of what computes a run: benchmarks, repository checks,
// examples, outputs (core/report and the like, deeper down, are code and count).
const SKIP_TOP = new Set(['dist', 'runs', 'bench', 'checks', 'examples', 'docs', 'suites', '.git', '.bench', 'report']);
const CODE_FILE = /\.(js|mjs|cjs|ts)$/;
const NOT_CODE = /\.test\.[cm]?[jt]s$|\.d\.ts$/;

let cachedCode: string | undefined;

/** SHA-256 (hex) over gradflat's own module files, by relative path and content; computed once per process. */
export function codeHash(): string {
  if (cachedCode) return cachedCode;
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !(dir === ROOT && SKIP_TOP.has(e.name))) walk(p);
      } else if (e.isFile() && CODE_FILE.test(e.name) && !NOT_CODE.test(e.name)) {
        h.update(relative(ROOT, p)).update('\0').update(readFileSync(p)).update('\0');
      }
    }
  };
  walk(ROOT);
  cachedCode = h.digest('hex');
  return cachedCode;
}

/** This process's computation for the kernel set `kernels` (by name). */
export function computationOf(kernels: string): Computation {
  const info = kernels === 'openblas' ? openBlasInfo() : undefined;
  return {
    code: codeHash(), kernels,
    ...(info && { blas: { library: info.library, ...(info.corename !== undefined && { corename: info.corename }), ...(info.threads !== undefined && { threads: info.threads }) } }),
  };
}

/** One line for messages: "code 1a2b3c4d5e6f, kernels openblas (libopenblas.so.0, CPU kernel Haswell, 1 thread)". */
export function describeComputation(c: Computation): string {
  const b = c.blas;
  const blas = b ? ` (${b.library}${b.corename ? `, CPU kernel ${b.corename}` : ''}${b.threads !== undefined ? `, ${b.threads} thread${b.threads === 1 ? '' : 's'}` : ''})` : '';
  return `code ${c.code.slice(0, 12)}, kernels ${c.kernels}${blas}`;
}

/** The parts in which `b` differs from `a` (empty: the same computation). */
export function computationDifferences(a: Computation, b: Computation): string[] {
  const out: string[] = [];
  if (a.code !== b.code) out.push('code');
  if (a.kernels !== b.kernels) out.push('kernels');
  else if (JSON.stringify(a.blas ?? null) !== JSON.stringify(b.blas ?? null)) out.push('BLAS');
  return out;
}

/** Who computed a queued run: this machine and process, for the summary's record of mixed pools. */
export function machineName(): string {
  return `${hostname()}:${process.pid}`;
}
