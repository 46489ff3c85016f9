/** Built-in methods, registered through the public plugin API like any user plugin. */
import { registry as defaultRegistry, type PluginRegistry } from '../core/plugins/registry.js';
import { newtonMrPlugin } from './newton-mr/index.js';

export const builtinPlugins = [newtonMrPlugin];

export function registerBuiltinPlugins(target: PluginRegistry = defaultRegistry): void {
  for (const p of builtinPlugins) if (!target.has(p.name)) target.register(p);
}
