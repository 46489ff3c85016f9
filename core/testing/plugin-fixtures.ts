/**
 * A plugin file split into modules, for the tests of what travels with a plugin and what joins
 * its identity: gradient descent whose name and rate come from './helper.mjs'.
 */
export const IMPORTED_RATE_PLUGIN = `import { NAME, RATE } from './helper.mjs';
export default { name: NAME, description: 'gd with an imported rate', hyperparameters: {}, create: (o) => ({
  init(t) { const { loss, gradient } = o.gradient(t); return { iteration: 0, theta: t, loss, gradient, gradNormSq: gradient.reduce((s, x) => s + x * x, 0), extra: {} }; },
  step(s) { const theta = s.theta.map((x, i) => x - RATE * s.gradient[i]); const { loss, gradient } = o.gradient(theta);
    return { state: { iteration: s.iteration + 1, theta, loss, gradient, gradNormSq: gradient.reduce((a, x) => a + x * x, 0), extra: {} },
      metrics: { iteration: s.iteration, loss: s.loss, gradNormSq: s.gradNormSq, alpha: RATE, directionNorm: 0, stepNorm: 0, work: { loss: 0, gradient: 1, hvp: 0, gvp: 0, statistics: 0 } } }; } }) };
`;
