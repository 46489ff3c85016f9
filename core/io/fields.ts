/**
 * Schema builders for everything gradflat reads (suite files, run configs, hyperparameters,
 * records read back), on zod: one library, TypeScript types inferred from the schemas
 * (`z.infer`), JSON Schema emitted from the same objects (`z.toJSONSchema`, for editor
 * completion of suite files).
 *
 * The builders attach gradflat's messages, and `parseField` turns the first problem into a
 * ConfigError that names the path ("steppers[2].hyperparameters"), what was expected and what
 * was found. A misspelt key would silently fall back to a default, so objects reject unknown
 * keys and the message lists the valid ones.
 */
import { z } from 'zod';
import { ConfigError, showValue, UsageError } from './errors.js';

export { z };

/** How a value is shown in messages: Infinity and NaN as such, also inside lists (JSON would say null). */
export const shown = showValue;

/** A missing required field says so; anything else says what it got. */
const typeError = (expected: string) => (iss: { input?: unknown }) => (iss.input === undefined ? 'is required' : `${expected}, got ${shown(iss.input)}`);

export interface NumberOptions {
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
  integer?: boolean;
}

/** A finite number (integers: safe integers), optionally bounded. */
export function numberField(o: NumberOptions = {}): z.ZodNumber {
  let s = z.number({ error: typeError('must be a finite number') });
  if (o.integer) s = s.int({ error: (iss) => `must be an integer, got ${shown(iss.input)}` });
  if (o.min !== undefined) {
    const min = o.min;
    s = o.exclusiveMin ? s.gt(min, { error: (iss) => `must be > ${min}, got ${shown(iss.input)}` }) : s.gte(min, { error: (iss) => `must be ≥ ${min}, got ${shown(iss.input)}` });
  }
  if (o.max !== undefined) {
    const max = o.max;
    s = o.exclusiveMax ? s.lt(max, { error: (iss) => `must be < ${max}, got ${shown(iss.input)}` }) : s.lte(max, { error: (iss) => `must be ≤ ${max}, got ${shown(iss.input)}` });
  }
  return s;
}

export const integerField = (min = 0, max?: number): z.ZodNumber => numberField({ integer: true, min, max });

export const stringField = z.string({ error: typeError('must be a non-empty string') }).min(1, { error: (iss) => `must be a non-empty string, got ${shown(iss.input)}` });

export const booleanField = z.boolean({ error: typeError('must be true or false') });

export function choiceField<const T extends readonly [string, ...string[]]>(choices: T): z.ZodEnum<{ [K in T[number]]: K }> {
  const list = choices.map((c) => `'${c}'`).join(', ');
  return z.enum(choices, { error: typeError(`must be one of ${list}`) });
}

export function arrayField<T extends z.ZodType>(item: T, minLength = 0): z.ZodArray<T> {
  const s = z.array(item, { error: typeError('must be a list') });
  return minLength > 0 ? s.min(minLength, { error: `must have at least ${minLength} entr${minLength === 1 ? 'y' : 'ies'}` }) : s;
}

/** A plain object whose values are left for someone else to check (e.g. hyperparameters). */
export const recordField = z.record(z.string(), z.unknown(), { error: typeError('must be an object') });

/**
 * An object with known keys; `required` ones must be present, the others may be absent.
 * Unknown keys are refused; `parseField` words that message (`unknownFieldMessage`), where the
 * object's place in the file is known.
 */
export function objectField<S extends z.ZodRawShape, R extends keyof S = never>(shape: S, required: readonly R[] = []): z.ZodObject<{
  [K in keyof S]: K extends R ? S[K] : z.ZodOptional<S[K]>;
}, z.core.$strict> {
  const fields = Object.fromEntries(Object.entries(shape).map(([k, s]) => [k, (required as readonly string[]).includes(k) ? s : (s as z.ZodType).optional()]));
  return z.strictObject(fields, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : typeError('must be an object')(iss)),
  }) as never;
}

/**
 * A parse's error map for unknown keys: "unknown field. Valid fields of steppers[0]: …", from the
 * issue's whole path (under `root`) and the keys of the object that refused them.
 */
function unknownFieldMessage(root: string) {
  return (iss: z.core.$ZodRawIssue): string | undefined => {
    if (iss.code !== 'unrecognized_keys' || !(iss.inst instanceof z.ZodObject)) return undefined;
    const at = formatPath(iss.path ?? [], root);
    return `unknown field. Valid fields${at ? ` of ${at}` : ''}: ${Object.keys(iss.inst.shape).join(', ')}`;
  };
}

/** "steppers[2].hyperparameters" from zod's path array, under `root`. */
export function formatPath(path: readonly PropertyKey[], root = ''): string {
  let out = root;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** The ConfigError for a failed parse: unknown keys first (a misspelling explains the rest), else the first problem. */
export function configErrorOf(error: z.ZodError, root = ''): ConfigError {
  const issues = [...error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
  const iss = issues[0];
  if (iss.code === 'unrecognized_keys') return new ConfigError(formatPath([...iss.path, iss.keys[0]], root), iss.message);
  return new ConfigError(formatPath(iss.path, root), iss.message);
}

/**
 * The environment variable `name` (trimmed) through `schema`; unset or blank: undefined. A value
 * the schema refuses throws `message(raw)`, the variable's own words (a runtime error: the
 * caller's phase classifies it).
 */
export function envField<T extends z.ZodType>(name: string, schema: T, message: (raw: string) => string): z.output<T> | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const r = schema.safeParse(raw.trim());
  if (!r.success) throw new UsageError(message(raw));
  return r.data;
}

/** Parses `value` with `schema`, or throws the ConfigError naming the field (`root` prefixes paths). */
export function parseField<T extends z.ZodType>(schema: T, value: unknown, root = ''): z.output<T> {
  const r = schema.safeParse(value, { error: unknownFieldMessage(root) });
  if (!r.success) throw configErrorOf(r.error, root);
  return r.data;
}
