/** [GF] Fig. 2: the two-dimensional quartic, starts on an m×m grid over [−4, 4]². */
import { QuarticOracle, quarticGrid } from './oracle.js';
import type { ProblemPlugin } from '../../core/registry/problems.js';

export const quarticProblem: ProblemPlugin = {
  name: 'quartic',
  description: 'f(x,y) = 0.25x⁴ − 3x² + 9x + 0.9y⁴ + 5y² + 40 ([GF] Fig. 2)',
  options: { grid: { type: 'integer', min: 1, default: 20, description: 'starts on an m×m grid over [−4, 4]² (the run count is ignored)' } },
  build(o) {
    const m = o.grid as number;
    return { oracle: new QuarticOracle(), info: { grid: m, range: [-4, 4] }, startingPoints: () => quarticGrid(m) };
  },
};
