/** [GF] Fig. 2: the two-dimensional quartic, starts on an m×m grid over [−4, 4]². */
import { QuarticOracle, quarticGrid } from './oracle.js';
import type { ProblemPlugin } from '../../core/registry/problems.js';
import { quarticSpec } from './figure.js';
import { replayQuarticTrajectories } from './replay.js';

const CAPTION = 'f on a 50×50 grid (log colour scale), the Newton direction −H⁻¹g as unit arrows on a 17×17 grid, each run\'s iterates — step logs do not store θ, so the trajectories are replayed from the manifest\'s stepper and hyperparameters and checked against the logged losses and the final θ — and the two stationary points of ‖g‖²: the critical point (−3, 0) and the gradient-flat point (√2, 0). As [GF] Fig. 2.';

export const quarticProblem: ProblemPlugin = {
  name: 'quartic',
  description: 'f(x,y) = 0.25x⁴ − 3x² + 9x + 0.9y⁴ + 5y² + 40 ([GF] Fig. 2)',
  options: { grid: { type: 'integer', min: 1, default: 20, description: 'starts on an m×m grid over [−4, 4]² (the run count is ignored)' } },
  infoCoversOptions: true,
  build(o) {
    const m = o.grid as number;
    return { oracle: new QuarticOracle(), info: { grid: m, range: [-4, 4] }, startingPoints: () => quarticGrid(m) };
  },
  sizes(o) {
    const m = o.grid as number;
    return { fixedStarts: { option: 'grid', value: m, count: m * m } };
  },
  reportFigures(dir, ctx) {
    const { trajectories, notes } = replayQuarticTrajectories(dir, ctx.steppers, (i, total) => ctx.progress(`report: replaying quartic runs of ${dir.name}: ${i}/${total}`));
    const figures = trajectories.length === 0 ? [] : [{
      id: 'fig5-quartic', section: 'The quartic', title: 'Quartic: f, Newton directions, trajectories', caption: CAPTION,
      spec: quarticSpec(trajectories, { maxPointsPerRun: ctx.maxPointsPerRun }),
    }];
    return { figures, notes };
  },
};
