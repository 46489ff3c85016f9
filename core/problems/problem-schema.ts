/**
 * Schema of a problem's config, shared by run configs (`gradflat run --config`) and suite files.
 * Ranges here are the type-level ones; what depends on the problem (a data file only for the
 * Gaussian autoencoders, MNIST's image count) is checked when the problem is built.
 */
import { choiceField, integerField, numberField, objectField, stringField, z } from '../io/fields.js';
import { ENGINES } from './engine.js';

const positive = numberField({ min: 0, exclusiveMin: true });

export const trainingShape = objectField({
  trainings: integerField(1), steps: integerField(0), learningRate: positive, momentum: numberField({ min: 0, max: 1 }), keepEvery: integerField(1),
});

/** `name` is the problem-name schema: a fixed list in suites, checked by the catalog in run configs. */
export function problemShape<N extends z.ZodType<string>>(name: N) {
  return objectField({
    name, seed: numberField({ integer: true }), samples: integerField(1), l2: numberField({ min: 0 }),
    outputActivation: choiceField(['identity', 'swish', 'tanh'] as const), dataFile: stringField, grid: integerField(1), starts: trainingShape,
    engine: choiceField(ENGINES),
  }, ['name', 'seed']);
}
