/** Built-in methods (and, with them, the built-in problems of problems/), registered through the public plugin API like any user plugin. */
import { registry as defaultRegistry, type PluginRegistry } from '../core/registry/registry.js';
import { adamPlugin } from './adam/index.js';
import { dampedNewtonPlugin, saddleFreeNewtonPlugin } from './damped-newton/index.js';
import { gdPlugin } from './gd/index.js';
import { gnmPlugin } from './gnm/index.js';
import { kfacPlugin } from './kfac/index.js';
import { newtonMrPlugin } from './newton-mr/index.js';
import { registerBuiltinProblems } from '../problems/index.js';

export const builtinPlugins = [newtonMrPlugin, gnmPlugin, dampedNewtonPlugin, saddleFreeNewtonPlugin, kfacPlugin, adamPlugin, gdPlugin];

export function registerBuiltinPlugins(target: PluginRegistry = defaultRegistry): void {
  for (const p of builtinPlugins) if (!target.has(p.name)) target.register(p);
  registerBuiltinProblems(target.problems);
}
