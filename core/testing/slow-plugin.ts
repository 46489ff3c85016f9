/** Test fixture: a plugin file's source. */

/**
 * Heavy-ball GD that sleeps 2 ms a step (so that a run lasts long enough to be killed), with its
 * velocity (a Float64Array) in the state: a user's plugin, checkpointed like the built-ins.
 */
export const SLOW_GD = `
const sleep = new Int32Array(new SharedArrayBuffer(4));
export default {
  name: 'slow-gd', description: 'heavy-ball GD, 2 ms a step', hyperparameters: {},
  create: (oracle) => ({
    init(theta) {
      const { loss, gradient } = oracle.gradient(theta);
      return { iteration: 0, theta, loss, gradient: Float64Array.from(gradient), gradNormSq: gradient.reduce((s, x) => s + x * x, 0), extra: { velocity: new Float64Array(theta.length) } };
    },
    step(s) {
      Atomics.wait(sleep, 0, 0, 2);
      const v = s.extra.velocity.map((x, i) => 0.9 * x - 1e-3 * s.gradient[i]);
      const theta = s.theta.map((x, i) => x + v[i]);
      const { loss, gradient } = oracle.gradient(theta);
      const stepNorm = Math.hypot(...v);
      return {
        state: { iteration: s.iteration + 1, theta, loss, gradient: Float64Array.from(gradient), gradNormSq: gradient.reduce((a, x) => a + x * x, 0), extra: { velocity: v } },
        metrics: { iteration: s.iteration, loss: s.loss, gradNormSq: s.gradNormSq, alpha: 1, directionNorm: stepNorm, stepNorm, work: { loss: 0, gradient: 1, hvp: 0, gvp: 0, statistics: 0 } },
      };
    },
  }),
};
`;
