/**
 * Bounds on every size a user gives (grid, samples, runs, iterations, training steps), checked
 * before any work: `--grid 100000` ran 34 s and then died of a V8 heap abort, `--samples 1e15`
 * of "Invalid typed array length". Each check estimates the bytes the value would
 * need and refuses it, naming the flag (or config field) and that estimate, when it exceeds
 *   - JavaScript heap (records, starting points, JSON): half of V8's heap limit;
 *   - memory outside the heap (the data as Float64Arrays): half of os.totalmem();
 *   - disk (step logs): the free space where the output goes.
 * The per-item costs are measured upper bounds (see the constants), not exact.
 */
import { existsSync, statfsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import type { ProblemConfig, ProblemRegistry, ProblemSizes } from '../registry/problems.js';
import { UsageError } from '../io/errors.js';

/** Heap per finished run kept in memory (record, summary row): 2.4 KB measured on the quartic; with margin. */
export const RUN_HEAP_BYTES = 4096;
/** Heap per parameter of a start or final point held as JS numbers and JSON text. */
export const PARAMETER_HEAP_BYTES = 48;
/** One step-log line: 450–470 bytes measured (quartic and linear-ae, Newton-MR). */
export const STEP_LOG_BYTES = 500;
/** Copies of the data a problem holds (inputs, worker slices, CSV text, margin). */
const DATA_COPIES = 4;
/** Share of each pool a single experiment may plan to use. */
export const MEMORY_FRACTION = 0.5;

export function formatBytes(b: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let i = 0;
  while (b >= 1000 && i < units.length - 1) { b /= 1000; i++; }
  return `${b >= 100 || i === 0 ? b.toFixed(0) : b.toPrecision(3)} ${units[i]}`;
}

export function sizeBudgets(): { heap: number; memory: number } {
  return { heap: MEMORY_FRACTION * getHeapStatistics().heap_size_limit, memory: MEMORY_FRACTION * totalmem() };
}

function refuse(name: string, value: number, bytes: number, what: string, limit: string): never {
  throw new UsageError(`${name} ${value} is too large: ${what} would need about ${formatBytes(bytes)}, more than ${limit}. Use a smaller ${name}.`);
}

function checkHeap(name: string, value: number, bytes: number, what: string): void {
  const { heap } = sizeBudgets();
  if (!(bytes <= heap)) refuse(name, value, bytes, what, `this process may use (${formatBytes(heap)}: half of the JavaScript heap limit; raise it with NODE_OPTIONS=--max-old-space-size=MB)`);
}

/** What the flags are called where the numbers came from (`gradflat run` flags or suite-file fields). */
export interface SizeNames {
  runs: string;
  iterations: string;
  trainSteps: string;
  /** A problem option. */
  option(name: string): string;
}
/** `gradflat run` has flags of its own for two problem options; the rest go through --option. */
export const RUN_FLAGS: SizeNames = {
  runs: '--runs', iterations: '--iterations', trainSteps: '--train-steps',
  option: (o) => (o === 'samples' || o === 'grid' ? `--${o}` : `--option ${o}`),
};
export const SUITE_FIELDS: SizeNames = { runs: 'starts.count', iterations: 'iterations', trainSteps: 'problem.starts.steps', option: (o) => `problem.${o}` };

/**
 * Before the problem is built: what its `sizes` declares (the data; starts fixed by an option, as
 * the quartic's grid), for options already checked by the caller. Returns the sizes.
 */
export function checkProblemSize(given: Pick<ProblemConfig, 'name'> & { [option: string]: unknown }, names: SizeNames, problems: ProblemRegistry): ProblemSizes {
  if (!problems.has(given.name)) return {}; // unknown: the option check names it
  const sizes = problems.get(given.name).sizes?.(problems.resolveOptions(given)) ?? {};
  const { data, fixedStarts } = sizes;
  if (data) {
    const { memory } = sizeBudgets();
    const bytes = data.samples * data.valuesPerSample * 8 * DATA_COPIES;
    if (!(bytes <= memory)) {
      refuse(names.option(data.option), data.samples, bytes, `the data (${data.valuesPerSample} float64 values per sample, about ${DATA_COPIES} copies)`,
        `half of this machine's memory (${formatBytes(memory)})`);
    }
  }
  if (fixedStarts) {
    const { option, value, count } = fixedStarts;
    checkHeap(names.option(option), value, count * (RUN_HEAP_BYTES + 4 * PARAMETER_HEAP_BYTES), `${count.toExponential(2)} runs (${option}²) kept in memory`);
  }
  return sizes;
}

/**
 * After the problem is built (its dimension known), before the directory is written: the runs
 * and their points in memory, the training trajectories that supply starts, and the step logs on disk.
 */
export function checkRunSize(
  s: {
    /** Starting points; runs to do (a suite: starts × methods, plus the finder's); the largest iteration count; their sum over runs. */
    runs: number; tasks: number; dim: number; iterations: number; totalSteps: number; out: string;
    training?: { trainings: number; steps: number; keepEvery: number };
  },
  names: SizeNames, runsName = names.runs, runsValue = s.runs,
): void {
  checkHeap(runsName, runsValue, s.tasks * (RUN_HEAP_BYTES + 2 * s.dim * PARAMETER_HEAP_BYTES) + s.runs * s.dim * PARAMETER_HEAP_BYTES,
    `${s.tasks} run(s) of ${s.dim} parameters kept in memory`);
  if (s.training) {
    const kept = s.training.trainings * (Math.floor(s.training.steps / Math.max(1, s.training.keepEvery)) + 1);
    checkHeap(names.trainSteps, s.training.steps, kept * s.dim * 8 + kept * 64, `${kept} kept training iterates of ${s.dim} parameters`);
  }
  const logBytes = (s.totalSteps + 2 * s.tasks) * STEP_LOG_BYTES;
  const free = freeDiskBytes(s.out);
  if (free !== undefined && !(logBytes <= free)) {
    refuse(names.iterations, s.iterations, logBytes, `the step logs of ${s.tasks} run(s) (about ${STEP_LOG_BYTES} bytes a step)`,
      `the free space where ${s.out} goes (${formatBytes(free)})`);
  }
}

/** Free bytes on the file system that holds (or will hold) `path`; undefined when unknown. */
function freeDiskBytes(path: string): number | undefined {
  let p = resolve(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  try {
    const s = statfsSync(p);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}
