/**
 * `gradflat check` as a function: the conformance battery (stepper-check.ts, problem-check.ts)
 * for plugin files or plugin objects, with a readable report. An author's tests call it:
 *   const r = await checkPlugin(myPlugin); assert.ok(r.passed, r.text);
 */
import { loadPluginFile } from '../registry/load.js';
import { registry as defaultRegistry, PluginRegistry, type StepperPlugin } from '../registry/registry.js';
import { problemPluginDefect, type ProblemConfig, type ProblemPlugin } from '../registry/problems.js';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import type { DenseKernels } from '../linalg/kernels.js';
import { UsageError } from '../io/errors.js';
import { checkStepper } from './stepper-check.js';
import { checkProblem } from './problem-check.js';
import { Rng } from '../random/rng.js';
import { checkFunctionOracle, checkFunctionStarts } from './test-function.js';
import { PropertyLog, report, type CheckReport, type PluginCheck } from './report.js';

export type { CheckReport, PluginCheck, PropertyResult } from './report.js';

export interface CheckOptions {
  /** Steppers: check on this problem (looked up in the checked files, then in `registry`) instead of the check function (n = 6). Needed by a stepper that requires an oracle capability, e.g. 'layer-statistics'. */
  problem?: ProblemConfig;
  /** Problems: their options, and `starts` training settings, for the check (small sizes keep it fast); `seed` defaults to 1. */
  problemOptions?: Record<string, unknown>;
  /** Steppers: hyperparameters to check with (default: the declared defaults). */
  hyperparameters?: Record<string, unknown>;
  /** Steps per trajectory (default 6). */
  steps?: number;
  /** Starting points (default 2). */
  starts?: number;
  /** Where `problem` is found when the plugin's file does not register it (default: the process-wide registry). */
  registry?: PluginRegistry;
  kernels?: DenseKernels;
}

/** A plugin file (a path, relative to the working directory), a plugin object, or a list of them. */
export type CheckTarget = string | StepperPlugin | ProblemPlugin;

/** Runs the conformance battery on every stepper and problem of the targets; never throws for a failed property (see `passed`), throws UsageError for input it cannot check. */
export async function checkPlugin(target: CheckTarget | readonly CheckTarget[], options: CheckOptions = {}): Promise<CheckReport> {
  const targets = (Array.isArray(target) ? target : [target]) as readonly CheckTarget[];
  if (targets.length === 0) throw new UsageError('nothing to check: give a plugin file or a plugin object');
  const loaded = [];
  for (const t of targets) loaded.push(await pluginsOf(t));
  // A stepper's `problem` may come from any checked file (one checks a method on a packaged problem).
  const owns = loaded.map((l) => l.own);
  const checks: PluginCheck[] = [];
  for (const { plugins, source } of loaded) for (const p of plugins) checks.push(await checkOne(p, source, owns, options));
  return report(checks);
}

const isProblem = (p: StepperPlugin | ProblemPlugin): p is ProblemPlugin => typeof (p as ProblemPlugin).build === 'function';

async function pluginsOf(t: CheckTarget): Promise<{ plugins: Array<StepperPlugin | ProblemPlugin>; source: string; own: PluginRegistry }> {
  const own = new PluginRegistry();
  if (typeof t === 'string') {
    const names = await loadPluginFile(t, own);
    const plugins: Array<StepperPlugin | ProblemPlugin> = [];
    for (const n of names) {
      if (own.has(n)) plugins.push(own.get(n));
      if (own.problems.has(n)) plugins.push(own.problems.get(n));
    }
    return { plugins, source: t, own };
  }
  if (!t || typeof t !== 'object') throw new UsageError(`cannot check ${t === null ? 'null' : typeof t}: give a plugin file or a plugin object`);
  if (isProblem(t)) {
    const defect = problemPluginDefect(t);
    if (defect) throw new UsageError(`cannot check it: ${defect}`);
  }
  return { plugins: [t], source: 'code', own };
}

async function checkOne(p: StepperPlugin | ProblemPlugin, source: string, owns: readonly PluginRegistry[], options: CheckOptions): Promise<PluginCheck> {
  const log = new PropertyLog();
  const kernels = options.kernels ?? typescriptKernels;
  const starts = options.starts ?? 2;
  if (isProblem(p)) {
    const config: ProblemConfig = { seed: 1, ...options.problemOptions, name: p.name };
    await checkProblem(p, { config, kernels, starts }, log);
    return { kind: 'problem', name: p.name, source, results: log.results, passed: log.passed };
  }
  let setup;
  if (options.problem) {
    const name = options.problem.name;
    const where = owns.find((r) => r.problems.has(name)) ?? options.registry ?? defaultRegistry;
    const problem = await where.problems.buildAsync(options.problem, { kernels, threads: 1 });
    setup = { oracle: problem.oracle, describe: `problem '${problem.name}' (n = ${problem.oracle.dim})`, starts: problem.startingPoints(starts, new Rng(options.problem.seed)).slice(0, starts) };
  } else {
    setup = { oracle: checkFunctionOracle(), describe: 'the check function (n = 6)', starts: checkFunctionStarts(starts, 1) };
  }
  try {
    await checkStepper(p, { ...setup, steps: options.steps ?? 6, hyperparameters: options.hyperparameters, kernels }, log);
  } finally {
    setup.oracle.dispose?.();
  }
  return { kind: 'stepper', name: p.name, source, results: log.results, passed: log.passed };
}
