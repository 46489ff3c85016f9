/**
 * A run directory's identity: the manifest and its config hash. The hash covers everything
 * that changes results — the resolved config (defaults filled, keys sorted) and the contents
 * of any data file — so resuming never mixes runs of two different experiments. The manifest
 * is written when the directory is created and left alone on resume.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../io/atomic.js';
import { UsageError } from '../io/errors.js';
import { LOCK_FILE } from '../io/lock.js';
import { identityDiff } from './identity-diff.js';
import { canonicalJson } from '../io/json.js';

export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function configHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}

/** What a run directory's outputs are; `--force` removes exactly these. */
const OUTPUTS = ['manifest.json', 'starts.json', 'truth.json', 'summary.json', 'runs', 'report.md', 'finder', 'flat-starts.json', 'summary.txt', 'training.json', 'report', 'timing.json'];

/** Removes gradflat's outputs from `out` (--force; a start that failed before any run). */
export function discardOutputs(out: string): void {
  for (const f of OUTPUTS) rmSync(join(out, f), { recursive: true, force: true });
}

/** Temporary files of atomic writes (`.NAME.PID.THREAD.tmp`) a killed writer left behind. */
export function removeStaleTemps(dir: string, pid?: number): void {
  const pattern = /^\..+\.(\d+)\.\d+\.tmp$/;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.isDirectory()) removeStaleTemps(join(dir, e.name), pid);
    else if (pattern.test(e.name) && (pid === undefined || Number(pattern.exec(e.name)![1]) === pid)) rmSync(join(dir, e.name), { force: true });
  }
}

interface OldManifest {
  configHash?: unknown;
  identity?: Record<string, unknown>;
  kernels?: unknown;
}

/**
 * Opens `out` for the experiment identified by `identity`: creates it, resumes it when the
 * hash matches, refuses when it does not (unless `force`, which clears the old outputs).
 * The caller holds the directory's lock (core/io/lock.ts). Returns true when resuming.
 */
export function openRunDirectory(out: string, identity: Record<string, unknown>, manifest: Record<string, unknown>, force: boolean): { hash: string; resuming: boolean } {
  const hash = configHash(identity);
  const manifestPath = join(out, 'manifest.json');
  const entries = existsSync(out) ? readdirSync(out).filter((f) => f !== LOCK_FILE) : [];
  if (!existsSync(manifestPath) && entries.length > 0 && !force) {
    throw new UsageError(`${out} is not empty and holds no gradflat run (no manifest.json); refusing to write there. ` +
      'Use a new or empty --out directory (or --force, which deletes only gradflat\'s own outputs there).');
  }
  if (existsSync(manifestPath)) {
    let old: OldManifest | undefined;
    try {
      old = JSON.parse(readFileSync(manifestPath, 'utf8')) as OldManifest;
    } catch {
      if (!force) throw new UsageError(`${manifestPath} is not valid JSON: this is not a gradflat run directory, or it was damaged. Use another --out, or --force to start over there.`);
    }
    if (old !== undefined) {
      // A manifest.json of some other program (a web app's, say): never ours to resume or delete.
      if (old === null || typeof old !== 'object' || typeof old.configHash !== 'string' || typeof old.identity !== 'object' || old.identity === null) {
        throw new UsageError(`${manifestPath} is not a gradflat manifest (it has no configHash and identity): ${out} belongs to something else, and gradflat will not write there, with or without --force. Use another --out directory.`);
      }
      const oldKernels = old.identity.kernels ?? old.kernels;
      // The same experiment but for the kernels (directories made before the kernels were part of the run's identity lack them there).
      const sameElse = [hash, configHash({ ...identity, kernels: oldKernels }), configHash({ ...identity, kernels: undefined })].includes(old.configHash);
      const sameKernels = identity.kernels === undefined || oldKernels === identity.kernels;
      if (sameElse && sameKernels && !force) return { hash, resuming: true };
      if (!force && sameElse) {
        throw new UsageError(`${out} was computed with the ${String(oldKernels)} dense kernels, and this invocation uses ${String(identity.kernels)}: ` +
          `resuming would mix runs of two kernel sets (their round-off differs). Resume with --kernels ${String(oldKernels)} (or GRADFLAT_KERNELS=${String(oldKernels)}), ` +
          `use another --out directory, or --force to start over there with ${String(identity.kernels)}.`);
      }
      if (!force) {
        const diff = identityDiff(old.identity, identity);
        throw new UsageError(`${out} holds a run with a different configuration (hash ${old.configHash}, now ${hash})${diff.length ? `: ${diff.join('; ')}` : ''}. ` +
          'Use another --out directory, or --force to start over there.');
      }
    }
  }
  discardOutputs(out);
  writeJsonAtomic(manifestPath, { ...manifest, configHash: hash, identity, createdAt: new Date().toISOString() });
  return { hash, resuming: false };
}
