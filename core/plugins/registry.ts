/**
 * The plugin registry: the one public way to add a method to gradflat. Built-in methods
 * (plugins/*) register through exactly this API, as a user's own plugin file would.
 *
 * A stepper class receives its oracle and hyperparameters by constructor injection with
 * explicit tokens (`@inject(ORACLE)`, `@inject(HYPERPARAMETERS)`); each construction gets a
 * child container, so one run's oracle never leaks into another's.
 */
import { container as rootContainer, inject, injectable, type DependencyContainer, type InjectionToken } from '../di.js';
import type { Oracle, OracleCapability } from '../oracle/oracle.js';
import { requireCapability } from '../oracle/oracle.js';
import { HYPERPARAMETERS, ORACLE } from '../oracle/tokens.js';
import type { Stepper } from '../stepper/stepper.js';
import type { MinresQlpOptions } from '../linalg/minres-qlp.js';
import { describeSchema, validateHyperparameters, type HyperparameterSchema, type Hyperparameters } from './hyperparameters.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StepperClass = new (...args: any[]) => Stepper;

export interface StepperPlugin {
  /** Registry name, e.g. 'newton-mr' (lowercase, digits, dashes). */
  name: string;
  description: string;
  hyperparameters: HyperparameterSchema;
  /** Oracle capabilities the stepper needs beyond loss/gradient/HVP. */
  requires?: readonly OracleCapability[];
  /** A class whose constructor parameters carry explicit injection tokens. */
  stepper: StepperClass;
  /**
   * MINRES-QLP settings for flatness probes of this method's points (final r and rH), so that
   * a Newton-type method's final r means what its steps' r meant. Absent: the reference settings.
   */
  probeSolver?: (hp: Hyperparameters) => MinresQlpOptions;
}

const NAME = /^[a-z][a-z0-9-]*$/;

export class PluginRegistry {
  private readonly plugins = new Map<string, StepperPlugin>();

  register(plugin: StepperPlugin): void {
    if (!plugin || typeof plugin !== 'object') throw new TypeError('register(plugin): plugin must be an object');
    if (typeof plugin.name !== 'string' || !NAME.test(plugin.name)) {
      throw new Error(`plugin name ${JSON.stringify(plugin.name)} is invalid: use lowercase letters, digits and dashes, starting with a letter`);
    }
    if (this.plugins.has(plugin.name)) throw new Error(`a stepper named '${plugin.name}' is already registered; pick another name`);
    if (typeof plugin.stepper !== 'function') throw new TypeError(`plugin '${plugin.name}': 'stepper' must be a class`);
    if (!plugin.hyperparameters || typeof plugin.hyperparameters !== 'object') {
      throw new TypeError(`plugin '${plugin.name}': 'hyperparameters' must be a schema object (use {} for none)`);
    }
    this.plugins.set(plugin.name, plugin);
  }

  has(name: string): boolean {
    return this.plugins.has(name);
  }

  get(name: string): StepperPlugin {
    const p = this.plugins.get(name);
    if (!p) throw new Error(`unknown stepper '${name}'. Registered steppers: ${this.names().join(', ') || '(none)'}`);
    return p;
  }

  names(): string[] {
    return [...this.plugins.keys()].sort();
  }

  list(): StepperPlugin[] {
    return this.names().map((n) => this.plugins.get(n)!);
  }

  /** Validates hyperparameters (filling defaults) without building anything. */
  resolveHyperparameters(name: string, given?: Record<string, unknown>): Hyperparameters {
    return validateHyperparameters(this.get(name).hyperparameters, given, `stepper '${name}'`);
  }

  /** Builds a stepper in a fresh child container holding this oracle and these hyperparameters. */
  create(name: string, oracle: Oracle, given?: Record<string, unknown>, parent: DependencyContainer = rootContainer): Stepper {
    const plugin = this.get(name);
    for (const cap of plugin.requires ?? []) requireCapability(oracle, cap, `stepper '${name}'`);
    const hp = this.resolveHyperparameters(name, given);
    const scope = parent.createChildContainer();
    scope.register(ORACLE, { useValue: oracle });
    scope.register(HYPERPARAMETERS, { useValue: hp });
    return scope.resolve(plugin.stepper);
  }

  describe(name: string): string[] {
    return describeSchema(this.get(name).hyperparameters);
  }
}

/**
 * For plain-JavaScript plugins (no decorator syntax): marks `cls` injectable with the given
 * constructor-parameter tokens, e.g. `injectableStepper(MyStepper, [ORACLE, HYPERPARAMETERS])`.
 */
export function injectableStepper<C extends StepperClass>(cls: C, tokens: readonly InjectionToken<unknown>[]): C {
  tokens.forEach((t, i) => inject(t as InjectionToken<unknown>)(cls, undefined as unknown as string, i));
  injectable()(cls);
  return cls;
}

/** The process-wide registry that the CLI and suites use. */
export const registry = new PluginRegistry();

/** Public API: register a stepper plugin with the default registry. */
export function registerPlugin(plugin: StepperPlugin): void {
  registry.register(plugin);
}
