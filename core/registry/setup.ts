/**
 * Rebuilding a registry in another thread. Code cannot travel to a worker thread, so a
 * registry remembers the modules that populated it: *setup modules* (each exports
 * `setup(registry)`; gradflat's built-ins are one) and plugin files. A worker imports the
 * same ones, in the same order, and gets the same steppers and problems.
 */
import { loadPluginFiles } from './load.js';
import { PluginRegistry } from './registry.js';

/** A registry populated by `setupModules` (URLs, in order), then by the plugin files. */
export async function registryFromSetup(setupModules: readonly string[], pluginFiles: readonly string[]): Promise<PluginRegistry> {
  const registry = new PluginRegistry();
  for (const url of setupModules) {
    const mod = (await import(url)) as { setup?: (r: PluginRegistry) => unknown };
    if (typeof mod.setup !== 'function') throw new TypeError(`registry setup module ${url} exports no setup(registry) function`);
    mod.setup(registry);
  }
  await loadPluginFiles(pluginFiles, registry);
  return registry;
}
