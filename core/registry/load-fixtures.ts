/**
 * Test fixtures for plugin files: a scratch directory OUTSIDE the package in which
 * `import ... from 'gradflat'` resolves, as it would for a user who installed gradflat.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (the folder with package.json and dist/), from dist/core/registry/. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The example plugin, read from the source tree (examples/ is not compiled). */
export const EXAMPLE_PLUGIN = join(PACKAGE_ROOT, 'examples', 'trust-region-newton.js');

export interface PluginSandbox {
  dir: string;
  /** Writes `name` in the sandbox and returns its absolute path. */
  write(name: string, source: string): string;
  remove(): void;
}

/**
 * A fresh os.tmpdir() folder with node_modules/gradflat → the package root (a symlink, as
 * `npm link` makes). With `separateCopy`, node_modules/gradflat is instead a COPY of package.json
 * and dist/, with its own copies of tsyringe, tslib and reflect-metadata (other dependencies
 * are linked): a second gradflat, as a plugin with its own install would load.
 */
export function pluginSandbox(opts: { separateCopy?: boolean } = {}): PluginSandbox {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-plugin-'));
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  // A user's project: ESM .js files (node ≥ 20.19 would also detect ESM syntax without this).
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-gradflat-methods', private: true, type: 'module' }));
  if (!opts.separateCopy) {
    symlinkSync(PACKAGE_ROOT, join(modules, 'gradflat'), 'dir');
  } else {
    const copy = join(modules, 'gradflat');
    mkdirSync(copy);
    cpSync(join(PACKAGE_ROOT, 'package.json'), join(copy, 'package.json'));
    cpSync(join(PACKAGE_ROOT, 'dist'), join(copy, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
    const own = new Set(['tsyringe', 'tslib', 'reflect-metadata']);
    const deps = join(PACKAGE_ROOT, 'node_modules');
    for (const name of readdirSync(deps)) {
      if (name.startsWith('.') || name === 'gradflat') continue;
      if (own.has(name)) cpSync(join(deps, name), join(modules, name), { recursive: true });
      else symlinkSync(join(deps, name), join(modules, name), 'dir');
    }
    for (const name of own) if (!existsSync(join(modules, name))) throw new Error(`fixture: ${name} is not installed`);
  }
  return {
    dir,
    write(name, source) {
      const path = join(dir, name);
      writeFileSync(path, source);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
