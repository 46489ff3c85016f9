/** Running the built CLI (dist/cli/main.js) as a child process in a scratch folder, for CLI tests. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

/** `gradflat ARGS` in cwd, with the TypeScript kernels (deterministic) and CI=true (quiet progress) unless env says otherwise. */
export function gradflat(cwd: string, args: string[], env: Record<string, string | undefined> = { CI: 'true' }): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: undefined, GRADFLAT_KERNELS: 'typescript', ...env } });
}

/** body(dir) in a fresh temporary folder, removed afterwards. */
export function inTemp(name: string, body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), `gradflat-weak-${name}-`));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every path under dir, relative, sorted. */
export const files = (dir: string): string[] => (readdirSync(dir, { recursive: true }) as string[]).map(String).sort();

/** A 4-run quartic experiment that takes well under a second. */
export const QUARTIC = ['run', '--problem', 'quartic', '--grid', '2', '--iterations', '4'];
