/**
 * The conformance battery for a stepper plugin: the properties of the Stepper contract that the
 * harness relies on (core/stepper/stepper.ts, docs/checkpoints.md), each tested on a small
 * problem from a few starts:
 * - hyperparameters: the declaration is valid, defaults build, bad values are refused;
 * - θ and states are not mutated, nor arrays the oracle handed out;
 * - determinism: the same start and hyperparameters give bit-identical steps, whatever the
 *   clock or Math.random say;
 * - the state is plain data that survives the checkpoint encoding, and a fresh stepper resumed
 *   from it continues bit-identically (nothing the next step needs is kept outside the state);
 * - the state's loss and gradient are the oracle's at its θ, every gradient was counted by the
 *   harness's meter, and a self-reported `work` equals the harness's count;
 * - an oracle that returns NaN makes a step pass it on or halt, never throw;
 * - dispose (when there is one) releases the stepper without disposing the oracle.
 */
import { countingOracle } from '../oracle/counting.js';
import { counterDelta, snapshotCounters, type Oracle, type OracleCounters } from '../oracle/oracle.js';
import { decodeCheckpoint, encodeCheckpoint } from '../run/checkpoint.js';
import { PluginRegistry, type StepperPlugin } from '../registry/registry.js';
import type { DenseKernels } from '../linalg/kernels.js';
import type { StepMetrics, Stepper, StepperState } from '../stepper/stepper.js';
import { underOtherClock } from './clock.js';
import { Failure, PropertyLog } from './report.js';
import { watchedOracle, type WatchedOracle } from './watched-oracle.js';

export interface StepperCheckSetup {
  /** The oracle every trajectory runs on (each gets its own counting and watching wrappers). */
  oracle: Oracle;
  /** What the oracle is, for the report. */
  describe: string;
  starts: readonly Float64Array[];
  /** Steps per trajectory (≥ 2; a resume is checked from the middle). */
  steps: number;
  hyperparameters?: Record<string, unknown>;
  kernels: DenseKernels;
}

interface Step {
  from: string;
  state: StepperState;
  encoded: string;
  metrics: StepMetrics;
  work: OracleCounters;
  halted?: string;
}

interface Trajectory {
  init: StepperState;
  steps: Step[];
  oracle: WatchedOracle;
  stepper: Stepper;
}

const JSON_PROPERTY = 'state survives JSON and a resume is bit-identical';

/** A state the checkpoint encoding refuses (a Map, a class instance): a failure of JSON_PROPERTY, whichever check met it. */
class NotPlainData extends Failure {}

const encoded = (s: StepperState, which: string): string => {
  try {
    return encodeCheckpoint(s);
  } catch (e) {
    throw new NotPlainData(`${which} is not plain data: ${(e as Error).message}. Checkpoints and resumes store the state as JSON: ` +
      'keep numbers, strings, booleans, arrays, plain objects and typed arrays in it (a Map as a plain object or arrays of pairs; a class instance as its fields)');
  }
};

/** One trajectory on a fresh stepper (`resume`: from a decoded state instead of init). */
function trajectory(build: (o: Oracle) => Stepper, inner: Oracle, theta0: Float64Array, steps: number, resume?: StepperState): Trajectory {
  const counting = countingOracle(inner);
  const oracle = watchedOracle(counting);
  const stepper = build(oracle);
  const init = resume ?? stepper.init(theta0);
  const out: Step[] = [];
  let state = init;
  for (let k = 0; k < steps; k++) {
    const from = encoded(state, k === 0 && !resume ? 'the state init() returned' : `the state at iteration ${state.iteration}`);
    const before = snapshotCounters(counting.counters);
    const r = stepper.step(state);
    const work = counterDelta(counting.counters, before);
    // It encoded before the step: one that no longer does was changed (a Map put into it, say).
    let after: string | undefined;
    try {
      after = encodeCheckpoint(state);
    } catch {
      after = undefined;
    }
    if (after !== from) throw new Failure(`step ${state.iteration} changed the state it was given (θ, gradient or extra): a step must return a new state and leave its input as it was (the harness keeps it for logs and checkpoints)`);
    out.push({ from, state: r.state, encoded: encoded(r.state, `the state step ${r.metrics.iteration} returned`), metrics: r.metrics, work, halted: r.halted });
    if (r.halted) break;
    state = r.state;
  }
  return { init, steps: out, oracle, stepper };
}

const same = (a: Step[], b: Step[]): string | undefined => {
  for (let k = 0; k < Math.min(a.length, b.length); k++) {
    if (a[k].encoded !== b[k].encoded) return `the state after step ${a[k].state.iteration} differs${firstDifference(a[k].state, b[k].state)}`;
    const ma = encodeCheckpoint({ ...a[k].metrics, work: undefined }), mb = encodeCheckpoint({ ...b[k].metrics, work: undefined });
    if (ma !== mb) return `the metrics of step ${a[k].metrics.iteration} differ`;
  }
  if (a.length !== b.length) return `one took ${a.length} steps, the other ${b.length}`;
  return undefined;
};

function firstDifference(a: StepperState, b: StepperState): string {
  for (let i = 0; i < Math.min(a.theta.length, b.theta.length); i++) if (!Object.is(a.theta[i], b.theta[i])) return ` (θ[${i}]: ${a.theta[i]} vs ${b.theta[i]})`;
  if (!Object.is(a.loss, b.loss)) return ` (loss ${a.loss} vs ${b.loss})`;
  return ' (in extra)';
}

const COUNTED = ['loss', 'gradient', 'hvp', 'gvp', 'statistics'] as const;

export async function checkStepper(plugin: StepperPlugin, setup: StepperCheckSetup, log: PropertyLog): Promise<void> {
  const reg = new PluginRegistry();
  const registered = await log.check('declaration is valid', () => {
    reg.register(plugin);
    return `name, description, ${Object.keys(plugin.hyperparameters).length} hyperparameter(s), ${plugin.stepper ? 'a class' : 'create()'}${plugin.requires?.length ? `, requires ${plugin.requires.join(', ')}` : ''}`;
  });
  if (!registered) return;
  const hp = setup.hyperparameters ?? {};
  const build = (o: Oracle): Stepper => reg.create(plugin.name, o, hp, { kernels: setup.kernels });
  await checkHyperparameters(plugin, reg, setup, log);
  const built = await log.check(`builds on ${setup.describe}`, () => {
    const lacking = (plugin.requires ?? []).filter((c) => !setup.oracle.capabilities.has(c));
    if (lacking.length) {
      throw new Failure(`the stepper requires the oracle capability ${lacking.map((c) => `'${c}'`).join(', ')}, which ${setup.describe} lacks: ` +
        'check it on a problem whose oracle has it (gradflat check --problem NAME --option …; checkPlugin(plugin, { problem: { name, seed, … } }))');
    }
    build(countingOracle(setup.oracle));
    return `with ${Object.keys(hp).length ? JSON.stringify(hp) : 'the default hyperparameters'}`;
  });
  if (!built) return;

  const runs: Trajectory[] = [];
  // The battery compares states by their checkpoint encoding: a state that has none fails the
  // JSON property (what is wrong), not this one, and the comparisons after it cannot be made.
  let notPlain: NotPlainData | undefined;
  const ran = await log.check('θ and its states are not mutated', () => {
    for (const theta0 of setup.starts) {
      const copy = Float64Array.from(theta0);
      let t: Trajectory;
      try {
        t = underOtherClock(0, 1, () => trajectory(build, setup.oracle, theta0, setup.steps));
      } catch (e) {
        if (e instanceof NotPlainData) notPlain = e;
        throw e;
      }
      if (theta0.some((x, i) => !Object.is(x, copy[i]))) throw new Failure('init(θ₀) changed θ₀: copy it (the harness stores θ₀ in starts.json and reuses it for every method)');
      if (t.init.theta === theta0) throw new Failure('init(θ₀) returned a state whose theta IS the array θ₀: copy it (the state must own its arrays)');
      runs.push(t);
    }
    return `${runs.length} start(s) × ${setup.steps} steps: θ₀ and every state handed to step() unchanged`;
  }, (e) => e instanceof NotPlainData);
  if (notPlain) log.fail(JSON_PROPERTY, `${notPlain.message} (the other properties compare states through that encoding: not checked)`);
  if (!ran) return;

  await log.check('arrays the oracle returned are not written to', () => {
    for (const t of runs) {
      const w = t.oracle.writtenBuffer();
      if (w) throw new Failure(`${w}: an oracle may return its own cached arrays; copy before changing one (or pass an out buffer)`);
    }
    return 'every gradient and H·v returned without an out buffer still holds what the oracle returned';
  });

  await log.check('deterministic (same start, same steps; clock and Math.random do not matter)', () => {
    for (const [i, theta0] of setup.starts.entries()) {
      const again = underOtherClock(1e9 + 12345.678, 0x9e3779b9, () => trajectory(build, setup.oracle, theta0, setup.steps));
      const d = same(runs[i].steps, again.steps);
      if (d) throw new Failure(`from start ${i}, a second run on a fresh stepper with another clock and Math.random: ${d}. A step must depend only on the state, the hyperparameters and the oracle (seed any randomness from a hyperparameter and keep the generator's state in the state)`);
    }
    return `${setup.starts.length} start(s) repeated with the clock shifted by 10⁶ s and another Math.random: bit-identical`;
  });

  const k = Math.max(1, Math.floor(setup.steps / 2));
  await log.check(JSON_PROPERTY, () => {
    let resumed = 0;
    for (const [i, t] of runs.entries()) {
      if (t.steps.length <= k) continue;
      let text: string;
      try {
        text = encodeCheckpoint(t.steps[k - 1].state);
      } catch (e) {
        throw new Failure(`the state after step ${k} is not plain data: ${(e as Error).message}`);
      }
      const back = decodeCheckpoint(text) as StepperState;
      const rest = underOtherClock(0, 1, () => trajectory(build, setup.oracle, setup.starts[i], t.steps.length - k, back));
      const d = same(t.steps.slice(k), rest.steps);
      if (d) throw new Failure(`from start ${i}, a fresh stepper resumed from the state after step ${k} (through JSON) differs from the uninterrupted run: ${d}. ` +
        'Keep everything the next step depends on (momentum, step size, trust radius, RNG state) in state.extra, not on the stepper object');
      resumed++;
    }
    return resumed ? `${resumed} run(s) resumed after step ${k} on a fresh stepper: bit-identical to the uninterrupted run` : `no run lasted more than ${k} steps (it halted): nothing to resume`;
  });

  await log.check('work is counted by the harness and states hold the oracle\'s values', () => {
    for (const t of runs) {
      for (const s of t.steps) {
        const self = s.metrics.work;
        if (self && COUNTED.some((c) => (self[c] ?? 0) !== s.work[c])) {
          throw new Failure(`step ${s.metrics.iteration} reports work ${JSON.stringify(self)} but called the oracle ${JSON.stringify(s.work)} times: report nothing (the harness counts) or the calls made`);
        }
        if (s.halted) continue;
        const moved = s.state.theta.some((x, i) => !Object.is(x, (decodeCheckpoint(s.from) as StepperState).theta[i]));
        if (moved && s.work.gradient === 0) {
          throw new Failure(`step ${s.metrics.iteration} moved θ but made no counted gradient call, yet its state has a gradient: the oracle work must go through the oracle the stepper was given`);
        }
        checkValues(setup.oracle, s.state, `after step ${s.metrics.iteration}`);
        if (s.state.iteration !== s.metrics.iteration + 1) throw new Failure(`step ${s.metrics.iteration} returned a state with iteration ${s.state.iteration} (expected ${s.metrics.iteration + 1})`);
      }
    }
    return 'every step\'s loss and gradient match the oracle at its θ; gradients were counted; no self-reported work disagrees';
  });

  await log.check('NaN from the oracle at a new point: passed on or halted, never a throw', () => {
    // The harness hands a step only finite states and stops on a non-finite one, keeping the last
    // finite point (core/run/run-loop.ts). What a step must survive is an oracle that returns NaN
    // away from the current θ (a diverged trial point): pass it on in the state, or halt.
    let current: Float64Array | undefined;
    const inner = setup.oracle;
    const away = (t: Float64Array) => current !== undefined && t.some((x, i) => !Object.is(x, current![i]));
    const nan = (a: Float64Array) => a.fill(NaN);
    const o: Oracle = {
      dim: inner.dim, capabilities: inner.capabilities, counters: inner.counters,
      loss: (t) => (away(t) ? NaN : inner.loss(t)),
      gradient(t, out) {
        const r = inner.gradient(t, out);
        return away(t) ? { loss: NaN, gradient: nan(out ?? Float64Array.from(r.gradient)) } : r;
      },
      hvp: (t, v, out) => (away(t) ? nan(out ?? new Float64Array(inner.dim)) : inner.hvp(t, v, out)),
    };
    if (inner.hessian) o.hessian = (t) => (away(t) ? new Float64Array(inner.dim * inner.dim).fill(NaN) : inner.hessian!(t));
    if (inner.hvpBlock) o.hvpBlock = (t, V, out) => (away(t) ? nan(out ?? new Float64Array(V.length)) : inner.hvpBlock!(t, V, out));
    if (inner.layerStatistics) o.layerStatistics = (t) => inner.layerStatistics!(t).map((l) => (away(t) ? { ...l, A: nan(Float64Array.from(l.A)), G: nan(Float64Array.from(l.G)) } : l));
    if (inner.gaussNewtonProduct) o.gaussNewtonProduct = (t, v, out) => (away(t) ? nan(out ?? new Float64Array(inner.dim)) : inner.gaussNewtonProduct!(t, v, out));
    const stepper = build(countingOracle(o));
    const s0 = stepper.init(Float64Array.from(setup.starts[0]));
    current = Float64Array.from(s0.theta);
    let r: ReturnType<Stepper['step']>;
    try {
      r = stepper.step(s0);
    } catch (e) {
      throw new Failure(`with an oracle returning NaN away from the current θ, step() threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}: pass the NaN on in the state (the harness stops and keeps the last finite point) or halt with a reason`);
    }
    if (r.halted) return `halted: ${r.halted}`;
    const moved = away(r.state.theta);
    if (moved && Number.isFinite(r.state.loss) && Number.isFinite(r.state.gradNormSq)) {
      throw new Failure(`with an oracle returning NaN away from the current θ, step() returned a state at a new θ with finite loss ${r.state.loss} and ‖g‖² ${r.state.gradNormSq}: the state must hold what the oracle returned`);
    }
    return moved ? 'passed the non-finite values on (the harness stops there)' : 'stayed at θ';
  });

  await log.check('dispose', () => {
    const t = runs[0];
    const d = (t.stepper as { dispose?: () => void }).dispose;
    if (typeof d !== 'function') return 'no dispose(): nothing to release';
    d.call(t.stepper);
    if (t.oracle.disposed) throw new Failure('dispose() disposed the oracle: the harness owns the oracle (it outlives the stepper, e.g. for final-point analysis)');
    return 'dispose() ran and left the oracle alone';
  });
}

/** The state's loss and gradient against the oracle at its θ (relative 1e-10: a loss-only pass may round differently). */
function checkValues(oracle: Oracle, s: StepperState, where: string): void {
  const { loss, gradient } = oracle.gradient(s.theta);
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-10 * Math.max(1, Math.abs(a), Math.abs(b));
  if (!close(loss, s.loss)) throw new Failure(`${where}: state.loss = ${s.loss} but the oracle gives ${loss} at state.theta`);
  let nsq = 0;
  for (let i = 0; i < gradient.length; i++) {
    if (!close(gradient[i], s.gradient[i])) throw new Failure(`${where}: state.gradient[${i}] = ${s.gradient[i]} but the oracle gives ${gradient[i]} at state.theta`);
    nsq += gradient[i] * gradient[i];
  }
  if (!close(nsq, s.gradNormSq)) throw new Failure(`${where}: state.gradNormSq = ${s.gradNormSq} but ‖gradient‖² = ${nsq}`);
}

async function checkHyperparameters(plugin: StepperPlugin, reg: PluginRegistry, setup: StepperCheckSetup, log: PropertyLog): Promise<void> {
  await log.check('hyperparameters are validated', () => {
    const schema = plugin.hyperparameters;
    const names = Object.keys(schema);
    for (const [k, spec] of Object.entries(schema)) if (!spec.description?.trim()) throw new Failure(`hyperparameter '${k}' has no description (gradflat plugins lists it)`);
    reg.resolveHyperparameters(plugin.name, {});
    const refuses = (given: Record<string, unknown>, what: string) => {
      try {
        reg.create(plugin.name, countingOracle(setup.oracle), given, { kernels: setup.kernels });
      } catch {
        return;
      }
      throw new Failure(`${what} was accepted`);
    };
    refuses({ notAHyperparameter: 1 }, 'an unknown hyperparameter');
    let bounds = 0;
    for (const [k, spec] of Object.entries(schema)) {
      if ((spec.type === 'number' || spec.type === 'integer') && spec.min !== undefined) { refuses({ [k]: spec.min - 1 }, `${k} = ${spec.min - 1} (below its min ${spec.min})`); bounds++; }
      if ((spec.type === 'number' || spec.type === 'integer') && spec.max !== undefined) { refuses({ [k]: spec.max + 1 }, `${k} = ${spec.max + 1} (above its max ${spec.max})`); bounds++; }
      if (spec.type === 'choice') { refuses({ [k]: '\u0000none' }, `${k} = a value not among its choices`); bounds++; }
    }
    // A factory receives the hyperparameters as an object: reading one it never declared is a bug (undefined, NaN downstream).
    if (plugin.create) {
      const read = new Set<string>();
      const declared = new Set(names);
      const hp = new Proxy(reg.resolveHyperparameters(plugin.name, setup.hyperparameters), {
        get(target, prop, recv) {
          // What every object has (hasOwnProperty, toString, constructor, valueOf) is not a hyperparameter read; nor is a symbol.
          if (typeof prop === 'string' && !declared.has(prop) && !(prop in Object.prototype) && prop !== 'toJSON' && prop !== 'then') read.add(prop);
          return Reflect.get(target, prop, recv);
        },
      });
      const stepper = plugin.create(countingOracle(setup.oracle), hp as never, setup.kernels);
      const s = stepper.init(Float64Array.from(setup.starts[0]));
      stepper.step(s);
      if (read.size) throw new Failure(`create() reads hyperparameter(s) ${[...read].map((r) => `'${r}'`).join(', ')} that its declaration does not have: declare them (with a default)`);
    }
    return `${names.length} declared, defaults valid; an unknown name${bounds ? ` and ${bounds} out-of-range value(s)` : ''} refused`;
  });
}
