/**
 * Schema of a problem's config, shared by run configs (`gradflat run --config`) and suite files.
 * `name`, `seed` and `starts` are gradflat's; every other key is an option of the named problem,
 * checked against that problem's own hyperparameter schema (`problemsOf(registry).resolveOptions`),
 * so a user's problem plugin declares its options exactly as a stepper plugin does.
 */
import { integerField, numberField, objectField, z } from '../io/fields.js';

const positive = numberField({ min: 0, exclusiveMin: true });

export const trainingShape = objectField({
  trainings: integerField(1), steps: integerField(0), learningRate: positive, momentum: numberField({ min: 0, max: 1 }), keepEvery: integerField(1),
});

/** `name` is the problem-name schema (the registry names unknown problems itself, listing those that exist). */
export function problemShape<N extends z.ZodType<string>>(name: N) {
  return z.object(
    { name, seed: numberField({ integer: true }), starts: trainingShape.optional() },
    { error: (iss) => (iss.input === undefined ? 'is required' : `must be an object { name, seed, ...options }, got ${JSON.stringify(iss.input)}`) },
  ).catchall(z.unknown());
}
