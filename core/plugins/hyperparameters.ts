/**
 * Hyperparameter schemas: each plugin declares its knobs with types, ranges and defaults, and
 * user input is validated against the schema with errors that name the field and what is
 * allowed. Numbers may be given as numbers or numeric strings (from a CLI).
 */
import { showValue } from '../io/errors.js';

export type HyperparameterSpec =
  | { type: 'number'; default: number; min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean; description: string }
  | { type: 'integer'; default: number | null; min?: number; max?: number; description: string; nullMeans?: string }
  | { type: 'boolean'; default: boolean; description: string }
  | { type: 'choice'; default: string; choices: readonly string[]; description: string };

export type HyperparameterSchema = Readonly<Record<string, HyperparameterSpec>>;

export type Hyperparameters = Record<string, number | boolean | string | null>;

export function defaultsOf(schema: HyperparameterSchema): Hyperparameters {
  const out: Hyperparameters = {};
  for (const [k, spec] of Object.entries(schema)) out[k] = spec.default;
  return out;
}

/** Validates `given` against `schema` and fills defaults. `owner` names the plugin in errors. */
export function validateHyperparameters(schema: HyperparameterSchema, given: Record<string, unknown> | undefined, owner: string): Hyperparameters {
  const out = defaultsOf(schema);
  for (const [key, raw] of Object.entries(given ?? {})) {
    const spec = schema[key];
    if (!spec) {
      const known = Object.keys(schema);
      throw new Error(`${owner}: unknown hyperparameter '${key}'. Known: ${known.length ? known.join(', ') : '(none)'}`);
    }
    out[key] = coerce(spec, raw, `${owner}: hyperparameter '${key}'`);
  }
  return out;
}

function coerce(spec: HyperparameterSpec, raw: unknown, where: string): number | boolean | string | null {
  switch (spec.type) {
    case 'number':
    case 'integer': {
      if (raw === null && spec.type === 'integer' && spec.default === null) return null;
      const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where} must be a finite number, got ${showValue(raw)}`);
      if (spec.type === 'integer' && !Number.isInteger(v)) throw new Error(`${where} must be an integer, got ${v}`);
      if (spec.min !== undefined && (v < spec.min || (spec.type === 'number' && spec.exclusiveMin && v === spec.min))) {
        throw new Error(`${where} must be ${spec.type === 'number' && spec.exclusiveMin ? '>' : '≥'} ${spec.min}, got ${v}`);
      }
      const openMax = spec.type === 'number' && spec.exclusiveMax;
      if (spec.max !== undefined && (v > spec.max || (openMax && v === spec.max))) throw new Error(`${where} must be ${openMax ? '<' : '≤'} ${spec.max}, got ${v}`);
      return v;
    }
    case 'boolean':
      if (raw === true || raw === 'true') return true;
      if (raw === false || raw === 'false') return false;
      throw new Error(`${where} must be true or false, got ${showValue(raw)}`);
    case 'choice':
      if (typeof raw === 'string' && spec.choices.includes(raw)) return raw;
      throw new Error(`${where} must be one of ${spec.choices.join(', ')}, got ${showValue(raw)}`);
  }
}

/** One line per hyperparameter, for `gradflat plugins` and error messages. */
export function describeSchema(schema: HyperparameterSchema): string[] {
  return Object.entries(schema).map(([k, s]) => {
    const range = s.type === 'choice' ? ` {${s.choices.join('|')}}`
      : (s.type === 'number' || s.type === 'integer') && (s.min !== undefined || s.max !== undefined)
        ? ` ${s.type === 'number' && s.exclusiveMin ? '(' : '['}${s.min ?? '-∞'}, ${s.max ?? '∞'}${s.type === 'number' && s.exclusiveMax ? ')' : ']'}` : '';
    const def = s.type === 'integer' && s.default === null ? `null (${s.nullMeans ?? 'automatic'})` : JSON.stringify(s.default);
    return `${k}: ${s.type}${range} = ${def} — ${s.description}`;
  });
}
