/**
 * Plugins resolve the running gradflat: `import … from 'gradflat'` in a plugin file (or a plugin
 * package) means the gradflat that loads it, not whatever copy happens to sit near the file,
 * and not "Cannot find package" in a folder with no node_modules. `useRunningGradflat()`
 * registers the resolution hook (resolve-hook.ts) once per thread; `checkOwnGradflat(file)`
 * warns when the plugin's folder has a gradflat of another version installed, which it would
 * have used had it run on its own (its tests, say).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface RunningPackage {
  name: string;
  version: string;
  /** The folder holding its package.json (real path). */
  root: string;
}

let running: RunningPackage | null | undefined;

/** The package this module belongs to: the nearest package.json above it that declares `exports`. */
export function runningPackage(): RunningPackage | undefined {
  if (running !== undefined) return running ?? undefined;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string; exports?: unknown };
        if (typeof pkg.name === 'string' && pkg.exports !== undefined) {
          running = { name: pkg.name, version: String(pkg.version ?? 'unknown'), root: realpathSync(dir) };
          return running;
        }
      } catch { /* an unreadable package.json: keep looking above */ }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  running = null;
  return undefined;
}

let hooked = false;

/**
 * Registers the resolution hook in this thread (idempotent). Returns false where it cannot
 * (no package.json found above this module, or a node without module.register): plugins then
 * resolve 'gradflat' as node does by default.
 */
export function useRunningGradflat(): boolean {
  if (hooked) return true;
  const pkg = runningPackage();
  if (!pkg || typeof register !== 'function') return false;
  register(new URL('./resolve-hook.js', import.meta.url), {
    data: { name: pkg.name, packageJsonUrl: pathToFileURL(join(pkg.root, 'package.json')).href },
  });
  hooked = true;
  return true;
}

const warned = new Set<string>();

/**
 * The gradflat a plugin at `file` would resolve on its own (the nearest node_modules/<name>
 * above it), when that is another copy of another version than the running one: a warning
 * text naming both, else undefined. Each such copy is reported once per thread.
 */
export function ownGradflatWarning(file: string): string | undefined {
  const pkg = runningPackage();
  if (!pkg) return undefined;
  let dir = dirname(file);
  for (;;) {
    const manifest = join(dir, 'node_modules', pkg.name, 'package.json');
    if (existsSync(manifest)) {
      const root = realpathSync(dirname(manifest));
      if (root === pkg.root || warned.has(root)) return undefined;
      let version = 'unknown';
      try {
        version = String((JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version ?? 'unknown');
      } catch { /* unreadable: its version is unknown */ }
      if (version === pkg.version) return undefined;
      warned.add(root);
      return `plugin ${file} has its own ${pkg.name} ${version} installed (${dirname(manifest)}), but runs with the ${pkg.name} that loads it, ${pkg.version} (${pkg.root}): ` +
        `its imports of '${pkg.name}' get ${pkg.version}. Install ${pkg.name}@${pkg.version} beside the plugin (or make ${pkg.name} a peer dependency) so that its own tests use the same version`;
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
