/**
 * Small validators for config files: each takes a value and its path in the file
 * ("steppers[2].hyperparameters") and either returns the value, typed, or throws a ConfigError
 * that names the path, what was expected and what was found. A misspelt key would silently
 * fall back to a default, so objects reject unknown keys and list the valid ones.
 */
import { showValue, UsageError } from './errors.js';

/** A bad field of a config file: a usage error (exit 2). */
export class ConfigError extends UsageError {
  constructor(readonly path: string, message: string) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'ConfigError';
  }
}

export type Check<T> = (value: unknown, path: string) => T;

const shown = showValue;

export function numberField(o: { min?: number; max?: number; exclusiveMin?: boolean; integer?: boolean } = {}): Check<number> {
  return (v, path) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(path, `must be a finite number, got ${shown(v)}`);
    if (o.integer && !Number.isInteger(v)) throw new ConfigError(path, `must be an integer, got ${v}`);
    if (o.min !== undefined && (v < o.min || (o.exclusiveMin && v === o.min))) throw new ConfigError(path, `must be ${o.exclusiveMin ? '>' : '≥'} ${o.min}, got ${v}`);
    if (o.max !== undefined && v > o.max) throw new ConfigError(path, `must be ≤ ${o.max}, got ${v}`);
    return v;
  };
}

export const integerField = (min = 0, max?: number): Check<number> => numberField({ integer: true, min, max });

export const stringField: Check<string> = (v, path) => {
  if (typeof v !== 'string' || v === '') throw new ConfigError(path, `must be a non-empty string, got ${shown(v)}`);
  return v;
};

export const booleanField: Check<boolean> = (v, path) => {
  if (typeof v !== 'boolean') throw new ConfigError(path, `must be true or false, got ${shown(v)}`);
  return v;
};

export function choiceField<T extends string>(choices: readonly T[]): Check<T> {
  return (v, path) => {
    if (typeof v !== 'string' || !choices.includes(v as T)) throw new ConfigError(path, `must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${shown(v)}`);
    return v as T;
  };
}

export function arrayField<T>(item: Check<T>, minLength = 0): Check<T[]> {
  return (v, path) => {
    if (!Array.isArray(v)) throw new ConfigError(path, `must be a list, got ${shown(v)}`);
    if (v.length < minLength) throw new ConfigError(path, `must have at least ${minLength} entr${minLength === 1 ? 'y' : 'ies'}`);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  };
}

/** A plain object whose values are left for someone else to check (e.g. hyperparameters). */
export const recordField: Check<Record<string, unknown>> = (v, path) => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(path, `must be an object, got ${shown(v)}`);
  return v as Record<string, unknown>;
};

type Shape = Record<string, Check<unknown>>;
type Out<S extends Shape, R extends keyof S> = { [K in R]: ReturnType<S[K]> } & { [K in Exclude<keyof S, R>]?: ReturnType<S[K]> };

/** An object with known keys; `required` ones must be present, the others may be absent. */
export function objectField<S extends Shape, R extends keyof S = never>(shape: S, required: readonly R[] = []): Check<Out<S, R>> {
  return (v, path) => {
    const obj = recordField(v, path);
    const at = (k: string) => (path ? `${path}.${k}` : k);
    for (const k of Object.keys(obj)) {
      if (!(k in shape)) throw new ConfigError(at(k), `unknown field. Valid fields${path ? ` of ${path}` : ''}: ${Object.keys(shape).join(', ')}`);
    }
    for (const k of required) if (obj[k as string] === undefined) throw new ConfigError(at(k as string), 'is required');
    const out: Record<string, unknown> = {};
    for (const [k, check] of Object.entries(shape)) if (obj[k] !== undefined) out[k] = check(obj[k], at(k));
    return out as Out<S, R>;
  };
}
