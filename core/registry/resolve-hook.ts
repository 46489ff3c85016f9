/**
 * A module resolution hook (node:module `register`), run on node's loader thread: it makes the
 * running gradflat the module that `import … from 'gradflat'` (and `'gradflat/…'` subpaths)
 * resolves to, wherever the importing file sits. A plugin file in a folder without
 * node_modules then loads, and a plugin with a gradflat of its own still registers into the
 * running registry (one copy of the tokens, the classes and the registry in the process).
 *
 * The specifier is resolved as the running package resolving its own name (node's package
 * self-reference): its package.json `exports` decide, so a subpath the package does not export
 * fails exactly as it would for an installed copy.
 */
interface HookData {
  /** The package name to capture ('gradflat'). */
  name: string;
  /** file: URL of the running package's package.json, the parent the name is resolved from. */
  packageJsonUrl: string;
}

interface ResolveContext { parentURL?: string; conditions?: string[]; importAttributes?: Record<string, string> }
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<{ url: string; format?: string | null; shortCircuit?: boolean }>;

let self: HookData | undefined;

export function initialize(data: HookData): void {
  self = data;
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve) {
  if (self && (specifier === self.name || specifier.startsWith(`${self.name}/`))) {
    return nextResolve(specifier, { ...context, parentURL: self.packageJsonUrl });
  }
  return nextResolve(specifier, context);
}
