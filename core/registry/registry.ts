/**
 * The plugin registry: the one public way to add a method to gradflat. Built-in methods
 * (plugins/*) register through exactly this API, as a user's own plugin file would.
 *
 * A stepper class receives its oracle and hyperparameters by constructor injection with
 * explicit tokens (`@inject(ORACLE)`, `@inject(HYPERPARAMETERS)`); each construction gets a
 * child container, so one run's oracle never leaks into another's. A plugin may instead give a
 * factory `create(oracle, hp)`, which needs no injection at all.
 *
 * Two copies of gradflat in one process (a user's plugin whose 'gradflat' resolves elsewhere)
 * share the tokens (Symbol.for) but not tsyringe's table of injectable classes, which is a
 * module-level Map per tsyringe copy. So `injectableStepper` also records the tokens on the class
 * under a Symbol.for key, and `create` builds such a class from that record, never asking
 * tsyringe: a class marked by any copy's `injectableStepper` works with every copy's registry.
 */
import { container as rootContainer, inject, injectable, type DependencyContainer, type InjectionToken } from '../di.js';
import type { Oracle, OracleCapability } from '../oracle/oracle.js';
import { requireCapability } from '../oracle/oracle.js';
import { errorText, isSystemError, PluginError, UsageError } from '../io/errors.js';
import { DENSE_KERNELS, HYPERPARAMETERS, ORACLE } from '../oracle/tokens.js';
import type { DenseKernels } from '../linalg/kernels.js';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import type { Stepper } from '../stepper/stepper.js';
import type { NewtonSolveOptions } from '../newton/direction.js';
import { ProblemRegistry, type ProblemPlugin } from './problems.js';
import { describeSchema, hyperparameterZod, validateHyperparameters, type HyperparameterSchema, type Hyperparameters, type HyperparametersOf } from './hyperparameters.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StepperClass = new (...args: any[]) => Stepper;

/**
 * What a stepper plugin declares: its name, hyperparameters, the oracle capabilities it needs,
 * and how it is built (a class or a factory). `S`, the hyperparameter declaration, types what
 * `create` and `probeSolver` receive (HyperparametersOf).
 */
export interface StepperPlugin<S extends HyperparameterSchema = HyperparameterSchema> {
  /** Registry name, e.g. 'newton-mr' (lowercase, digits, dashes). */
  name: string;
  /** One line for `gradflat plugins` and reports: what the method is, with its paper where it has one. */
  description: string;
  /** The hyperparameters' types, ranges and defaults; validated before the stepper is built ({} for none). */
  hyperparameters: S;
  /** Oracle capabilities the stepper needs beyond loss/gradient/HVP. */
  requires?: readonly OracleCapability[];
  /**
   * True when every step reports the paper's r itself (StepMetrics.newton from a solve of
   * Hp = −g): suites then take flatness from the method instead of probing.
   */
  reportsFlatness?: boolean;
  /**
   * A class whose constructor parameters carry explicit injection tokens (`@inject(...)` with
   * `@injectable()`, or `injectableStepper`). Give exactly one of `stepper` and `create`.
   */
  stepper?: StepperClass;
  // Method syntax: a plugin typed by its own declaration is still a StepperPlugin.
  /**
   * Alternative to `stepper`: builds a stepper from the oracle and the validated hyperparameters
   * (defaults filled in), with no dependency injection involved; `kernels` are the run's dense
   * kernels (what DENSE_KERNELS injects).
   */
  create?(oracle: Oracle, hp: HyperparametersOf<S>, kernels: DenseKernels): Stepper;
  /**
   * Solver and MINRES-QLP settings for flatness probes of this method's points (final r and rH), so that
   * a Newton-type method's final r means what its steps' r meant. Absent: the reference settings.
   */
  probeSolver?(hp: HyperparametersOf<S>): NewtonSolveOptions;
}

export interface CreateOptions {
  /** Container the stepper's scope is a child of (default: gradflat's root container). */
  parent?: DependencyContainer;
  /** Dense kernels injected under DENSE_KERNELS (default: the parent's, else TypeScript). */
  kernels?: DenseKernels;
}

function isContainer(x: CreateOptions | DependencyContainer): x is DependencyContainer {
  return typeof (x as DependencyContainer).resolve === 'function';
}

const NAME = /^[a-z][a-z0-9-]*$/;
/** Where `injectableStepper` records a class's constructor tokens; Symbol.for so every gradflat copy finds it. */
const STEPPER_TOKENS = Symbol.for('gradflat.stepperTokens');

/**
 * Steppers and problems by name: what the CLI, suite files and worker threads resolve names
 * against. `registry` is the process-wide one; a fresh instance suits tests and embedding.
 */
export class PluginRegistry {
  private readonly plugins = new Map<string, StepperPlugin>();
  /** Problems live next to steppers: one plugin file may register both (problems.ts). */
  readonly problems = new ProblemRegistry();
  private readonly setups: string[] = [];

  /** Records a module (URL) exporting `setup(registry)` that a worker thread imports to rebuild this registry (setup.ts). */
  addSetupModule(url: string): void {
    if (!this.setups.includes(url)) this.setups.push(url);
  }

  /** The setup modules, in the order they populated this registry. */
  get setupModules(): readonly string[] {
    return this.setups;
  }

  /** Registers a problem plugin ({ name, description, options, build }); see docs/problems.md. */
  registerProblem(plugin: ProblemPlugin): void {
    this.problems.register(plugin);
  }

  /** Registers a stepper plugin; throws, naming the fix, on a bad name, a duplicate, or neither/both of `stepper` and `create`. */
  register(plugin: StepperPlugin): void {
    if (!plugin || typeof plugin !== 'object') throw new TypeError('register(plugin): plugin must be an object');
    if ('build' in plugin && typeof plugin.build === 'function' && !('stepper' in plugin) && !('create' in plugin)) {
      throw new TypeError(`plugin '${plugin.name}' looks like a problem ({ options, build }): register it with registerProblem(plugin)`);
    }
    if (typeof plugin.name !== 'string' || !NAME.test(plugin.name)) {
      throw new Error(`plugin name ${JSON.stringify(plugin.name)} is invalid: use lowercase letters, digits and dashes, starting with a letter`);
    }
    if (this.plugins.has(plugin.name)) throw new Error(`a stepper named '${plugin.name}' is already registered; pick another name`);
    const hasClass = plugin.stepper !== undefined, hasFactory = plugin.create !== undefined;
    if (hasClass === hasFactory) {
      throw new TypeError(`plugin '${plugin.name}': give exactly one of 'stepper' (a class) and 'create' (a function (oracle, hp) => stepper)`);
    }
    if (hasClass && typeof plugin.stepper !== 'function') throw new TypeError(`plugin '${plugin.name}': 'stepper' must be a class`);
    if (hasFactory && typeof plugin.create !== 'function') throw new TypeError(`plugin '${plugin.name}': 'create' must be a function (oracle, hp) => stepper`);
    if (!plugin.hyperparameters || typeof plugin.hyperparameters !== 'object') {
      throw new TypeError(`plugin '${plugin.name}': 'hyperparameters' must be a schema object (use {} for none)`);
    }
    // A malformed declaration is the plugin author's error: say so now, not at the first run.
    hyperparameterZod(plugin.hyperparameters, `plugin '${plugin.name}'`);
    this.plugins.set(plugin.name, plugin);
  }

  /** Whether a stepper of this name is registered. */
  has(name: string): boolean {
    return this.plugins.has(name);
  }

  /** The stepper plugin of this name; a UsageError listing the registered names when there is none. */
  get(name: string): StepperPlugin {
    const p = this.plugins.get(name);
    if (!p) throw new UsageError(`unknown stepper '${name}'. Registered steppers: ${this.names().join(', ') || '(none)'}`);
    return p;
  }

  /** Registered stepper names, sorted. */
  names(): string[] {
    return [...this.plugins.keys()].sort();
  }

  /** Registered stepper plugins, sorted by name. */
  list(): StepperPlugin[] {
    return this.names().map((n) => this.plugins.get(n)!);
  }

  /** Validates hyperparameters (filling defaults) without building anything. */
  resolveHyperparameters(name: string, given?: Record<string, unknown>): Hyperparameters {
    return validateHyperparameters(this.get(name).hyperparameters, given, `stepper '${name}'`);
  }

  /**
   * Builds a stepper in a fresh child container holding this oracle, these hyperparameters and
   * the dense kernels (`options.kernels`; else what `parent` holds under DENSE_KERNELS; else the
   * TypeScript kernels). `options` may also be the parent container itself (the old signature).
   */
  create(name: string, oracle: Oracle, given?: Record<string, unknown>, options: CreateOptions | DependencyContainer = {}): Stepper {
    const { parent = rootContainer, kernels: chosen } = isContainer(options) ? { parent: options, kernels: undefined } : options;
    const kernels = chosen ?? (parent.isRegistered(DENSE_KERNELS, true) ? parent.resolve(DENSE_KERNELS) : typescriptKernels);
    const plugin = this.get(name);
    for (const cap of plugin.requires ?? []) requireCapability(oracle, cap, `stepper '${name}'`);
    const hp = this.resolveHyperparameters(name, given);
    const made = plugin.create ? 'create(oracle, hp)' : 'its class';
    let stepper: Stepper;
    try {
      stepper = plugin.create ? plugin.create(oracle, hp, kernels) : construct(plugin.stepper!, name, oracle, hp, kernels, parent);
    } catch (e) {
      // A refusal (missing capability, inconsistent hyperparameters) is a UsageError; anything else is the plugin's bug.
      if (e instanceof UsageError || e instanceof PluginError || isSystemError(e)) throw e;
      throw new PluginError('stepper', name, `stepper '${name}': ${made} threw: ${errorText(e)}`, { cause: e });
    }
    if (!stepper || typeof stepper.init !== 'function' || typeof stepper.step !== 'function') {
      throw new PluginError('stepper', name, `stepper '${name}': ${made} did not produce a stepper (an object with init and step methods)`);
    }
    return stepper;
  }

  /** One line per hyperparameter of this stepper (type, range, default), as `gradflat plugins` prints them. */
  describe(name: string): string[] {
    return describeSchema(this.get(name).hyperparameters);
  }
}

/** A stepper class built in a fresh child container of `parent` holding the oracle, hyperparameters and kernels. */
function construct(cls: StepperClass, name: string, oracle: Oracle, hp: Hyperparameters, kernels: DenseKernels, parent: DependencyContainer): Stepper {
  const scope = parent.createChildContainer();
  scope.register(ORACLE, { useValue: oracle });
  scope.register(HYPERPARAMETERS, { useValue: hp });
  scope.register(DENSE_KERNELS, { useValue: kernels });
  const tokens: unknown = Object.prototype.hasOwnProperty.call(cls, STEPPER_TOKENS) ? Reflect.get(cls, STEPPER_TOKENS) : undefined;
  if (Array.isArray(tokens)) return new cls(...tokens.map((t: InjectionToken<unknown>) => scope.resolve(t)));
  try {
    return scope.resolve(cls);
  } catch (e) {
    if (!/TypeInfo not known/.test((e as Error).message)) throw e;
    throw new PluginError('stepper', name, `stepper '${name}': gradflat cannot construct class ${cls.name || '(anonymous)'}: it was not marked injectable ` +
      `by the tsyringe gradflat uses. Mark it with injectableStepper(${cls.name || 'Cls'}, [ORACLE, HYPERPARAMETERS]) imported from 'gradflat' ` +
      `(a plugin must not bundle its own tsyringe), or give the plugin create(oracle, hp) instead of stepper`);
  }
}

/**
 * For plain-JavaScript plugins (no decorator syntax): marks `cls` injectable with the given
 * constructor-parameter tokens, e.g. `injectableStepper(MyStepper, [ORACLE, HYPERPARAMETERS])`.
 */
export function injectableStepper<C extends StepperClass>(cls: C, tokens: readonly InjectionToken<unknown>[]): C {
  tokens.forEach((t, i) => inject(t)(cls, undefined, i));
  injectable()(cls);
  // Read by PluginRegistry.create of any gradflat copy (see the note at the top of this file).
  Object.defineProperty(cls, STEPPER_TOKENS, { value: Object.freeze([...tokens]), enumerable: false, configurable: true });
  return cls;
}

/** The process-wide registry that the CLI and suites use. */
export const registry = new PluginRegistry();

/** Registers a stepper plugin with `registry`, the one the CLI and suites resolve names against. */
export function registerPlugin(plugin: StepperPlugin): void {
  registry.register(plugin);
}

/** Registers a problem plugin with `registry`, the one the CLI and suites resolve names against. */
export function registerProblem(plugin: ProblemPlugin): void {
  registry.registerProblem(plugin);
}
