/**
 * The problem registry: the one way a problem reaches `gradflat run`, `suite`, `summarize`,
 * `report` and `reproduce`. The built-in problems (problems/<name>/) register through exactly
 * this API, as a user's plugin file does (`export default { problems: [...] }` or
 * `registry.registerProblem(p)`; see docs/problems.md).
 *
 * A problem plugin declares a name, a description and an options schema (the hyperparameter
 * schema types plus 'string', 'file' and 'numbers'), and builds from the validated options
 * (defaults filled in) and a context (seed, kernels, threads, training-start settings):
 * an Oracle, how its starting points are made, optional analytic critical points (`truth`) and
 * facts for the run manifest (`info`).
 */
import { ConfigError, errorText, isSystemError, PluginError, UsageError } from '../io/errors.js';
import { z } from '../io/fields.js';
import type { DenseKernels } from '../linalg/kernels.js';
import type { Oracle } from '../oracle/oracle.js';
import type { Rng } from '../random/rng.js';
import type { TrainingSettings } from '../starts/training.js';
import { describeSchema, validateHyperparameters, type HyperparameterSchema, type Hyperparameters } from './hyperparameters.js';
import type { AnalyticCriticalPoint } from '../analysis/truth.js';
import type { DirData } from '../io/run-rows.js';
import type { Stepper } from '../stepper/stepper.js';

export type ProblemOptions = Hyperparameters;

export interface StartSettings extends TrainingSettings {
  /** Independent training runs whose trajectories are pooled. */
  trainings: number;
}

/** What a run or suite file says about its problem: name, seed, training starts, and the problem's own options. */
export interface ProblemConfig {
  name: string;
  /** Seeds the data and the initialisations. */
  seed: number;
  /** Problems whose starts come from training: overrides of the training settings. */
  starts?: Partial<StartSettings>;
  /**
   * A problem's data file, by convention of this option name: a run's identity records its hash
   * (dataSha256) and a queued suite ships it to the workers.
   */
  dataFile?: string;
  /** The problem's own options (its schema checks them). */
  [option: string]: unknown;
}

export interface TrainingRunSummary {
  steps: number;
  finalLoss: number;
  /** Classifiers: share of training samples classified correctly at the last iterate. */
  accuracy?: number;
}

export interface Problem {
  name: string;
  description: string;
  oracle: Oracle;
  /** Facts for the run manifest (spec, data source, n, ...). They are part of a run directory's identity. */
  info: Record<string, unknown>;
  /** `count` starting points (a problem with a fixed set, e.g. a grid, may ignore count). */
  startingPoints(count: number, rng: Rng, progress?: (done: number, total: number) => void): Float64Array[];
  /** After startingPoints: each training run's final loss (and accuracy, for classifiers). */
  training?: TrainingRunSummary[];
  /** The analytic critical points with their index at this cutoff (linear-ae). */
  truth?: (indexCutoff: number) => AnalyticCriticalPoint[];
}

/** How a problem is built; `threads` says how the oracle computes, never what. */
export interface ProblemContext {
  /** The config's seed: a build draws its data and initialisations from it alone, so a run is reproducible. */
  seed: number;
  /** The run's dense kernels (OpenBLAS through FFI or TypeScript), for oracles that form dense products. */
  kernels: DenseKernels;
  /** Oracle threads (suite workers ask for 1); results must not depend on it. */
  threads?: number;
  /** Training-start settings the config overrides (problems whose starts come from training). */
  starts: Partial<StartSettings>;
}

/** What `build` returns: name is the plugin's; description defaults to the plugin's; info to {}. */
export type BuiltProblem = Omit<Problem, 'name' | 'description' | 'info'> & {
  /** One line for the report and manifest; default: the plugin's description. */
  description?: string;
  /** Facts for the run manifest (spec, data source, n, ...), part of a run directory's identity; default {}. */
  info?: Record<string, unknown>;
};

/** What a problem plugin declares: a name, its options, and a build from options to an Oracle and starts (docs/problems.md). */
export interface ProblemPlugin {
  /** Registry name, e.g. 'my-mlp' (lowercase, digits, dashes). */
  name: string;
  /** One line for `gradflat problems`, reports and manifests: what loss this is and on what data. */
  description: string;
  /** Options with types, ranges and defaults, validated like stepper hyperparameters ({} for none). */
  options: HyperparameterSchema;
  /** Builds the problem from validated options (defaults filled in); may be async (e.g. loading a model). */
  build(options: ProblemOptions, ctx: ProblemContext): BuiltProblem | Promise<BuiltProblem>;
  // What the harness needs beyond the oracle, declared here so that it never asks a problem's name.
  /** True when the built problem's `info` already holds every option, so a run's identity need not repeat them. */
  infoCoversOptions?: boolean;
  /** Asynchronous set-up a fresh worker thread awaits before building (e.g. starting tfjs's WASM backend). */
  prepare?(options: ProblemOptions): Promise<void>;
  /**
   * What the size checks bound before the problem is built, from the options as given (numbers
   * already read from text): the data held in memory, and a fixed set of starts set by an option.
   */
  sizes?(options: ProblemOptions): ProblemSizes;
  /** Figures of this problem's own for the report (e.g. trajectories drawn over the loss surface). */
  reportFigures?(dir: DirData, ctx: ReportFigureContext): {
    /** Vega-Lite figures, each under its own report section. */
    figures: ProblemFigure[];
    /** Sentences for the report's Notes box (e.g. what a figure left out and why). */
    notes: string[];
  };
}

/** See ProblemPlugin.sizes; every field optional. */
export interface ProblemSizes {
  /** The option that sets the number of samples, its value, and the float64 values held per sample. */
  data?: { option: string; samples: number; valuesPerSample: number };
  /** Starts fixed by an option (a grid): the option, its value, and how many starts it makes. */
  fixedStarts?: { option: string; value: number; count: number };
}

export interface ReportFigureContext {
  /** The steppers a run directory's manifest names, to replay its runs (a plugin file may not be loaded: check `has`). */
  steppers: {
    has(name: string): boolean;
    create(name: string, oracle: Oracle, hyperparameters: Record<string, unknown>): Stepper;
  };
  /** The report's cap on drawn points per run. */
  maxPointsPerRun: number;
  progress(text: string): void;
}

/** A figure the report places in a section of its own (id and section get the directory's suffix). */
export interface ProblemFigure {
  id: string;
  section: string;
  title: string;
  caption: string;
  spec: unknown;
}

const NAME = /^[a-z][a-z0-9-]*$/;

/** Keys of a ProblemConfig that belong to gradflat, not to the problem's options. */
const FRAMEWORK_KEYS = new Set(['name', 'seed', 'starts']);

export class ProblemRegistry {
  private readonly problems = new Map<string, ProblemPlugin>();

  register(plugin: ProblemPlugin): void {
    const bad = problemPluginDefect(plugin);
    if (bad) throw new TypeError(`register problem: ${bad}`);
    if (this.problems.has(plugin.name)) throw new Error(`a problem named '${plugin.name}' is already registered; pick another name`);
    this.problems.set(plugin.name, plugin);
  }

  has(name: string): boolean {
    return this.problems.has(name);
  }

  get(name: string): ProblemPlugin {
    const p = this.problems.get(name);
    if (!p) throw new UsageError(`unknown problem '${name}'. Available problems: ${this.names().join(', ') || '(none)'} (a plugin file adds more: --plugin or 'plugins' in a suite)`);
    return p;
  }

  /** Awaits the problem's asynchronous set-up (ProblemPlugin.prepare), when it declares one. */
  async prepare(config: ProblemConfig): Promise<void> {
    const plugin = this.get(config.name);
    if (plugin.prepare) await plugin.prepare(this.resolveOptions(config));
  }

  /** In registration order: the built-ins first, as the paper's figures go. */
  names(): string[] {
    return [...this.problems.keys()];
  }

  list(): ProblemPlugin[] {
    return [...this.problems.values()];
  }

  /** The problem's own options of a config (all keys but name, seed, starts), validated, defaults filled in. */
  resolveOptions(config: Pick<ProblemConfig, 'name'> & { [option: string]: unknown }): ProblemOptions {
    const given = Object.fromEntries(Object.entries(config).filter(([k, v]) => !FRAMEWORK_KEYS.has(k) && v !== undefined));
    const schema = this.get(config.name).options;
    for (const k of Object.keys(given)) {
      if (!(k in schema)) throw new ConfigError(`problem.${k}`, `unknown field. Valid fields of problem: ${[...FRAMEWORK_KEYS, ...Object.keys(schema)].join(', ')} (problem '${config.name}'; 'gradflat problems' lists each one's options)`);
    }
    return validateHyperparameters(schema, given, `problem '${config.name}'`, 'option');
  }

  /** Names and values of the config's 'file' options that are set (their contents belong to a run's identity). */
  fileOptions(config: ProblemConfig): Array<[string, string]> {
    const schema = this.get(config.name).options;
    return Object.entries(config).filter(([k, v]) => schema[k]?.type === 'file' && typeof v === 'string') as Array<[string, string]>;
  }

  /** Builds synchronously; a problem whose build is async needs buildAsync (suites use it). */
  build(config: ProblemConfig, ctx: Omit<ProblemContext, 'seed' | 'starts'>): Problem {
    const { plugin, built } = this.start(config, ctx);
    if (built instanceof Promise) {
      built.then((p) => p?.oracle?.dispose?.(), () => {});
      throw new Error(`problem '${config.name}' builds asynchronously (its build returns a Promise); run it with 'gradflat suite' or 'gradflat run', or call buildProblemAsync`);
    }
    return finish(plugin, built);
  }

  async buildAsync(config: ProblemConfig, ctx: Omit<ProblemContext, 'seed' | 'starts'>): Promise<Problem> {
    const { plugin, built } = this.start(config, ctx);
    return finish(plugin, await built);
  }

  describe(name: string): string[] {
    return describeSchema(this.get(name).options);
  }

  private start(config: ProblemConfig, ctx: Omit<ProblemContext, 'seed' | 'starts'>) {
    const plugin = this.get(config.name);
    const options = this.resolveOptions(config);
    let built: ReturnType<ProblemPlugin['build']>;
    try {
      built = plugin.build(options, { ...ctx, seed: config.seed, starts: { ...config.starts } });
    } catch (e) {
      throw buildFailure(plugin, e);
    }
    return { plugin, built: built instanceof Promise ? built.catch((e: unknown) => { throw buildFailure(plugin, e); }) : built };
  }
}

/**
 * What a build's throw means: gradflat's own checks (of data, sizes, files: UsageError) refuse
 * the input and keep their message; system errors stay I/O failures; anything else is a bug
 * in the problem's code, named.
 */
function buildFailure(plugin: ProblemPlugin, e: unknown): unknown {
  if (e instanceof UsageError || e instanceof PluginError || isSystemError(e)) return e;
  return new PluginError('problem', plugin.name, `problem '${plugin.name}': build threw: ${errorText(e)}`, { cause: e });
}

const isObject = (v: unknown): v is object => Boolean(v) && typeof v === 'object';
const isFunction = (v: unknown): v is (...args: never[]) => unknown => typeof v === 'function';
const fn = z.custom<(...args: never[]) => unknown>(isFunction);

/** What build() must return; each field's issue is worded by `finish`, the oracle's as a list of what it lacks. */
const builtProblemShape = z.looseObject({
  oracle: z.looseObject({
    dim: z.custom<number>((v) => Number.isInteger(v) && (v as number) >= 1),
    loss: fn, gradient: fn, hvp: fn,
    counters: z.custom<object>(isObject),
    capabilities: z.instanceof(Set),
  }),
  startingPoints: fn,
  truth: fn.optional(),
  info: z.custom<object>(isObject).optional(),
});

/** Checks what build returned, so a plugin's mistake is named here rather than deep in a run. */
function finish(plugin: ProblemPlugin, built: BuiltProblem): Problem {
  const where = `problem '${plugin.name}': build() returned`;
  if (!isObject(built)) throw new PluginError('problem', plugin.name, `${where} ${built === null ? 'null' : typeof built}, not an object { oracle, startingPoints, info? }`);
  const r = builtProblemShape.safeParse(built);
  if (!r.success) {
    const [first] = r.error.issues;
    const field = first.path[0];
    if (field === 'oracle' && first.path.length === 1) throw new PluginError('problem', plugin.name, `${where} no 'oracle' (an object with dim, loss, gradient, hvp)`);
    if (field === 'oracle') {
      const missing = r.error.issues.filter((i) => i.path[0] === 'oracle').map((i) => `'${String(i.path[1])}'`);
      throw new PluginError('problem', plugin.name, `${where} an 'oracle' that lacks ${missing.join(', ')} ` +
        "(wrap your functions with functionOracle({ dim, loss, gradient, hvp }) from 'gradflat'; docs/problems.md)");
    }
    if (field === 'startingPoints') throw new PluginError('problem', plugin.name, `${where} no 'startingPoints' (a function (count, rng) => Float64Array[])`);
    if (field === 'truth') throw new PluginError('problem', plugin.name, `${where} a 'truth' that is not a function (indexCutoff) => critical points`);
    throw new PluginError('problem', plugin.name, `${where} an 'info' that is not an object`);
  }
  // The object itself (not zod's copy): startingPoints may set `training` on it.
  const problem = built as Problem;
  problem.name = plugin.name;
  problem.description ??= plugin.description;
  problem.info ??= {};
  return problem;
}

/** What a problem plugin must have besides a valid name, each with the words a message lists it by (in this order). */
const PROBLEM_FIELDS = {
  description: "'description' (a string)",
  options: "'options' (a schema object, {} for none)",
  build: "'build' (a function (options, ctx) => { oracle, startingPoints, info? })",
} as const;

const OPTION_TYPES = ['number', 'integer', 'boolean', 'choice', 'string', 'file', 'numbers'] as const;

const problemPluginShape = z.looseObject({
  name: z.string().regex(NAME),
  description: z.string(),
  options: z.custom<Record<string, unknown>>((v) => isObject(v) && !Array.isArray(v)),
  build: fn,
});

/** An option's declaration as far as the registry checks it here (hyperparameterZod checks the rest). */
const optionShape = z.looseObject({ type: z.enum(OPTION_TYPES) }).refine((s) => 'default' in s, { path: ['default'] });

/** Why `p` is not a problem plugin, naming the field; undefined when it is one. */
export function problemPluginDefect(p: unknown): string | undefined {
  if (!isObject(p) || Array.isArray(p)) return `a problem plugin must be an object { name, description, options, build }, got ${p === null ? 'null' : Array.isArray(p) ? 'an array' : typeof p}`;
  const r = problemPluginShape.safeParse(p);
  const name = (p as { name?: unknown }).name;
  if (!r.success) {
    if (r.error.issues.some((i) => i.path[0] === 'name')) {
      return `problem name ${JSON.stringify(name)} is invalid: use lowercase letters, digits and dashes, starting with a letter`;
    }
    return `problem '${String(name)}' lacks ${r.error.issues.map((i) => PROBLEM_FIELDS[i.path[0] as keyof typeof PROBLEM_FIELDS]).join(', ')}`;
  }
  for (const [k, spec] of Object.entries(r.data.options)) {
    const o = optionShape.safeParse(spec);
    if (!o.success && o.error.issues[0].path[0] !== 'default') return `problem '${r.data.name}': option '${k}' needs a 'type' (one of ${OPTION_TYPES.join(', ')})`;
    if (!o.success) return `problem '${r.data.name}': option '${k}' needs a 'default' (null for none, where the type allows it)`;
    if (FRAMEWORK_KEYS.has(k)) return `problem '${r.data.name}': option '${k}' is reserved (name, seed and starts belong to gradflat)`;
  }
  return undefined;
}
