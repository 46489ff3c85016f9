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

/** What a run directory's outputs are; `--force` removes exactly these. */
const OUTPUTS = ['manifest.json', 'starts.json', 'truth.json', 'summary.json', 'runs', 'report.md', 'finder', 'flat-starts.json', 'summary.txt', 'training.json', 'report', 'timing.json'];

/**
 * Opens `out` for the experiment identified by `identity`: creates it, resumes it when the
 * hash matches, refuses when it does not (unless `force`, which clears the old outputs).
 * Returns true when resuming.
 */
export function openRunDirectory(out: string, identity: unknown, manifest: Record<string, unknown>, force: boolean): { hash: string; resuming: boolean } {
  const hash = configHash(identity);
  const manifestPath = join(out, 'manifest.json');
  if (!existsSync(manifestPath) && existsSync(out) && readdirSync(out).length > 0 && !force) {
    throw new Error(`${out} is not empty and holds no gradflat run (no manifest.json); refusing to write there. ` +
      'Use a new or empty --out directory (or --force, which deletes only gradflat\'s own outputs there).');
  }
  if (existsSync(manifestPath)) {
    let old: { configHash?: string } = {};
    try {
      old = JSON.parse(readFileSync(manifestPath, 'utf8')) as { configHash?: string };
    } catch {
      if (!force) throw new Error(`${manifestPath} is not valid JSON: this is not a gradflat run directory, or it was damaged. Use another --out, or --force to start over there.`);
    }
    if (old.configHash === hash && !force) return { hash, resuming: true };
    if (!force) {
      throw new Error(`${out} holds a run with a different configuration (hash ${old.configHash}, now ${hash}). ` +
        'Use another --out directory, or --force to start over there.');
    }
  }
  for (const f of OUTPUTS) rmSync(join(out, f), { recursive: true, force: true });
  writeJsonAtomic(manifestPath, { ...manifest, configHash: hash, identity, createdAt: new Date().toISOString() });
  return { hash, resuming: false };
}
