/** Built-in problems, registered through the public problem-plugin API like any user problem. */
import type { ProblemRegistry } from '../core/registry/problems.js';
import { linearAeProblem } from './linear-ae/index.js';
import { mnistAeProblem } from './mnist-ae/index.js';
import { mnistClassifierProblem } from './mnist-classifier/index.js';
import { mnistMemorizeProblem } from './mnist-memorize/index.js';
import { mnistMlpProblem } from './mnist-mlp/index.js';
import { quarticProblem } from './quartic/index.js';
import { swishAeProblem } from './swish-ae/index.js';

/** In the order of the paper's figures, then the large problem. */
export const builtinProblems = [quarticProblem, linearAeProblem, swishAeProblem, mnistAeProblem, mnistClassifierProblem, mnistMemorizeProblem, mnistMlpProblem];

/** Idempotent: a name already registered (a built-in, or a user's problem of that name) is left alone. */
export function registerBuiltinProblems(target: ProblemRegistry): ProblemRegistry {
  for (const p of builtinProblems) if (!target.has(p.name)) target.register(p);
  return target;
}
