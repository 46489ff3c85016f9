/**
 * Static SVG of a Vega-Lite spec, rendered in Node by vega itself (no browser, no canvas
 * package: text is measured by vega's estimate). The SVG stands alone: title, subtitle,
 * axes and legends are in it, on a white background.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { VlSpec } from './spec-common.js';

/** Compiles a Vega-Lite spec, collecting the compiler's warnings instead of printing them. */
export function compileSpec(spec: VlSpec): { vega: vega.Spec; warnings: string[] } {
  const warnings: string[] = [];
  let lvl = 2;
  const logger = {
    level(l?: number) {
      if (l === undefined) return lvl;
      lvl = l;
      return logger;
    },
    error(...args: readonly unknown[]) { throw new Error(args.map(String).join(' ')); },
    warn(...args: readonly unknown[]) { warnings.push(args.map(String).join(' ')); return logger; },
    info() { return logger; },
    debug() { return logger; },
  };
  const out = compile(spec as unknown as TopLevelSpec, { logger: logger as unknown as vega.LoggerInterface });
  return { vega: out.spec, warnings };
}

/** Geometry attributes to two decimals of a pixel (vega writes 15 digits); text is left alone. */
export function trimCoordinates(svg: string): string {
  return svg.replace(/ (d|transform|x|y|x1|x2|y1|y2|width|height|points)="([^"]*)"/g,
    (_m, name: string, value: string) => ` ${name}="${value.replace(/(\d+\.\d\d)\d+/g, '$1')}"`);
}

export async function renderSvg(spec: VlSpec): Promise<{ svg: string; warnings: string[] }> {
  const { vega: vg, warnings } = compileSpec(spec);
  const view = new vega.View(vega.parse(vg), { renderer: 'none' });
  view.logLevel(vega.Error);
  try {
    const svg = trimCoordinates(await view.toSVG());
    return { svg: `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`, warnings };
  } finally {
    view.finalize();
  }
}
