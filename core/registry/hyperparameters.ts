/**
 * Hyperparameter schemas: each plugin declares its knobs with types, ranges and defaults, and
 * user input is validated against the schema with errors that name the field and what is
 * allowed. Numbers may be given as numbers or numeric strings (from a CLI).
 */
import { HyperparameterError, UsageError } from '../io/errors.js';
import { booleanField, numberField, shown, z } from '../io/fields.js';


export type HyperparameterSpec =
  | { type: 'number'; default: number; min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean; description: string }
  | { type: 'integer'; default: number | null; min?: number; max?: number; description: string; nullMeans?: string }
  | { type: 'boolean'; default: boolean; description: string }
  | { type: 'choice'; default: string; choices: readonly string[]; description: string }
  // Problem options (core/registry/problems.ts) use these too:
  | { type: 'string'; default: string | null; description: string; nullMeans?: string }
  /** A path; in a suite file, relative to the file's folder; its contents are part of a run's identity. */
  | { type: 'file'; default: string | null; description: string; nullMeans?: string }
  /** A list of numbers, e.g. hidden widths [128, 64]; from a CLI as "128,64". */
  | { type: 'numbers'; default: readonly number[]; integer?: boolean; min?: number; minLength?: number; description: string };

export type HyperparameterSchema = Readonly<Record<string, HyperparameterSpec>>;

export type Hyperparameters = Record<string, number | boolean | string | null | readonly number[]>;

/** The value a declaration yields once validated: `{ type: 'number' }` → number, a 'choice' → its choices' union, … */
export type HyperparameterValue<S> =
  S extends { type: 'number' } ? number
  : S extends { type: 'integer'; default: infer D } ? (null extends D ? number | null : number)
  : S extends { type: 'boolean' } ? boolean
  : S extends { type: 'choice'; choices: readonly (infer C)[] } ? C
  : S extends { type: 'string' | 'file'; default: infer D } ? (null extends D ? string | null : string)
  : S extends { type: 'numbers' } ? readonly number[]
  : never;

/**
 * The validated hyperparameters of a declaration, typed from it (`{ rtol: number, … }`); for
 * HyperparameterSchema itself, the untyped `Hyperparameters`.
 */
export type HyperparametersOf<S extends HyperparameterSchema> = { -readonly [K in keyof S]: HyperparameterValue<S[K]> };

/**
 * A declaration kept with its literal types (`default: null`, the choices), so that
 * `HyperparametersOf<typeof schema>` types what the stepper receives. At run time, the object itself.
 */
export function hyperparameterSchema<const S extends HyperparameterSchema>(schema: S): S {
  return schema;
}

export function defaultsOf(schema: HyperparameterSchema): Hyperparameters {
  const out: Hyperparameters = {};
  for (const [k, spec] of Object.entries(schema)) out[k] = spec.default;
  return out;
}

/**
 * The zod schema of a declaration (cached per declaration object). Plugins keep declaring
 * hyperparameters in the plain format above (public API); gradflat validates with zod, the
 * library every other input goes through (core/io/fields.ts). Numbers and booleans may come as
 * strings (from a CLI: "1e-3", "true").
 */
export function hyperparameterZod(schema: HyperparameterSchema, owner = 'plugin', noun = 'hyperparameter'): z.ZodObject {
  const cached = zodCache.get(schema);
  if (cached) return cached;
  const shape: Record<string, z.ZodType> = {};
  for (const [key, spec] of Object.entries(schema)) shape[key] = specZod(spec, `${owner}: ${noun} '${key}'`).optional();
  const known = Object.keys(schema);
  const out = z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `Known: ${known.length ? known.join(', ') : '(none)'}` : `must be an object, got ${shown(iss.input)}`),
  });
  zodCache.set(schema, out);
  return out;
}

/** A numeric string (from a CLI, `--hp k=v` / `--option k=v`) as its number; anything else as given, so messages show it. */
export const numericText = (v: unknown): unknown => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v);

const zodCache = new WeakMap<HyperparameterSchema, z.ZodObject>();

function specZod(spec: HyperparameterSpec, where: string): z.ZodType {
  if (!spec || typeof spec !== 'object') throw new TypeError(`${where}: the declaration must be an object { type, default, description, ... }`);
  switch (spec.type) {
    case 'string':
    case 'file': {
      const what = `a non-empty string${spec.type === 'file' ? ' (a file path)' : ''}`;
      const str = z.string({ error: (iss) => `must be ${what}, got ${shown(iss.input)}` }).min(1, { error: `must be ${what}, got ""` });
      return spec.default === null ? str.nullable() : str;
    }
    case 'numbers': {
      // From a CLI as "128,64"; from a file as a list.
      const item = numberField({ integer: spec.integer, min: spec.min });
      const list = z.array(item, { error: (iss) => `must be a list of numbers, got ${shown(iss.input)}` })
        .min(spec.minLength ?? 0, { error: (iss) => `must have at least ${spec.minLength} entries, got ${(iss.input as unknown[]).length}` });
      // An item that is not a number stays the text given, so the message shows it.
      return z.preprocess((v) => (typeof v === 'string' ? v.split(',').map(numericText) : v), list)
        .transform((v) => Object.freeze([...v]));
    }
    case 'number':
    case 'integer': {
      const base = numberField({
        integer: spec.type === 'integer', min: spec.min, max: spec.max,
        exclusiveMin: spec.type === 'number' && spec.exclusiveMin, exclusiveMax: spec.type === 'number' && spec.exclusiveMax,
      });
      // A numeric string (CLI) becomes its number; anything else is reported as given.
      const number = z.preprocess(numericText, base);
      return spec.type === 'integer' && spec.default === null ? number.nullable() : number;
    }
    case 'boolean':
      return z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), booleanField);
    case 'choice': {
      const choices = spec.choices;
      if (!Array.isArray(choices) || choices.length === 0) throw new TypeError(`${where}: a 'choice' needs a non-empty 'choices' list`);
      return z.string({ error: (iss) => `must be one of ${choices.join(', ')}, got ${shown(iss.input)}` })
        .refine((v) => choices.includes(v), { error: (iss) => `must be one of ${choices.join(', ')}, got ${shown(iss.input)}` });
    }
    default:
      throw new TypeError(`${where}: unknown type ${JSON.stringify((spec as { type?: unknown }).type)} (use 'number', 'integer', 'boolean', 'choice', 'string', 'file' or 'numbers')`);
  }
}

/** Validates `given` against `schema` and fills defaults. `owner` names the plugin in errors. */
export function validateHyperparameters<S extends HyperparameterSchema>(schema: S, given: Record<string, unknown> | undefined, owner: string, noun = 'hyperparameter'): HyperparametersOf<S> {
  const r = hyperparameterZod(schema, owner, noun).safeParse(given ?? {});
  if (!r.success) {
    const iss = [...r.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'))[0];
    if (iss.code === 'unrecognized_keys') throw new UsageError(`${owner}: unknown ${noun} '${iss.keys[0]}'. ${iss.message}`);
    if (iss.path.length === 0) throw new UsageError(`${owner}: ${noun}s ${iss.message}`);
    const at = iss.path.slice(1).map((p) => `[${String(p)}]`).join('');
    throw new HyperparameterError(`${owner}: ${noun} '${String(iss.path[0])}'${at} ${iss.message}`, `${String(iss.path[0])}${at}`, iss.message);
  }
  const out = defaultsOf(schema);
  for (const [k, v] of Object.entries(r.data)) if (v !== undefined) out[k] = v as Hyperparameters[string];
  // Every key of the declaration is set, each value checked against its spec just above.
  return out as HyperparametersOf<S>;
}

/** One line per hyperparameter, for `gradflat plugins` and error messages. */
export function describeSchema(schema: HyperparameterSchema): string[] {
  return Object.entries(schema).map(([k, s]) => {
    const range = s.type === 'choice' ? ` {${s.choices.join('|')}}`
      : (s.type === 'number' || s.type === 'integer') && (s.min !== undefined || s.max !== undefined)
        ? ` ${s.type === 'number' && s.exclusiveMin ? '(' : '['}${s.min ?? '-∞'}, ${s.max ?? '∞'}${s.type === 'number' && s.exclusiveMax ? ')' : ']'}` : '';
    const def = (s.type === 'integer' || s.type === 'string' || s.type === 'file') && s.default === null
      ? `null (${s.nullMeans ?? (s.type === 'integer' ? 'automatic' : 'none')})` : JSON.stringify(s.default);
    return `${k}: ${s.type}${range} = ${def} — ${s.description}`;
  });
}
