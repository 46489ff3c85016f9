/**
 * JSON helpers shared by every file gradflat writes.
 * - `toJsonSafe`: NaN/±Infinity become the strings "NaN"/"Infinity"/"-Infinity" (JSON would
 *   silently write null), Float64Array becomes a plain array, undefined fields are dropped.
 * - `canonicalJson`: keys sorted at every level, so equal configs hash equally whatever order
 *   their fields were written in.
 */

export function toJsonSafe(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>, (x) => toJsonSafe(x));
  if (Array.isArray(v)) return v.map(toJsonSafe);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toJsonSafe(x);
    return out;
  }
  return v;
}

export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(toJsonSafe(v)));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}
