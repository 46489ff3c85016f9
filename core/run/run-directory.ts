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
import { canonicalJson } from '../io/json.js';

export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function configHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}

/**
 * What a run directory's outputs are. `--force` removes exactly these, and only in a directory
 * whose manifest.json gradflat wrote: a user's own `runs/` or `summary.json` elsewhere is never touched.
 */
const OUTPUTS = ['manifest.json', 'starts.json', 'truth.json', 'summary.json', 'runs', 'report.md', 'finder', 'flat-starts.json', 'summary.txt', 'training.json', 'report', 'timing.json'];

/** True for a manifest written by openRunDirectory (it names the gradflat version and the run's identity hash). */
export function isGradflatManifest(m: unknown): m is { gradflat: string; configHash: string } {
  return typeof m === 'object' && m !== null && !Array.isArray(m) &&
    typeof (m as { gradflat?: unknown }).gradflat === 'string' && typeof (m as { configHash?: unknown }).configHash === 'string';
}

/** `--out ""` would resolve to the current directory: refuse it before any path is built from it. */
export function checkOutDirectory(out: unknown, flag = '--out'): string {
  if (typeof out !== 'string' || out.trim() === '') {
    throw new Error(`${flag} must name a directory, got ${JSON.stringify(out)}: an empty name would mean the current directory. Give a new or empty directory, e.g. --out runs/my-experiment`);
  }
  return out;
}

type DirectoryState =
  | { kind: 'new' }
  | { kind: 'gradflat'; configHash: string }
  | { kind: 'foreign'; why: string; entries: string[] };

function inspect(out: string): DirectoryState {
  if (!existsSync(out)) return { kind: 'new' };
  const entries = readdirSync(out);
  if (entries.length === 0) return { kind: 'new' };
  const manifestPath = join(out, 'manifest.json');
  if (!existsSync(manifestPath)) return { kind: 'foreign', why: 'it is not empty and holds no gradflat run (no manifest.json)', entries };
  let m: unknown;
  try {
    m = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    return { kind: 'foreign', why: `its manifest.json is not valid JSON (not written by gradflat, or damaged)`, entries };
  }
  if (!isGradflatManifest(m)) return { kind: 'foreign', why: `its manifest.json is not a gradflat manifest (it lacks 'gradflat' and 'configHash')`, entries };
  return { kind: 'gradflat', configHash: m.configHash };
}

/**
 * Opens `out` for the experiment identified by `identity`: creates it, resumes it when the
 * hash matches, refuses when it does not (unless `force`, which clears the old outputs).
 * A directory gradflat did not write (no gradflat manifest, not empty) is refused even with
 * `force`: the files there that share an output's name may be the user's.
 */
export function openRunDirectory(out: string, identity: unknown, manifest: Record<string, unknown>, force: boolean): { hash: string; resuming: boolean } {
  checkOutDirectory(out);
  const hash = configHash(identity);
  const manifestPath = join(out, 'manifest.json');
  const state = inspect(out);
  if (state.kind === 'foreign') {
    const clash = state.entries.filter((e) => OUTPUTS.includes(e));
    const listed = (l: string[]) => l.slice(0, 6).join(', ') + (l.length > 6 ? ', ...' : '');
    throw new Error(force
      ? `${out}: refusing --force: ${state.why}, so gradflat cannot tell its own outputs from your files` +
        `${clash.length > 0 ? ` (it would have deleted or overwritten ${listed(clash)})` : ` (found ${listed(state.entries)})`}. ` +
        'Use a new or empty --out directory, or move those files away.'
      : `${out}: refusing to write there: ${state.why} (found ${listed(state.entries)}). ` +
        'Use a new or empty --out directory.');
  }
  if (state.kind === 'gradflat') {
    if (state.configHash === hash && !force) return { hash, resuming: true };
    if (!force) {
      throw new Error(`${out} holds a run with a different configuration (hash ${state.configHash}, now ${hash}). ` +
        'Use another --out directory, or --force to delete its gradflat outputs and start over there.');
    }
    for (const f of OUTPUTS) rmSync(join(out, f), { recursive: true, force: true });
  }
  writeJsonAtomic(manifestPath, { ...manifest, configHash: hash, identity, createdAt: new Date().toISOString() });
  return { hash, resuming: false };
}
