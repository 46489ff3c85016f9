/**
 * Loading a user's plugin file (`gradflat run --plugin my-method.js`): a JavaScript module,
 * imported at run time, whose exports are registered with a PluginRegistry. See
 * PLUGIN_FILE_CONTRACT for what the file must export.
 *
 * Loading the same file twice into one registry is a no-op (names it registered are skipped);
 * a name already taken by a different plugin (a built-in, another file) is an error.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PluginRegistry, type StepperPlugin } from './registry.js';
import { problemPluginDefect, type ProblemPlugin } from './problems.js';
import { UsageError } from '../io/errors.js';
import { z } from '../io/fields.js';
import { ownGradflatWarning, useRunningGradflat } from './self-resolve.js';
import { resolvePluginRef } from './plugin-ref.js';

export const PLUGIN_FILE_CONTRACT =
  'A plugin file must `export default` a stepper plugin ({ name, description, hyperparameters, and stepper (a class) or create(oracle, hp) }) ' +
  'or a problem plugin ({ name, description, options, build(options, ctx) }), an array of them, or a function (registry) => void | Promise<void> ' +
  'that registers them (registry.register / registry.registerProblem); or export them as `plugin` / `plugins` / `problem` / `problems`.';

type AnyPlugin = StepperPlugin | ProblemPlugin;
/** A problem plugin has build(); a stepper plugin has stepper or create. */
function isProblem(p: object): p is ProblemPlugin {
  const o = p as { build?: unknown; options?: unknown; stepper?: unknown; create?: unknown };
  return typeof o.build === 'function' || (o.options !== undefined && o.stepper === undefined && o.create === undefined);
}
/** Names in the origins map: steppers by name, problems as 'problem:<name>' (the two namespaces are apart). */
const key = (p: AnyPlugin) => (isProblem(p) ? `problem:${p.name}` : p.name);

/** Per registry: which file registered each name, so a second load of that file skips it. */
const origins = new WeakMap<PluginRegistry, Map<string, string>>();

type Fail = (what: string) => never;

/** Imports `file` (relative to process.cwd(); or an installed package's plugin module, plugin-ref.ts) and registers its plugins; returns their names. */
export async function loadPluginFile(file: string, registry: PluginRegistry): Promise<string[]> {
  const { given, path } = resolvePluginFile(file);
  const mod = await importPluginModule(given, path);
  const fail: Fail = (what) => {
    throw new UsageError(`plugin file ${given}: ${what}`);
  };
  const { statics, registrar } = pluginExports(mod, fail);
  const into = registration(registry, path, fail);
  // Check every exported plugin before registering any, so a bad file leaves the registry as it was.
  const unique = checkedPlugins(statics, into, fail);
  for (const [p, where] of unique) into.registerOne(p, where);
  if (registrar) await runRegistrar(registrar, registry, into, given, unique.length, fail);
  return into.names;
}

/** Phase 1: the file's one identity (its real path), or why there is none. */
function resolvePluginFile(file: string): { given: string; path: string } {
  const given = resolvePluginRef(file);
  if (!existsSync(given)) throw new UsageError(`plugin file not found: ${file}${given !== file ? ` (looked for ${given})` : ''}`);
  if (!statSync(given).isFile()) throw new UsageError(`plugin file ${given} is not a file`);
  return { given, path: realpathSync(given) }; // one identity per file, however it is named
}

/** Phase 2: the module, or its import error with a hint. */
async function importPluginModule(given: string, path: string): Promise<Record<string, unknown>> {
  // 'gradflat' in the plugin means this gradflat, wherever the file sits (self-resolve.ts).
  useRunningGradflat();
  const other = ownGradflatWarning(path);
  if (other) process.emitWarning(other, { code: 'GRADFLAT_PLUGIN_VERSION' });
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    // A file that does not load (syntax, CommonJS, a missing import, a throw at its top level)
    // is refused like any bad input file: the user fixes the file given (exit 2).
    throw new UsageError(`plugin file ${given} failed to load: ${describeImportError(e)}`);
  }
}

/** Phase 3: the plugin objects the module exports (with where each is), and its registering function. */
function pluginExports(mod: Record<string, unknown>, fail: Fail): { statics: Array<[unknown, string]>; registrar?: (r: PluginRegistry) => unknown } {
  // CommonJS `module.exports = { plugins }` arrives as the default export: read that object instead.
  const d = mod.default as Record<string, unknown> | undefined;
  if (d && typeof d === 'object' && !Array.isArray(d) && !('name' in d) && ['plugin', 'plugins', 'problem', 'problems'].some((k) => k in d)) mod = { ...d };
  const used = (['default', 'plugin', 'plugins', 'problem', 'problems'] as const).filter((k) => mod[k] !== undefined);
  if (used.length === 0) {
    const has = Object.keys(mod);
    fail(`exports nothing gradflat can use (${has.length ? `its exports: ${has.join(', ')}` : 'it has no exports'}). ${PLUGIN_FILE_CONTRACT}`);
  }
  const statics: Array<[unknown, string]> = [];
  let registrar: ((r: PluginRegistry) => unknown) | undefined;
  for (const key of used) {
    const value = mod[key];
    const where = key === 'default' ? 'the default export' : `export '${key}'`;
    if (typeof value === 'function') {
      if (key !== 'default') fail(`${where} is a function; only the default export may be a registering function. ${PLUGIN_FILE_CONTRACT}`);
      if (/^class[\s{]/.test(Function.prototype.toString.call(value))) {
        fail(`${where} is a class; export a plugin object instead, e.g. export default { name, description, hyperparameters, stepper: ${value.name || 'YourClass'} }. ${PLUGIN_FILE_CONTRACT}`);
      }
      registrar = value as (r: PluginRegistry) => unknown;
    } else if (Array.isArray(value)) {
      if (value.length === 0) fail(`${where} is an empty array. ${PLUGIN_FILE_CONTRACT}`);
      value.forEach((p, i) => statics.push([p, `${where}[${i}]`]));
    } else {
      statics.push([value, where]);
    }
  }
  return { statics, registrar };
}

/** What registering this file's plugins into `registry` needs: which names are free, and the names registered. */
interface Registration {
  names: string[];
  checkFree(plugin: AnyPlugin, where: string): void;
  /** Registers one plugin, or skips it when this file (or this very object) registered it before. */
  registerOne(p: unknown, where: string): void;
}

function registration(registry: PluginRegistry, path: string, fail: Fail): Registration {
  const registered = origins.get(registry) ?? new Map<string, string>();
  origins.set(registry, registered);
  const names: string[] = [];
  const has = (p: AnyPlugin) => (isProblem(p) ? registry.problems.has(p.name) : registry.has(p.name));
  const current = (p: AnyPlugin): unknown => (isProblem(p) ? registry.problems.get(p.name) : registry.get(p.name));
  const alreadyHere = (plugin: AnyPlugin): boolean => has(plugin) && (registered.get(key(plugin)) === path || current(plugin) === plugin);
  const checkFree = (plugin: AnyPlugin, where: string): void => {
    if (!has(plugin) || alreadyHere(plugin)) return;
    const owner = registered.get(key(plugin));
    fail(`${where} is named '${plugin.name}', but a different ${isProblem(plugin) ? 'problem' : 'stepper'} of that name is already registered ` +
      `(${owner ? `from ${owner}` : 'built in, or registered by code'}); rename one of them`);
  };
  const registerOne = (p: unknown, where: string): void => {
    const plugin = checkPluginShape(p, where, fail);
    checkFree(plugin, where);
    if (!alreadyHere(plugin)) {
      try {
        if (isProblem(plugin)) registry.problems.register(plugin);
        else registry.register(plugin);
      } catch (e) {
        fail(`${where}: ${(e as Error).message}`);
      }
      registered.set(key(plugin), path);
    }
    if (!names.includes(plugin.name)) names.push(plugin.name);
  };
  return { names, checkFree, registerOne };
}

/** Phase 4: every exported plugin checked (shape, unique names, free names, the registry's own checks); each object once. */
function checkedPlugins(statics: Array<[unknown, string]>, into: Registration, fail: Fail): Array<[AnyPlugin, string]> {
  const seen = new Map<string, unknown>();
  const unique: Array<[AnyPlugin, string]> = [];
  for (const [p, where] of statics) {
    const plugin = checkPluginShape(p, where, fail);
    const earlier = seen.get(key(plugin));
    if (earlier === undefined) {
      seen.set(key(plugin), p);
      unique.push([plugin, where]);
    } else if (earlier !== p) {
      fail(`two different ${isProblem(plugin) ? 'problems' : 'plugins'} are named '${plugin.name}'; names must be unique`);
    } // else the same object exported twice (e.g. `export default plugin` and `export { plugin }`)
  }
  for (const [p, where] of unique) {
    into.checkFree(p, where);
    try {
      // The registry's own checks (name, stepper | create, schema; or options and build).
      if (isProblem(p)) new PluginRegistry().registerProblem(p);
      else new PluginRegistry().register(p);
    } catch (e) {
      fail(`${where}: ${(e as Error).message}`);
    }
  }
  return unique;
}

/** Phase 5: the default export's registering function, given a registry whose register calls go through `into`. */
async function runRegistrar(registrar: (r: PluginRegistry) => unknown, registry: PluginRegistry, into: Registration, given: string, statics: number, fail: Fail): Promise<void> {
  const scoped = new Proxy(registry, {
    get(target, prop) {
      if (prop === 'register' || prop === 'registerProblem') return (p: unknown) => into.registerOne(p, `a plugin registered by the default export`);
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const before = into.names.length;
  try {
    await registrar(scoped);
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    if (msg.startsWith(`plugin file ${given}`)) throw e;
    fail(`its default export function threw: ${msg}`);
  }
  if (into.names.length === before && statics === 0) {
    fail('its default export function registered no stepper or problem (call registry.register(plugin) or registry.registerProblem(problem) on the registry it receives, not registerPlugin). ' + PLUGIN_FILE_CONTRACT);
  }
}

/** Loads each file in order; returns every name they registered. */
export async function loadPluginFiles(files: readonly string[], registry: PluginRegistry): Promise<string[]> {
  const names: string[] = [];
  for (const f of files) for (const n of await loadPluginFile(f, registry)) if (!names.includes(n)) names.push(n);
  return names;
}

/** What a stepper plugin must have, each with the words a message lists it by (in this order). */
const STEPPER_FIELDS = {
  name: "'name' (a string)",
  description: "'description' (a string)",
  hyperparameters: "'hyperparameters' (a schema object, {} for none)",
  stepper: "'stepper' (a class) or 'create' (a function (oracle, hp) => stepper)",
} as const;

const isObject = (v: unknown): v is object => Boolean(v) && typeof v === 'object';

/** A stepper plugin's shape (the registry checks the rest: name syntax, exactly one of stepper and create, the declaration). */
const stepperPluginShape = z.looseObject({
  name: z.string(),
  description: z.string(),
  hyperparameters: z.custom<object>(isObject),
}).superRefine((o, ctx) => {
  if (typeof o.stepper !== 'function' && typeof o.create !== 'function') ctx.addIssue({ code: 'custom', path: ['stepper'], message: STEPPER_FIELDS.stepper });
}, { when: (p) => isObject(p.value) });

function checkPluginShape(p: unknown, where: string, fail: Fail): AnyPlugin {
  if (!isObject(p) || Array.isArray(p)) {
    return fail(`${where} is ${p === null ? 'null' : Array.isArray(p) ? 'a nested array' : `a ${typeof p}`}, not a stepper plugin (nor a problem plugin). ${PLUGIN_FILE_CONTRACT}`);
  }
  const name = (p as { name?: unknown }).name;
  const label = typeof name === 'string' ? `${where} ('${name}')` : where;
  if (isProblem(p)) {
    const defect = problemPluginDefect(p);
    if (defect) fail(`${label} is not a problem plugin: ${defect}. ${PLUGIN_FILE_CONTRACT}`);
    return p;
  }
  const r = stepperPluginShape.safeParse(p);
  if (!r.success) {
    const lacks = r.error.issues.map((iss) => STEPPER_FIELDS[iss.path[0] as keyof typeof STEPPER_FIELDS]);
    fail(`${label} is not a stepper plugin: it lacks ${lacks.join(', ')}. ${PLUGIN_FILE_CONTRACT}`);
  }
  // The object itself, not zod's copy: a plugin is known by identity (the same object exported twice).
  return p as StepperPlugin;
}

/** The original message, plus a hint for common failures. */
function describeImportError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  let msg = e.name === 'SyntaxError' ? `SyntaxError: ${e.message}` : e.message;
  if (/Cannot use import statement outside a module|Unexpected token 'export'/.test(msg)) {
    msg += " — node read the file as CommonJS: name it .mjs, or put a package.json with \"type\": \"module\" beside it";
  }
  const code = (e as { code?: string }).code;
  if (code === 'ERR_MODULE_NOT_FOUND' && /'gradflat'/.test(msg)) {
    msg += " — the plugin imports 'gradflat', which this node could not map to the running gradflat (module.register needs node ≥ 20.6): npm install gradflat beside the plugin, or link node_modules/gradflat to the package";
  }
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION') msg += ' — plugin files are JavaScript modules: compile TypeScript first, or run node with a TypeScript loader';
  return msg;
}
