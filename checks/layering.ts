/**
 * The import rule of docs/architecture.md as a function: dependency-cruiser checks the rules of
 * .dependency-cruiser.cjs (upward imports, sibling methods or problems, test code, file cycles),
 * and `folderCycles` the one rule it cannot state — no cycle between folders.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cruise, type ICruiseResult, type IModule } from 'dependency-cruiser';

/** The folders and files that make up gradflat's source, relative to the repository root. */
export const SOURCE_ROOTS = ['index.ts', 'builtins.ts', 'core', 'engines', 'plugins', 'problems', 'studies', 'cli', 'bench', 'examples', 'checks'];

/** Test code: never imported by library code, so left out of the folder graph (see .dependency-cruiser.cjs). */
const TEST = /(\.test\.ts$|\/testing\/|\/testing\.ts$|-fixtures\.ts$)/;

export interface LayeringReport {
  /** One line per broken rule: `rule: from → to`. */
  violations: string[];
  /** Each cycle between folders, as its folders. */
  folderCycles: string[][];
  modules: number;
}

/** Checks the tree at `root` (a gradflat checkout) against its .dependency-cruiser.cjs. */
export async function checkLayering(root: string): Promise<LayeringReport> {
  const config = createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs')) as { forbidden: unknown[]; options: Record<string, unknown> };
  const { tsConfig, ...options } = config.options as { tsConfig: { fileName: string } };
  const cwd = process.cwd();
  // dependency-cruiser reads paths relative to the working directory.
  process.chdir(root);
  let result: ICruiseResult;
  try {
    const ts = (await import('dependency-cruiser/config-utl/extract-ts-config')).default(tsConfig.fileName);
    const res = await cruise(SOURCE_ROOTS, { ...options, ruleSet: { forbidden: config.forbidden }, validate: true } as never, {}, { tsConfig: ts });
    result = res.output as ICruiseResult;
  } finally {
    process.chdir(cwd);
  }
  const violations = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (${v.cycle.map((c) => c.name).join(' → ')})` : ''}`);
  return { violations, folderCycles: folderCycles(result.modules), modules: result.modules.length };
}

/** The folder a module belongs to: core/<part>, engines/<engine>, plugins/<method>, problems/<problem>, a top-level folder, or a top-level file. */
export function folderOf(path: string): string {
  const parts = path.split('/');
  if (parts.length === 1) return path;
  return ['core', 'engines', 'plugins', 'problems'].includes(parts[0]) && parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** Strongly connected components of more than one folder in the graph of library imports (Tarjan). */
export function folderCycles(modules: readonly IModule[]): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const m of modules) {
    if (TEST.test(m.source) || m.source.startsWith('node_modules')) continue;
    const from = folderOf(m.source);
    if (!edges.has(from)) edges.set(from, new Set());
    for (const d of m.dependencies) {
      if (d.coreModule || d.couldNotResolve || d.resolved.startsWith('node_modules') || TEST.test(d.resolved)) continue;
      const to = folderOf(d.resolved);
      if (to !== from) edges.get(from)!.add(to);
    }
  }
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) cycles.push(scc.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return cycles;
}
