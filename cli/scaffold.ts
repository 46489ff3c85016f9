/**
 * `gradflat new stepper NAME` / `gradflat new problem NAME`: a TypeScript package with a working
 * minimal plugin, gradflat as a peer dependency, a test that runs the conformance check
 * (checkPlugin), and a README. Its package.json's `gradflat` field names the compiled module,
 * so `--plugin NAME` (once installed) and `gradflat check .` (in the folder) find it.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../core/io/errors.js';
import { runningPackage } from '../core/registry/self-resolve.js';

export type ScaffoldKind = 'stepper' | 'problem';

const NAME = /^[a-z][a-z0-9-]*$/;

/** Writes the package into `dir` (default ./NAME); returns the folder and the files written (relative). */
export function scaffold(kind: ScaffoldKind, name: string, gradflatVersion: string, dir?: string): { dir: string; files: string[] } {
  if (!NAME.test(name)) throw new UsageError(`'${name}' is not a valid plugin name: use lowercase letters, digits and dashes, starting with a letter (it names the ${kind} and the package)`);
  const out = resolve(dir ?? name);
  if (existsSync(out) && readdirSync(out).length > 0) throw new UsageError(`${out} exists and is not empty: give another NAME or --dir`);
  const files: Record<string, string> = {
    'package.json': packageJson(name, kind, gradflatVersion, runningPackage()?.root),
    'tsconfig.json': TSCONFIG,
    '.gitignore': 'node_modules/\ndist/\n',
    'src/index.ts': kind === 'stepper' ? stepperSource(name) : problemSource(name),
    'src/index.test.ts': testSource(kind, name),
    'README.md': readme(kind, name),
  };
  for (const [rel, text] of Object.entries(files)) {
    const path = join(out, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
  }
  return { dir: out, files: Object.keys(files) };
}

/**
 * `local`: the folder of the gradflat that runs `gradflat new`. The package develops against it
 * (devDependency `file:` — `npm install` links it rather than fetching gradflat, whether or not
 * a gradflat is published; typescript and @types/node still come from the registry or npm's
 * cache); the peer range says which gradflat versions it accepts once installed elsewhere.
 */
function packageJson(name: string, kind: ScaffoldKind, version: string, local?: string): string {
  const range = /^\d+\.\d+\.\d+/.test(version) ? `^${version}` : '*';
  return JSON.stringify({
    name,
    version: '0.1.0',
    description: `A gradflat ${kind} plugin`,
    type: 'module',
    main: 'dist/index.js',
    types: 'dist/index.d.ts',
    exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
    // The module whose exports gradflat registers (--plugin NAME, a suite's plugins: [NAME]).
    gradflat: './dist/index.js',
    files: ['dist', 'README.md'],
    keywords: ['gradflat', 'gradflat-plugin', kind],
    scripts: {
      build: 'tsc -p tsconfig.json',
      test: 'tsc -p tsconfig.json && node --test dist/index.test.js',
      check: 'tsc -p tsconfig.json && gradflat check .',
      prepare: 'tsc -p tsconfig.json',
    },
    // A peer: the plugin registers into the gradflat that loads it, never into a copy of its own.
    peerDependencies: { gradflat: range },
    devDependencies: { gradflat: local ? `file:${local}` : range, typescript: '^5.9.3', '@types/node': '^20.19.0' },
    engines: { node: '>=20.6' },
    license: 'MIT',
  }, null, 2) + '\n';
}

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: ['node'],
    outDir: 'dist', rootDir: 'src', strict: true, declaration: true, sourceMap: true, skipLibCheck: true,
  },
  include: ['src/**/*.ts'],
}, null, 2) + '\n';

const stepperSource = (name: string) => `/**
 * ${name}: gradient descent with heavy-ball momentum (Polyak 1964),
 *   v ← μv − lr·g,  θ ← θ + v,
 * as a gradflat stepper. Everything the next step needs (v) lives in the state, so a run
 * resumes bit-identically from a checkpoint; the harness counts the oracle calls itself.
 */
import type { Oracle, Stepper, StepperPlugin, StepperState, StepResult } from 'gradflat';

interface State extends StepperState {
  readonly extra: { velocity: Float64Array };
}

/** The state at θ (which the state owns): loss and gradient from the oracle. */
function stateAt(oracle: Oracle, theta: Float64Array, iteration: number, velocity: Float64Array): State {
  const { loss, gradient } = oracle.gradient(theta, new Float64Array(theta.length));
  let gradNormSq = 0;
  for (const g of gradient) gradNormSq += g * g;
  return { iteration, theta, loss, gradient, gradNormSq, extra: { velocity } };
}

const hyperparameters = {
  learningRate: { type: 'number', default: 0.01, min: 0, exclusiveMin: true, description: 'step size lr' },
  momentum: { type: 'number', default: 0.9, min: 0, max: 1, exclusiveMax: true, description: 'heavy-ball μ (0: plain gradient descent)' },
} as const;

const plugin: StepperPlugin<typeof hyperparameters> = {
  name: '${name}',
  description: 'gradient descent with heavy-ball momentum',
  hyperparameters,
  create(oracle, hp): Stepper<State> {
    const lr = hp.learningRate, mu = hp.momentum;
    return {
      init: (theta0) => stateAt(oracle, Float64Array.from(theta0), 0, new Float64Array(theta0.length)),
      step(s): StepResult<State> {
        const n = s.theta.length;
        // New arrays: the state handed in stays as it was (the harness keeps it).
        const v = new Float64Array(n), theta = new Float64Array(n);
        let stepSq = 0;
        for (let i = 0; i < n; i++) {
          v[i] = mu * s.extra.velocity[i] - lr * s.gradient[i];
          theta[i] = s.theta[i] + v[i];
          stepSq += v[i] * v[i];
        }
        return {
          state: stateAt(oracle, theta, s.iteration + 1, v),
          metrics: { iteration: s.iteration, loss: s.loss, gradNormSq: s.gradNormSq, alpha: lr, directionNorm: Math.sqrt(s.gradNormSq), stepNorm: Math.sqrt(stepSq) },
        };
      },
    };
  },
};

export default plugin;
`;

const problemSource = (name: string) => `/**
 * ${name}: the Rosenbrock function in n dimensions,
 *   f(θ) = Σᵢ [a(θᵢ₊₁ − θᵢ²)² + (1 − θᵢ)²],
 * as a gradflat problem: loss, gradient and exact Hessian-vector products, with seeded starts.
 */
import { functionOracle, type ProblemPlugin } from 'gradflat';

function loss(a: number, t: Float64Array): number {
  let f = 0;
  for (let i = 0; i + 1 < t.length; i++) f += a * (t[i + 1] - t[i] ** 2) ** 2 + (1 - t[i]) ** 2;
  return f;
}

function gradient(a: number, t: Float64Array): Float64Array {
  const g = new Float64Array(t.length);
  for (let i = 0; i + 1 < t.length; i++) {
    const r = t[i + 1] - t[i] ** 2;
    g[i] += -4 * a * t[i] * r - 2 * (1 - t[i]);
    g[i + 1] += 2 * a * r;
  }
  return g;
}

/** H·v, H the exact Hessian: each term couples θᵢ and θᵢ₊₁ only. */
function hvp(a: number, t: Float64Array, v: Float64Array): Float64Array {
  const out = new Float64Array(t.length);
  for (let i = 0; i + 1 < t.length; i++) {
    const hii = 12 * a * t[i] ** 2 - 4 * a * t[i + 1] + 2, hij = -4 * a * t[i], hjj = 2 * a;
    out[i] += hii * v[i] + hij * v[i + 1];
    out[i + 1] += hij * v[i] + hjj * v[i + 1];
  }
  return out;
}

const plugin: ProblemPlugin = {
  name: '${name}',
  description: 'the n-dimensional Rosenbrock function (a minimum at θ = 1, saddles for n ≥ 4)',
  options: {
    n: { type: 'integer', default: 4, min: 2, description: 'dimension' },
    a: { type: 'number', default: 100, min: 0, exclusiveMin: true, description: 'valley steepness' },
  },
  build(options) {
    const n = options.n as number, a = options.a as number;
    return {
      oracle: functionOracle({
        dim: n,
        loss: (t) => loss(a, t),
        gradient: (t) => ({ loss: loss(a, t), gradient: gradient(a, t) }),
        hvp: (t, v) => hvp(a, t, v),
      }),
      info: { n, a },
      // Deterministic: drawn from the rng gradflat gives (seeded by the config).
      startingPoints: (count, rng) => Array.from({ length: count }, () => Float64Array.from({ length: n }, () => rng.normal())),
    };
  },
};

export default plugin;
`;

const testSource = (kind: ScaffoldKind, name: string) => `import test from 'node:test';
import assert from 'node:assert/strict';
import { checkPlugin } from 'gradflat';
import plugin from './index.js';

test('${name} passes gradflat\\'s conformance check', async () => {
  const report = await checkPlugin(plugin${kind === 'problem' ? ", { problemOptions: { n: 4 } }" : ''});
  assert.ok(report.passed, report.text);
});
`;

const readme = (kind: ScaffoldKind, name: string) => `# ${name}

A [gradflat](https://www.npmjs.com/package/gradflat) ${kind} plugin${kind === 'stepper' ? ': gradient descent with heavy-ball momentum' : ': the n-dimensional Rosenbrock function'}.

\`\`\`sh
npm install
npm test            # compiles, then runs gradflat's conformance check on the plugin (checkPlugin)
npx gradflat check . # the same check from the command line, with its report
\`\`\`

Use it from gradflat${kind === 'stepper' ? '' : ' (its options: `gradflat problems --plugin .`)'}:

\`\`\`sh
${kind === 'stepper'
    ? `gradflat run --plugin . --stepper ${name} --problem quartic --out runs/${name}`
    : `gradflat run --plugin . --problem ${name} --option n=6 --stepper newton-mr --out runs/${name}`}
\`\`\`

Once published (\`npm publish\`) or installed beside a suite file, a suite names it by package name:
\`plugins: [${name}]\`. gradflat is a peer dependency: the plugin registers into the gradflat
that loads it. Writing, checking and packaging plugins: gradflat's docs/plugins.md.
`;
