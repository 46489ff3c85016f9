/**
 * Every error class gradflat throws on purpose, and the exit code of the CLI for each
 * (docs/running.md, "Exit codes"). The code follows from the class alone (`exitCodeOf`):
 *   2  the input must change: UsageError and its subclasses. Bad input is classified where it
 *      is checked: a validator throws one of these, whoever calls it;
 *   1  the work failed: everything else — a plugin's own code throwing (PluginError,
 *      StepperThrew), a damaged record, a busy directory, I/O errors, numerical failures.
 */

/**
 * Marks gradflat's usage errors across copies of gradflat: a plugin importing 'gradflat' from
 * another installation throws instances of that copy's class (as STEPPER_TOKENS in the registry).
 */
const USAGE = Symbol.for('gradflat.usageError');

/**
 * Bad flags, config, data, environment or output directory: the user must change the input. Exit 2.
 * Its name stays 'Error' (a refused input reads as an ordinary error): the class, not the name,
 * carries the exit code; subclasses name themselves.
 */
export class UsageError extends Error {
  /** `instanceof UsageError` also holds for another gradflat copy's usage errors (a plugin's own installation). */
  static override [Symbol.hasInstance](x: unknown): boolean {
    // Subclasses keep the ordinary prototype test; UsageError itself also knows other copies' instances.
    if (this !== UsageError) return Function.prototype[Symbol.hasInstance].call(this, x);
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[USAGE] === true;
  }
}
Object.defineProperty(UsageError.prototype, USAGE, { value: true });

/** A bad field of a config or suite file, named by its path ("steppers[2].hyperparameters"). Exit 2. */
export class ConfigError extends UsageError {
  constructor(
    /** The field's path in the file, e.g. "steppers[2].hyperparameters" ('' for the file as a whole). */
    readonly path: string,
    message: string,
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'ConfigError';
  }
}

/**
 * A bad hyperparameter or problem option, with the field (`hidden[1]`) and what is wrong with it,
 * for callers that name fields their own way (suite files). Exit 2.
 */
export class HyperparameterError extends UsageError {
  constructor(message: string, readonly field: string, readonly detail: string) {
    super(message);
    this.name = 'HyperparameterError';
  }
}

/** A directory that cannot be reported: the user gave the wrong one. Exit 2. */
export class ReportInputError extends UsageError {
  override name = 'ReportInputError';
}

/**
 * `summarize` was given the directory of a `gradflat run` (not a suite): carries its manifest,
 * so the caller summarizes it as a run. Exit 2 should it reach the CLI.
 */
export class RunDirectoryGiven extends UsageError {
  constructor(readonly dir: string, readonly manifest: unknown) {
    super(`${dir} holds a 'gradflat run' experiment, not a suite`);
    this.name = 'RunDirectoryGiven';
  }
}

/**
 * Code a plugin supplied threw where gradflat did not expect it — a problem's build, a stepper's
 * constructor or factory — with anything but a UsageError: a bug in that plugin, named by its
 * kind and name. Exit 1.
 */
export class PluginError extends Error {
  constructor(
    /** Which kind of plugin failed. */
    readonly kind: 'stepper' | 'problem',
    /** The plugin's registry name. */
    readonly plugin: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PluginError';
  }
}

/** A stepper's init or step threw: the message says where (init or step k); suite and `run` add the stepper and run. Exit 1. */
export class StepperThrew extends Error {
  constructor(readonly step: number | 'init', cause: unknown) {
    super(`${step === 'init' ? 'init' : `step ${step}`} threw: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StepperThrew';
  }
}

/**
 * A run that failed, `message` saying which (stepper, run): a PluginError naming the stepper when
 * its own code threw (StepperThrew), else a plain Error; the failure is the cause either way.
 */
export function runFailure(stepper: string, message: string, cause: unknown): Error {
  return cause instanceof StepperThrew ? new PluginError('stepper', stepper, message, { cause }) : new Error(message, { cause });
}

/**
 * A run record on disk that cannot be used (cut short, not a record): `reason` says why without
 * the file's name (callers name it their way). Readers treat the run as unfinished, so running
 * the same command again reruns it; should it reach the CLI, exit 1.
 */
export class DamagedRecordError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file} is ${reason}`);
    this.name = 'DamagedRecordError';
  }
}

/** The directory is locked by a live process: a runtime failure, not bad input. Exit 1. */
export class DirectoryBusyError extends Error {
  /** Named, so a message reads as what it is (unlike UsageError, whose class carries the meaning). */
  override name = 'DirectoryBusyError';
}

/** What a plugin threw, for a message: the class when it says something (TypeError: …), else the message alone. */
export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
}

/** Exit status of the CLI for an error that reached it. */
export function exitCodeOf(err: unknown): 1 | 2 {
  return err instanceof UsageError ? 2 : 1;
}

/** An operating-system error (ENOENT, EACCES, ENOSPC, EMFILE…): a runtime failure, not bad input. */
export function isSystemError(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((err as NodeJS.ErrnoException).code!);
}

/**
 * A value as the user gave it, for messages: numbers as written (Infinity, NaN — JSON.stringify
 * would print them as "null"), strings quoted, undefined as "nothing".
 */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)) ?? String(v);
}
