/**
 * Schema of an experiment's config (`gradflat run --config FILE`, flags merged in; the library's
 * `runExperiment`): the same zod builders as suite files, so errors name the field, what is
 * expected and what was given, and unknown fields list the valid ones.
 */
import { INDEX_METHODS } from '../analysis/index-estimate.js';
import { PROBE_SOLVERS } from '../newton/exact-direction.js';
import { arrayField, choiceField, integerField, numberField, objectField, recordField, shown, stringField, z } from '../io/fields.js';
import { problemShape } from '../registry/problem-schema.js';
import { sameTau, SPECTRAL_TAUS } from '../analysis/spectral-flatness.js';

const nonNegative = numberField({ min: 0 });
/** flatRH's default is Infinity (no co-kernel test); a caller may spell it out. */
const nonNegativeOrInfinity = z.custom<number>((v) => v === Infinity || (typeof v === 'number' && Number.isFinite(v) && v >= 0), {
  error: (iss) => (iss.input === undefined ? 'is required' : `must be a number ≥ 0 or Infinity, got ${shown(iss.input)}`),
});

/** τ_flat: a point of the spectral grid (shares are computed there only). */
export const flatTauField = numberField({ min: 0, exclusiveMin: true })
  .refine((t) => SPECTRAL_TAUS.some((x) => sameTau(x, t)), { error: (iss) => `must be one of the spectral grid's τ (1e-10, 1e-9, …, 1), got ${JSON.stringify(iss.input)}` });
/** s_flat in (0, 1]. */
export const flatShareField = numberField({ min: 0, max: 1, exclusiveMin: true });

/** Thresholds of both criteria (core/analysis/flatness.ts). */
export const thresholdsShape = objectField({ critical: nonNegative, flatR: nonNegative, flatRH: nonNegativeOrInfinity, flatTau: flatTauField, flatShare: flatShareField });

/** Budget of the Lanczos flatness bracket beyond the dense limit (core/analysis/spectral-flatness.ts). */
export const flatnessBudgetShape = objectField({ maxSteps: integerField(1), normSteps: integerField(1), memoryBytes: integerField(1) });

export const experimentConfigShape = objectField({
  // The registry names unknown problems itself, with the list of those that exist; the problem's
  // own options are checked against its schema (experiment.ts validate).
  problem: problemShape(stringField),
  stepper: stringField,
  hyperparameters: recordField,
  runs: integerField(1),
  iterations: integerField(0),
  seed: numberField({ integer: true }),
  targetGradNormSq: nonNegative,
  indexCutoff: nonNegative,
  indexMethod: choiceField(INDEX_METHODS),
  thresholds: thresholdsShape,
  flatness: flatnessBudgetShape,
  cutoffs: arrayField(numberField({ min: 0, exclusiveMin: true })),
  probe: objectField({
    rtol: numberField({ min: 0, exclusiveMin: true }), maxit: integerField(1), maxxnorm: numberField({ min: 0, exclusiveMin: true }),
    acondlim: numberField({ min: 0, exclusiveMin: true }), trancond: numberField({ min: 0, exclusiveMin: true }), shift: numberField(),
    solver: choiceField(PROBE_SOLVERS), pinvRcond: nonNegative,
  }),
}, ['problem', 'stepper', 'runs', 'iterations', 'seed']);

export type ValidatedExperimentConfig = z.output<typeof experimentConfigShape>;

/**
 * A config file as far as the CLI reads it before merging flags in: an object whose problem is a
 * name or an object (experimentConfigShape checks every field after the merge).
 */
export const configFileShape = z.looseObject({
  problem: z.union([z.string(), z.record(z.string(), z.unknown())], {
    error: (iss) => `'problem' must be a problem name ("linear-ae") or an object ({"name": "linear-ae", "samples": 2000, ...}), got ${shown(iss.input)}`,
  }).optional(),
}, { error: (iss) => `must hold a JSON object (an ExperimentConfig, see docs/running.md), got ${shown(iss.input)}` });
