/**
 * A plugin file and the local modules it imports, transitively: what its code is. A plugin's
 * identity (a directory's, a queued job's) covers all of them, so editing a module a plugin
 * imports is another computation, not a stale run kept. Followed: relative specifiers ('./x',
 * '../lib/y.js') of static imports and re-exports, import() with a literal, and require();
 * packages ('gradflat', 'yaml') are not files of the plugin.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const SPECIFIERS = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])(\.{1,2}\/[^'"]+)\1/g;
const EXTENSIONS = ['', '.js', '.mjs', '.cjs', '.json', '/index.js', '/index.mjs'];

function resolveLocal(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec.split(/[?#]/)[0]);
  for (const ext of EXTENSIONS) {
    const p = base + ext;
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return undefined;
}

/** `entry` and every local module it imports (absolute paths, `entry` first, each once). */
export function pluginModuleFiles(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    if (file.endsWith('.json')) return;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(SPECIFIERS)) {
      const dep = resolveLocal(file, m[2]);
      if (dep) visit(dep);
    }
  };
  visit(resolve(entry));
  return [...seen];
}

/** A plugin's identity: its file's hash and those of the modules it imports (paths relative to the plugin's folder). */
export function pluginIdentity(entry: string): { file: string; sha256: string; imports?: Array<{ file: string; sha256: string }> } {
  const [main, ...deps] = pluginModuleFiles(entry);
  const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
  const imports = deps.map((p) => ({ file: relative(dirname(main), p), sha256: sha(p) })).sort((a, b) => (a.file < b.file ? -1 : 1));
  return { file: entry, sha256: sha(main), ...(imports.length > 0 && { imports }) };
}

/**
 * One hash of a plugin's code (its module and the local modules it imports, by their paths
 * relative to the module's folder): equal on two machines exactly when pluginIdentity agrees
 * but for where the plugin lies. A worker compares a plugin package's with the coordinator's.
 */
export function pluginContentSha256(entry: string): string {
  const { sha256, imports } = pluginIdentity(entry);
  return createHash('sha256').update(JSON.stringify({ sha256, imports: imports ?? [] })).digest('hex');
}
