/**
 * What `--plugin X` and a suite's `plugins: [X]` name: a file (a path, relative to the working
 * directory or to the suite file's folder), or an npm package installed where node would find
 * it from that folder (node_modules here or above). A package says which module registers its
 * plugins with a `gradflat` field in its package.json (a path inside the package), else its
 * main export (`exports` '.', import/default condition, or `main`) is that module; the module
 * exports plugins exactly as a plugin file does (load.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../io/errors.js';

/** An installed plugin package: its name, version and folder, and the module it registers from. */
export interface PluginPackage {
  name: string;
  version: string;
  root: string;
  entry: string;
}

/** npm package names: lowercase, optionally scoped; never a path. */
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const looksLikePackage = (ref: string) => PACKAGE_NAME.test(ref) && !/\.(m|c)?js$/.test(ref);

/**
 * The absolute path of the module a plugin reference loads: the file when one exists at
 * `ref` (relative to `baseDir`), the plugin module of the package whose folder `ref` is, else the entry module of the package `ref` installed from
 * `baseDir`; else `ref` resolved as a path (load.ts reports it as not found).
 */
export function resolvePluginRef(ref: string, baseDir: string = process.cwd()): string {
  const asPath = isAbsolute(ref) ? ref : resolve(baseDir, ref);
  // A package's own folder (`gradflat check .` while writing it): its plugin module.
  if (existsSync(asPath) && statSync(asPath).isDirectory() && existsSync(join(asPath, 'package.json'))) return readPluginPackage(asPath).entry;
  if (existsSync(asPath) || !looksLikePackage(ref)) return asPath;
  const pkg = findPluginPackage(ref, baseDir);
  if (!pkg) {
    throw new UsageError(`plugin '${ref}' is neither a file (looked for ${asPath}) nor a package installed from ${baseDir} (no node_modules/${ref} there or above): ` +
      `npm install ${ref} there, or give a file path such as ./${ref}.js`);
  }
  return pkg.entry;
}

/** The package `name` as node finds it from `baseDir` (node_modules/<name> in that folder or above), with its plugin module. */
export function findPluginPackage(name: string, baseDir: string): PluginPackage | undefined {
  for (let dir = resolve(baseDir); ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) return readPluginPackage(dirname(manifest), name);
    if (dirname(dir) === dir) return undefined;
  }
}

/** The package in `root` (its package.json), with the module its plugins come from. */
export function readPluginPackage(root: string, name?: string): PluginPackage {
  const manifest = join(root, 'package.json');
  let pkg: { name?: unknown; version?: unknown; gradflat?: unknown; exports?: unknown; main?: unknown };
  try {
    pkg = JSON.parse(readFileSync(manifest, 'utf8')) as typeof pkg;
  } catch (e) {
    throw new UsageError(`plugin package ${name ?? root}: cannot read ${manifest}: ${(e as Error).message}`);
  }
  const shown = `plugin package '${String(pkg.name ?? name)}' (${root})`;
  let rel: string | undefined;
  if (pkg.gradflat !== undefined) {
    if (typeof pkg.gradflat !== 'string') throw new UsageError(`${shown}: its package.json field "gradflat" must be the path of the module that exports its plugins, e.g. "./dist/index.js"`);
    rel = pkg.gradflat;
  } else {
    rel = entryOf(pkg.exports) ?? (typeof pkg.main === 'string' ? pkg.main : undefined) ?? 'index.js';
  }
  const entry = resolve(root, rel);
  if (!existsSync(entry)) {
    throw new UsageError(`${shown}: its plugin module ${rel} does not exist (${entry})${pkg.gradflat === undefined ? ': build the package, or point a "gradflat" field in its package.json at the module that exports its plugins' : ''}`);
  }
  // Paths as found (not real paths): a module under node_modules/<name>/ is known as that package's (packageOfModule).
  return { name: String(pkg.name ?? name), version: String(pkg.version ?? 'unknown'), root, entry };
}

/** The '.' export for an ESM import: exports as a string, or its '.' entry, under the import/node/default conditions. */
function entryOf(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (!exports || typeof exports !== 'object') return undefined;
  const e = exports as Record<string, unknown>;
  const main = Object.keys(e).some((k) => k.startsWith('.')) ? e['.'] : e;
  return pickCondition(main);
}

function pickCondition(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(pickCondition).find((x) => x !== undefined);
  if (!v || typeof v !== 'object') return undefined;
  const c = v as Record<string, unknown>;
  for (const k of ['import', 'node', 'default', 'require']) if (k in c) return pickCondition(c[k]);
  return undefined;
}

/** The package a resolved plugin module belongs to, when it lies inside node_modules/<name>/ (how queued suites ship it: by name and version). */
export function packageOfModule(file: string): PluginPackage | undefined {
  const m = /^(.*[\\/]node_modules[\\/])((?:@[^\\/]+[\\/])?[^\\/@][^\\/]*)[\\/]/.exec(file);
  if (!m) return undefined;
  const root = m[1] + m[2];
  if (!existsSync(join(root, 'package.json'))) return undefined;
  try {
    const pkg = readPluginPackage(root);
    return pkg.entry === file ? pkg : undefined;
  } catch {
    return undefined;
  }
}
