/**
 * A suite: one problem, shared starting points, several methods run from each of them.
 * The file (JSON or YAML) is validated field by field; errors name the field. Example:
 *
 *   problem: { name: swish-ae, seed: 1, samples: 2000 }
 *   seed: 7
 *   starts: { count: 6, flat: { finder: { stepper: newton-mr, iterations: 60 } } }
 *   iterations: 50
 *   steppers:
 *     - { stepper: newton-mr }
 *     - { stepper: adam, hyperparameters: { learningRate: 0.001 } }
 *
 * `resolveSuite` fills every default, so the resolved config is what the run directory's hash
 * covers: spelling a default out or leaving it implicit names the same suite.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PROBE_SOLVERS } from '../newton/exact-direction.js';
import { DEFAULT_THRESHOLDS, type ClassThresholds } from '../analysis/flatness.js';
import { DEFAULT_INDEX_CUTOFF } from '../analysis/spectrum.js';
import { DEFAULT_PINV_RCOND } from '../linalg/exact-newton.js';
import { INDEX_METHODS, type IndexMethod } from '../analysis/index-estimate.js';
import {
  arrayField, choiceField, integerField, numberField, objectField, parseField, recordField, stringField, z,
} from '../io/fields.js';
import type { Hyperparameters } from '../registry/hyperparameters.js';
import { ConfigError, HyperparameterError, UsageError } from '../io/errors.js';
import { loadPluginFiles } from '../registry/load.js';
import type { PluginRegistry } from '../registry/registry.js';
import { problemsOf, type ProblemConfig } from '../registry/catalog.js';
import { problemShape } from '../registry/problem-schema.js';
import { sameTau, SPECTRAL_TAUS } from '../analysis/spectral-flatness.js';
import type { ProbeKind } from './probes.js';

const positive = numberField({ min: 0, exclusiveMin: true });
const nonNegative = numberField({ min: 0 });

const problem = problemShape(stringField).describe('the problem, as in gradflat run: name and seed required, starts (training runs that make starting points), and the options of the named problem (gradflat list problems)');

const finderShape = objectField({ stepper: stringField, hyperparameters: recordField, iterations: integerField(1) });

const stepperShape = objectField({
  stepper: stringField.describe("a registered stepper ('gradflat plugins' lists them)"),
  /** Directory name and table label; default the stepper's name. */
  label: stringField.regex(/^[a-z0-9][a-z0-9._-]*$/i, { error: (iss) => `must be letters, digits, '.', '_' or '-' (it names a directory), got ${JSON.stringify(iss.input)}` })
    .describe("output folder and table label (default: the stepper's name); unique without case"),
  hyperparameters: recordField.describe("the stepper's hyperparameters (checked against its declaration: 'gradflat plugins')"),
  iterations: integerField(0).describe('steps per run for this stepper (default: the suite\'s iterations)'),
}, ['stepper']);

/** The suite file's schema (also emitted as JSON Schema: `gradflat schema suite`). */
export const suiteShape = objectField({
  name: stringField.describe('label in tables; --out defaults to runs/<name> (default: suite)'),
  problem,
  seed: numberField({ integer: true }).describe("seeds the starting points and the probes' random vectors"),
  starts: objectField({
    count: integerField(1),
    flat: objectField({ finder: finderShape, r: numberField({ min: 0, max: 1 }), minGradNormSq: nonNegative, max: integerField(1) }),
  }, ['count']).describe('count: trained starting points, sampled uniformly in loss; flat: find gradient-flat starts first (docs/suites.md)'),
  steppers: arrayField(stepperShape, 1).describe('the methods, each run from every start'),
  iterations: integerField(0).describe('steps per run'),
  stop: objectField({ targetGradNormSq: nonNegative }).describe('stop a run once ‖g‖² ≤ targetGradNormSq (default 0: never)'),
  probe: objectField({
    kind: choiceField(['auto', 'newton', 'rayleigh', 'spectral', 'none'] as const), every: integerField(1), rtol: positive,
    maxit: integerField(1), frobeniusSamples: integerField(1), solver: choiceField(PROBE_SOLVERS), pinvRcond: nonNegative,
    flatTau: numberField({ min: 0, exclusiveMin: true }).refine((t) => SPECTRAL_TAUS.some((x) => sameTau(x, t)), { error: (iss) => `must be one of the spectral grid's τ (1e-10, 1e-9, …, 1), got ${JSON.stringify(iss.input)}` }),
  }).describe('flatness probes of methods that do not measure r themselves (docs/suites.md)'),
  evaluation: objectField({
    indexCutoff: nonNegative, cutoffs: arrayField(positive), indexMethod: choiceField(INDEX_METHODS),
    thresholds: objectField({ critical: nonNegative, flatR: nonNegative, flatRH: numberField() }),
  }),
  summary: objectField({
    lossAfter: arrayField(integerField(1)), leaveR: numberField({ min: 0, max: 1 }), leaveWindow: integerField(1), blowUpRatio: positive,
    targets: objectField({ loss: numberField(), gradNormSq: nonNegative }),
  }),
  plugins: arrayField(stringField).describe("JavaScript files registering more steppers, relative to the suite file"),
}, ['problem', 'seed', 'starts', 'steppers', 'iterations']);

export type SuiteFile = z.output<typeof suiteShape>;

export interface ResolvedStepper {
  label: string;
  stepper: string;
  hyperparameters: Hyperparameters;
  iterations: number;
}

export interface ResolvedSuite {
  name: string;
  problem: ProblemConfig;
  seed: number;
  starts: {
    count: number;
    flat: null | { finder: ResolvedStepper; r: number; minGradNormSq: number; max: number | null };
  };
  steppers: ResolvedStepper[];
  stop: { targetGradNormSq: number };
  probe: {
    kind: ProbeKind | 'auto'; every: number | null; rtol: number; maxit: number | null; frobeniusSamples: number;
    /** Newton probes and final points: the solver, present only when not the default 'minres-qlp'
     * (so suites written before the option keep their hash), with the pseudo-inverse rcond. */
    solver?: (typeof PROBE_SOLVERS)[number]; pinvRcond?: number;
    /** Spectral probes: the τ whose share judges flat / left (present only when set; default SPECTRAL_FLAT_TAU). */
    flatTau?: number;
  };
  /** indexMethod only when the file sets it (default 'auto'), so older suites keep their identity hash. */
  evaluation: { indexCutoff: number; cutoffs: number[]; thresholds: ClassThresholds; indexMethod?: IndexMethod };
  summary: { lossAfter: number[]; leaveR: number; leaveWindow: number; blowUpRatio: number; targets: { loss?: number; gradNormSq?: number } };
  /** Absolute paths of plugin files (relative ones are taken from the config file's folder). */
  plugins: string[];
}

/** Reads a suite file (.json, .yaml or .yml) into plain data; syntax errors name the file. */
export function readSuiteFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read suite file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const ext = extname(file).toLowerCase();
  const empty = new ConfigError('', `suite file ${file} is empty: it needs at least problem, seed, starts, iterations and steppers (see docs/suites.md)`);
  try {
    if (ext === '.json') {
      if (text.trim() === '') throw empty;
      return JSON.parse(text);
    }
    if (ext === '.yaml' || ext === '.yml') {
      // An empty file, or one of comments only, parses to null (YAML's empty document).
      const raw: unknown = parseYaml(text);
      if (raw === null || raw === undefined) throw empty;
      return raw;
    }
  } catch (e) {
    if (e === empty) throw e;
    throw new UsageError(`suite file ${file} is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  throw new UsageError(`suite file ${file}: use a .json, .yaml or .yml file (got '${ext || 'no extension'}')`);
}

/** Validates a suite and fills every default; `baseDir` anchors relative plugin and data paths. */
export function resolveSuite(raw: unknown, registry: PluginRegistry, baseDir = process.cwd()): ResolvedSuite {
  const f = parseField(suiteShape, raw);
  const anchor = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const iterations = f.iterations;
  const resolveStepper = (s: { stepper: string; label?: string; hyperparameters?: Record<string, unknown>; iterations?: number }, path: string): ResolvedStepper => {
    if (!registry.has(s.stepper)) {
      throw new ConfigError(`${path}.stepper`, `unknown stepper '${s.stepper}'. Registered: ${registry.names().join(', ')} (a plugin file adds more: 'plugins' in the suite or --plugin)`);
    }
    let hyperparameters: Hyperparameters;
    try {
      hyperparameters = registry.resolveHyperparameters(s.stepper, s.hyperparameters);
    } catch (e) {
      throw new ConfigError(`${path}.hyperparameters`, (e as Error).message);
    }
    return { label: s.label ?? s.stepper, stepper: s.stepper, hyperparameters, iterations: s.iterations ?? iterations };
  };
  const steppers = f.steppers.map((s, i) => resolveStepper(s, `steppers[${i}]`));
  // Labels name directories: compared without case, for case-insensitive file systems.
  const seen = new Map<string, number>();
  steppers.forEach((s, i) => {
    const j = seen.get(s.label.toLowerCase());
    if (j !== undefined) throw new ConfigError(`steppers[${i}].label`, `'${s.label}' is already used by steppers[${j}] (labels name folders, compared without case); give each entry a distinct label`);
    seen.set(s.label.toLowerCase(), i);
  });
  const flat = f.starts.flat;
  const ev = f.evaluation ?? {};
  const thresholds = { ...DEFAULT_THRESHOLDS, ...ev.thresholds };
  // The problem's own options: validated now (errors name the field), kept as written (defaults are the
  // problem's to fill, so the identity of existing suites is unchanged); 'file' options anchored like plugins.
  const problems = problemsOf(registry);
  if (!problems.has(f.problem.name)) {
    throw new ConfigError('problem.name', `must be one of ${problems.names().map((n) => `'${n}'`).join(', ')}, got ${JSON.stringify(f.problem.name)}: ` +
      `no problem of that name is registered (a plugin file adds more: 'plugins' in the suite or --plugin)`);
  }
  try {
    problems.resolveOptions(f.problem);
  } catch (e) {
    // The registry's messages name the option in words; a suite file's errors lead with its path.
    if (e instanceof ConfigError) throw e;
    if (e instanceof HyperparameterError) throw new ConfigError(`problem.${e.field}`, `${e.detail} (an option of problem '${f.problem.name}')`);
    throw new ConfigError('problem', (e as Error).message);
  }
  const problem: ProblemConfig = { ...f.problem };
  for (const [k, file] of problems.fileOptions(f.problem)) problem[k] = anchor(file);
  return {
    name: f.name ?? 'suite',
    problem,
    seed: f.seed,
    starts: {
      count: f.starts.count,
      flat: flat === undefined ? null : {
        finder: resolveStepper({ stepper: 'newton-mr', iterations: 100, ...flat.finder }, 'starts.flat.finder'),
        r: flat.r ?? thresholds.flatR,
        minGradNormSq: flat.minGradNormSq ?? thresholds.critical,
        max: flat.max ?? null,
      },
    },
    steppers,
    stop: { targetGradNormSq: f.stop?.targetGradNormSq ?? 0 },
    probe: {
      kind: f.probe?.kind ?? 'auto', every: f.probe?.every ?? null, rtol: f.probe?.rtol ?? 1e-10,
      maxit: f.probe?.maxit ?? null, frobeniusSamples: f.probe?.frobeniusSamples ?? 4,
      ...(f.probe?.solver !== undefined && f.probe.solver !== 'minres-qlp' && { solver: f.probe.solver, pinvRcond: f.probe.pinvRcond ?? DEFAULT_PINV_RCOND }),
      ...(f.probe?.flatTau !== undefined && { flatTau: f.probe.flatTau }),
    },
    evaluation: {
      indexCutoff: ev.indexCutoff ?? DEFAULT_INDEX_CUTOFF, cutoffs: ev.cutoffs ?? [1e-2, 1e-8], thresholds,
      ...(ev.indexMethod !== undefined && { indexMethod: ev.indexMethod }),
    },
    summary: {
      lossAfter: f.summary?.lossAfter ?? [10],
      // Well below the flat threshold: r hovers around 0.9 inside flat regions (see observer.ts).
      leaveR: f.summary?.leaveR ?? 0.5,
      leaveWindow: f.summary?.leaveWindow ?? 3,
      blowUpRatio: f.summary?.blowUpRatio ?? 1,
      targets: { ...f.summary?.targets },
    },
    plugins: (f.plugins ?? []).map(anchor),
  };
}

/** The suite with its probe / final-point solver replaced (e.g. by --probe-solver); undefined keeps it. */
export function withProbeSolver(suite: ResolvedSuite, solver: (typeof PROBE_SOLVERS)[number] | undefined): ResolvedSuite {
  if (solver === undefined) return suite;
  const { solver: _old, pinvRcond, ...probe } = suite.probe;
  void _old;
  return { ...suite, probe: { ...probe, ...(solver !== 'minres-qlp' && { solver, pinvRcond: pinvRcond ?? DEFAULT_PINV_RCOND }) } };
}

/** Plugin files named in a raw suite file (before validation, so they can be loaded first). */
export function pluginFilesOf(raw: unknown, baseDir: string): string[] {
  if (raw === null || typeof raw !== 'object' || !('plugins' in raw)) return [];
  return parseField(arrayField(stringField), (raw as { plugins: unknown }).plugins, 'plugins').map((p) => (isAbsolute(p) ? p : resolve(baseDir, p)));
}

export const suiteBaseDir = (file: string) => dirname(resolve(file));

/**
 * Reads, loads the plugins of (the file's `plugins` plus `extraPlugins`, e.g. from --plugin)
 * and resolves a suite file. The resolved suite lists every plugin file, so worker threads
 * load the same ones and the run directory's hash covers their contents.
 */
export async function loadSuite(file: string, registry: PluginRegistry, extraPlugins: readonly string[] = []): Promise<ResolvedSuite> {
  const raw = readSuiteFile(file);
  const base = suiteBaseDir(file);
  const plugins = [...new Set([...pluginFilesOf(raw, base), ...extraPlugins.map((p) => resolve(p))])];
  await loadPluginFiles(plugins, registry);
  try {
    return { ...resolveSuite(raw, registry, base), plugins };
  } catch (e) {
    // A top-level error ("must be an object") has no field to name: name the file instead.
    if (e instanceof ConfigError && e.path === '') throw new ConfigError('', `suite file ${file}: ${e.message}`);
    throw e;
  }
}
