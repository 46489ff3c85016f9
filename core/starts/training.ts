/**
 * Full-batch training runs whose trajectories supply starting points ([GF] appendix A):
 * gradient descent (lr 0.1, Fig. 1) or heavy-ball momentum 0.9 (lr 0.1, Figs. 3–5). Every
 * `keepEvery`-th iterate is stored with its loss; non-finite iterates end that training run.
 */
import type { Oracle } from '../oracle/oracle.js';

export interface TrainingSettings {
  learningRate: number;
  /** 0 = plain gradient descent; heavy-ball v ← μv − lr·g, θ ← θ + v otherwise. */
  momentum: number;
  steps: number;
  keepEvery: number;
}

export interface Trajectory {
  thetas: Float64Array[];
  losses: number[];
}

export function trainTrajectory(oracle: Oracle, theta0: Float64Array, s: TrainingSettings, into: Trajectory = { thetas: [], losses: [] }): Trajectory {
  const theta = Float64Array.from(theta0);
  const v = new Float64Array(theta.length);
  const g = new Float64Array(theta.length);
  for (let t = 0; t <= s.steps; t++) {
    const { loss } = oracle.gradient(theta, g);
    if (!Number.isFinite(loss)) break;
    if (t % s.keepEvery === 0) {
      into.thetas.push(Float64Array.from(theta));
      into.losses.push(loss);
    }
    if (t === s.steps) break;
    for (let i = 0; i < theta.length; i++) {
      v[i] = s.momentum * v[i] - s.learningRate * g[i];
      theta[i] += v[i];
    }
  }
  return into;
}
