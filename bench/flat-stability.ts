/**
 * How local is a gradient-flat reading? For each flat start of a suite directory, moves θ by a
 * random relative distance ε (‖Δθ‖ = ε‖θ‖, a few seeded directions) and measures r again with
 * the finder's MINRES-QLP settings. Prints r's median and range per ε.
 *   node dist/bench/flat-stability.js runs/swish-h2h-quick [directions]
 */
import '../core/di.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newtonDirection, REFERENCE_SOLVER_SETTINGS } from '../core/newton/direction.js';
import { selectKernels } from '../core/linalg/select-kernels.js';
import { norm2 } from '../core/linalg/vector.js';
import { buildProblem } from '../core/registry/catalog.js';
import { Rng } from '../core/random/rng.js';
import type { ResolvedSuite } from '../core/suite/config.js';
import type { FlatStart } from '../core/suite/flat-starts.js';
import { quartiles } from '../core/suite/summarize.js';

const dir = process.argv[2];
const directions = Number(process.argv[3] ?? 3);
if (!dir || !existsSync(join(dir, 'flat-starts.json'))) {
  process.stderr.write('usage: node dist/bench/flat-stability.js SUITE_DIR [directions] (a flat-start suite directory with flat-starts.json)\n');
  process.exit(2);
}
const suite = (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { identity: { suite: ResolvedSuite } }).identity.suite;
const flat = JSON.parse(readFileSync(join(dir, 'flat-starts.json'), 'utf8')) as FlatStart[];
const problem = buildProblem(suite.problem, selectKernels());
const oracle = problem.oracle;
const hp = suite.starts.flat!.finder.hyperparameters;
const solve = { ...REFERENCE_SOLVER_SETTINGS, rtol: hp.rtol as number, maxit: (hp.maxit as number | null) ?? oracle.dim };
const rng = new Rng(suite.seed).fork(77);
const rAt = (theta: Float64Array) => newtonDirection(oracle, theta, oracle.gradient(theta).gradient, solve).metrics.r_solverA;

process.stdout.write(`${dir}: ${flat.length} flat starts, r with MINRES-QLP rtol ${solve.rtol}, ${directions} random directions per start and ε\n`);
process.stdout.write('ε (‖Δθ‖/‖θ‖)   r median   [min, max]        share r > 0.9\n');
for (const eps of [0, 1e-10, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4]) {
  const rs: number[] = [];
  for (const s of flat) {
    const theta0 = Float64Array.from(s.theta);
    const scale = eps * norm2(theta0);
    for (let k = 0; k < (eps === 0 ? 1 : directions); k++) {
      const d = Float64Array.from(theta0, () => rng.normal());
      const f = scale / norm2(d);
      rs.push(rAt(theta0.map((x, i) => x + f * d[i])));
    }
  }
  const q = quartiles(rs)!;
  const share = rs.filter((r) => r > 0.9).length / rs.length;
  process.stdout.write(`${eps.toExponential(0).padEnd(16)}${q.median.toFixed(3).padEnd(11)}[${q.min.toFixed(3)}, ${q.max.toFixed(3)}]    ${(100 * share).toFixed(0)}%\n`);
}
oracle.dispose?.();
