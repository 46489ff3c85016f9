/**
 * What differs between two run-directory identities, as "path: old → new" lines, so that a
 * refused resume says which setting changed instead of two opaque hashes.
 */
import { showValue } from '../io/errors.js';
import { toJsonSafe } from '../io/json.js';

const brief = (v: unknown) => {
  const s = showValue(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

export function identityDiff(before: unknown, after: unknown, max = 4): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (out.length >= max) return;
    const objects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b);
    if (objects) {
      const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
      for (const k of keys) {
        const sub = Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
        walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], sub);
      }
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path || '(identity)'}: ${brief(a)} → ${brief(b)}`);
  };
  walk(toJsonSafe(before), toJsonSafe(after), '');
  return out;
}
