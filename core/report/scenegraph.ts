/**
 * What a figure drew from its data, read from vega's scenegraph rather than from pixels:
 * titles, axes and legends draw ink even when every dataset is empty, data marks do not.
 * Used by the tests, in Node (specs.test.ts) and in the browser (browser.test.ts).
 */
import * as vega from 'vega';
import { compileSpec } from './render-svg.js';
import type { VlSpec } from './spec-common.js';

/**
 * Items per data mark (role 'mark', by name; a facet's cells summed), from the root of a
 * scenegraph (`view.scenegraph().root`). Only the frame and scope groups (layers, facet cells,
 * line groups) are entered, never axes, legends, titles or headers. Self-contained: its source
 * text is evaluated in the browser.
 */
export function dataMarkItems(root: unknown): Record<string, number> {
  interface SceneMark { marktype: string; role: string; name?: string; items: Array<{ items?: SceneMark[] }> }
  const counts: Record<string, number> = {};
  const visit = (mark: SceneMark, path: string): void => {
    if (!mark || typeof mark !== 'object' || !Array.isArray(mark.items)) return;
    const name = `${path}${mark.name ?? mark.marktype}`;
    if (mark.marktype === 'group') {
      if (mark.role !== 'frame' && mark.role !== 'scope' && mark.role !== 'mark') return;
      for (const group of mark.items) for (const child of group.items ?? []) visit(child, mark.role === 'frame' ? '' : `${name}/`);
    } else if (mark.role === 'mark') {
      counts[name] = (counts[name] ?? 0) + mark.items.length;
    }
  };
  visit(root as SceneMark, '');
  return counts;
}

/** Runs a Vega-Lite spec in Node (no renderer) and counts the items of its data marks. */
export async function specDataMarkItems(spec: VlSpec): Promise<Record<string, number>> {
  const view = new vega.View(vega.parse(compileSpec(spec).vega), { renderer: 'none' });
  view.logLevel(vega.Error);
  try {
    await view.runAsync();
    return dataMarkItems((view.scenegraph() as unknown as { root: unknown }).root);
  } finally {
    view.finalize();
  }
}
