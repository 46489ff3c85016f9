/**
 * What every figure spec shares: the schema, the look (config), the class colours of [GF]
 * with a legend that filters, and faceting by group (method) when a figure compares several.
 */
import { CLASS_COLORS, CLASSES } from '../io/run-rows.js';

/** A Vega-Lite spec as plain JSON. */
export type VlSpec = Record<string, unknown>;

export const VL_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * Colours of methods (head-to-head figures): blue, orange and black mean the final classes on
 * this page, so this palette has none of them (nor brown, a dark orange): teal, purple,
 * magenta, green, dark red, grey, olive; beyond seven methods they repeat. (The class
 * 'undecided' is a grey too, but the head-to-head figures colour by method only.)
 */
export const METHOD_COLORS: readonly string[] = ['#1b9e77', '#6a3d9a', '#e7298a', '#66a61e', '#a50f15', '#7f7f7f', '#9a9a00'];

/** The colour encoding of a method field, in the given (suite) order. */
export function methodColor(methods: readonly string[], field = 'method'): VlSpec {
  return { field, type: 'nominal', title: 'method', scale: { domain: [...methods], range: [...METHOD_COLORS] }, legend: { orient: 'top', columns: 6 } };
}

export const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  background: 'white',
  padding: 8,
  view: { stroke: '#cccccc' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#eeeeee' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  header: { labelFontSize: 12, labelFontWeight: 'bold', title: null },
  title: { fontSize: 15, subtitleFontSize: 11, subtitleColor: '#555555', anchor: 'start', offset: 10 },
};

export function figure(title: string, subtitle: string | string[], body: VlSpec): VlSpec {
  return { $schema: VL_SCHEMA, title: { text: title, subtitle }, config: CONFIG, ...body };
}

/** Colour by final class with [GF]'s colours (undecided grey); the legend lists every class. */
export function classColor(field = 'cls', title = 'final class'): VlSpec {
  return { field, type: 'nominal', title, scale: { domain: [...CLASSES], range: CLASSES.map((c) => CLASS_COLORS[c]) }, legend: { orient: 'top', symbolOpacity: 1 } };
}

/** A legend-bound selection: clicking a legend entry dims everything else (shift-click adds). */
export function legendParam(name: string, field: string): VlSpec {
  return { name, select: { type: 'point', fields: [field] }, bind: 'legend' };
}

export function dimUnless(param: string, on = 1, off = 0.06): VlSpec {
  return { condition: { param, value: on, empty: true }, value: off };
}

/** Lays `inner` (a unit or layer spec without data) out once per group, or once when there is one group. */
export function facetByGroup(
  groups: readonly string[], inner: VlSpec, opts: { width: number; height: number; columns?: number; field?: string; independentX?: boolean },
): VlSpec {
  const field = opts.field ?? 'group';
  // A single panel gets more room.
  if (groups.length <= 1) return { width: Math.round(opts.width * 1.6), height: Math.round(opts.height * 1.4), ...inner };
  return {
    facet: { field, type: 'nominal', sort: [...groups], header: { title: null, labelLimit: 320 } },
    columns: Math.min(opts.columns ?? 3, groups.length),
    spec: { width: opts.width, height: opts.height, ...inner },
    ...(opts.independentX && { resolve: { scale: { x: 'independent' } } }),
  };
}

/**
 * Tick values for a log axis: powers of ten covering [min, max], every one when there are at
 * most `maxTicks`, else every 2nd, 3rd, ... (vega's own log ticks crowd their labels).
 */
export function decadeTicks(values: Iterable<number>, maxTicks = 8): number[] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) if (v > 0 && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!Number.isFinite(lo)) return [];
  const a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
  // Every 1st, 2nd, 5th, 10th, ... power, at exponents that are multiples of the stride.
  const stride = [1, 2, 5, 10, 20, 50, 100].find((s) => Math.floor(b / s) - Math.ceil(a / s) + 1 <= maxTicks) ?? 100;
  const out: number[] = [];
  for (let e = Math.ceil(a / stride) * stride; e <= b; e += stride) out.push(Number(`1e${e}`));
  return out;
}

/** A log axis with decade ticks labelled 1e−3 style. */
export function logAxis(values: Iterable<number>, title: string, maxTicks = 8): VlSpec {
  return { title, values: decadeTicks(values, maxTicks), format: '.0e', grid: true };
}

export const fmt = (digits = 4) => `.${digits}~g`;

/** JSON of a spec for files and the page: floats to 7 significant digits (plenty for a figure, half the bytes). */
export function specJson(spec: VlSpec, indent?: number): string {
  return JSON.stringify(spec, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) && Number.isFinite(v) ? Number(v.toPrecision(7)) : v), indent);
}
