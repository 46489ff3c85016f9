/**
 * Weak spots of input and output handling, at the library level (the CLI side, with exit codes, is in
 * cli/weak-inputs.test.ts): validation before any write, damaged run records, a plugin throwing,
 * temporary files, foreign manifests and kernels in a directory's identity.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { exitCodeOf, showValue, UsageError } from '../io/errors.js';
import { readCsvMatrix } from '../data/csv.js';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { PluginRegistry } from '../registry/registry.js';
import { newtonMrPlugin } from '../../plugins/newton-mr/index.js';
import { readSuiteFile } from '../suite/config.js';
import { runExperiment, type ExperimentConfig } from './experiment.js';
import { identityDiff } from './identity-diff.js';
import { readRunRecord } from './record-file.js';
import { openRunDirectory } from './run-directory.js';
import type { StepperState } from '../stepper/stepper.js';
import { registerBuiltinProblems } from '../../builtins.js';

const registry = new PluginRegistry();

registerBuiltinProblems(registry);
registry.register(newtonMrPlugin);
// A stepper that takes gradient steps and throws at step 2 (a buggy user plugin).
registry.register({
  name: 'throws-at-two', description: 'test fixture', hyperparameters: {},
  create: (oracle) => {
    const at = (theta: Float64Array, iteration: number): StepperState => {
      const { loss, gradient } = oracle.gradient(theta);
      const g = Float64Array.from(gradient);
      return { iteration, theta, loss, gradient: g, gradNormSq: g.reduce((s, x) => s + x * x, 0), extra: {} };
    };
    return {
      init: (theta0) => at(Float64Array.from(theta0), 0),
      step(s) {
        if (s.iteration === 2) throw new Error('index out of range in my plugin');
        const work = { loss: 0, gradient: 1, hvp: 0, gvp: 0, statistics: 0 };
        return { state: at(s.theta.map((x, i) => x - 0.01 * s.gradient[i]), s.iteration + 1), metrics: { iteration: s.iteration, loss: s.loss, gradNormSq: s.gradNormSq, alpha: 0.01, directionNorm: 0, stepNorm: 0, work } };
      },
    };
  },
});
const quartic: ExperimentConfig = { problem: { name: 'quartic', seed: 1, grid: 2 }, stepper: 'newton-mr', runs: 1, iterations: 8, seed: 1 };

const scratch = (name: string) => ({ dir: mkdtempSync(join(tmpdir(), `gradflat-${name}-`)) });

/** Every file under `dir`, relative, sorted (dot files included). */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).map(String).sort();
}

test('values are shown as given: Infinity and NaN, not "null"', () => {
  assert.equal(showValue(Infinity), 'Infinity');
  assert.equal(showValue(-Infinity), '-Infinity');
  assert.equal(showValue(NaN), 'NaN');
  assert.equal(showValue('3'), '"3"');
  assert.equal(showValue([1, Infinity]), '[1,"Infinity"]');
  assert.equal(showValue(undefined), 'nothing');
  const s = scratch('inf');
  try {
    assert.throws(() => runExperiment({ ...quartic, iterations: Infinity }, join(s.dir, 'o'), typescriptKernels, { registry }),
      (e: Error) => e instanceof UsageError && /iterations: must be a finite number, got Infinity/.test(e.message));
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test('a failure while setting up a fresh directory leaves nothing behind, so the corrected rerun is not refused', () => {
  const s = scratch('rollback');
  try {
    const out = join(s.dir, 'o');
    // 10 GD steps keep 11 iterates per training run: 1,000 starts cannot be drawn (fails after the manifest would be written).
    const tooMany: ExperimentConfig = { problem: { name: 'linear-ae', seed: 1, samples: 64, starts: { trainings: 1, steps: 10 } }, stepper: 'newton-mr', runs: 1000, iterations: 2, seed: 1 };
    assert.throws(() => runExperiment(tooMany, out, typescriptKernels, { registry }), (e: Error) => exitCodeOf(e) === 2 && /asked for 1000 starting points but training stored only 11/.test(e.message));
    assert.equal(existsSync(out), false, 'the directory this invocation created is removed again');
    // The same in a directory that existed (empty) before: it is left empty.
    mkdirSync(out);
    assert.throws(() => runExperiment(tooMany, out, typescriptKernels, { registry }), /asked for/);
    assert.deepEqual(tree(out), []);
    const ok = runExperiment({ ...tooMany, runs: 2 }, out, typescriptKernels, { registry });
    assert.equal(ok.records.length, 2);
    // A stepper that cannot be built is refused before anything is written.
    const out2 = join(s.dir, 'o2');
    assert.throws(() => runExperiment({ ...quartic, hyperparameters: { rtol: -1 } }, out2, typescriptKernels, { registry }), UsageError);
    assert.equal(existsSync(out2), false);
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test('an empty or cut-short run record counts as unfinished: resume reruns it and gets the same record', () => {
  const s = scratch('damaged');
  try {
    runExperiment(quartic, s.dir, typescriptKernels, { registry });
    // The wall time differs between the two computations, and with it the record's checksum.
    const records = () => [0, 1, 2, 3].map((i) => ({ ...JSON.parse(readFileSync(join(s.dir, 'runs', `run-00${i}.json`), 'utf8')), wallMs: 0, checksum: '' }));
    const first = records();
    const whole = readFileSync(join(s.dir, 'runs', 'run-001.json'), 'utf8');
    writeFileSync(join(s.dir, 'runs', 'run-001.json'), '');
    writeFileSync(join(s.dir, 'runs', 'run-002.json'), whole.slice(0, 100));
    const damaged: string[] = [];
    assert.equal(readRunRecord(join(s.dir, 'runs', 'run-001.json'), (p) => damaged.push(p)), undefined);
    assert.equal(readRunRecord(join(s.dir, 'runs', 'run-002.json'), (p, why) => damaged.push(`${p}: ${why}`)), undefined);
    assert.match(damaged[1], /run-002\.json: not valid JSON/);
    const again = runExperiment(quartic, s.dir, typescriptKernels, { registry });
    assert.equal(again.resumed, 2);
    assert.deepEqual(records(), first);
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test("a plugin's exception under run names the stepper, run and step, and leaves no temporary file", () => {
  const s = scratch('throws');
  try {
    assert.throws(() => runExperiment({ ...quartic, stepper: 'throws-at-two' }, s.dir, typescriptKernels, { registry }), (e: Error) =>
      !(e instanceof UsageError) && /stepper 'throws-at-two' run 0 of 4 failed: step 2 threw: index out of range in my plugin/.test(e.message));
    assert.deepEqual(tree(s.dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock')), []);
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test('an atomic write that fails removes its temporary file', () => {
  const s = scratch('atomic');
  try {
    // Renaming onto a non-empty directory fails after the temporary file was written.
    mkdirSync(join(s.dir, 'target', 'inside'), { recursive: true });
    assert.throws(() => writeFileAtomic(join(s.dir, 'target'), 'data'));
    assert.deepEqual(readdirSync(s.dir), ['target']);
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test('a foreign manifest.json is refused, with or without force, and --force is not suggested', () => {
  const s = scratch('foreign');
  try {
    writeFileSync(join(s.dir, 'manifest.json'), JSON.stringify({ name: 'my web app', icons: [] }));
    for (const force of [false, true]) {
      assert.throws(() => openRunDirectory(s.dir, { kernels: 'typescript' }, {}, force), (e: Error) =>
        e instanceof UsageError && /manifest\.json is not a gradflat manifest/.test(e.message) && !/use --force|or --force/i.test(e.message));
    }
    assert.deepEqual(readdirSync(s.dir), ['manifest.json']);
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test('the kernels are part of a directory identity: resuming with others is refused naming both and how to choose', () => {
  const s = scratch('kernels');
  try {
    const identity = { config: { iterations: 5 }, kernels: 'openblas' };
    assert.equal(openRunDirectory(s.dir, identity, {}, false).resuming, false);
    assert.equal(openRunDirectory(s.dir, identity, {}, false).resuming, true);
    assert.throws(() => openRunDirectory(s.dir, { ...identity, kernels: 'typescript' }, {}, false), (e: Error) =>
      e instanceof UsageError && /computed with the openblas dense kernels, and this invocation uses typescript/.test(e.message) &&
      /--kernels openblas \(or GRADFLAT_KERNELS=openblas\)/.test(e.message));
    // Another change is named too, instead of two bare hashes.
    assert.throws(() => openRunDirectory(s.dir, { ...identity, config: { iterations: 6 } }, {}, false), /different configuration .*config\.iterations: 5 → 6/);
    assert.equal(openRunDirectory(s.dir, { ...identity, kernels: 'typescript' }, {}, true).resuming, false, '--force starts over');
    // A directory made before the kernels joined the identity resumes with the kernels its manifest names.
    const legacy = join(s.dir, 'legacy');
    openRunDirectory(legacy, { config: { iterations: 5 } }, { kernels: 'openblas' }, false);
    assert.equal(openRunDirectory(legacy, identity, {}, false).resuming, true);
    assert.throws(() => openRunDirectory(legacy, { ...identity, kernels: 'typescript' }, {}, false), /computed with the openblas dense kernels/);
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test('identityDiff lists what changed, path by path', () => {
  assert.deepEqual(identityDiff({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 3] }, d: 'x' }), ['b.c[1]: 2 → 3', 'd: nothing → "x"']);
  assert.deepEqual(identityDiff({ a: 1 }, { a: 1 }), []);
});

test('CSV cells must be decimal numbers: hex, binary and octal literals are rejected with file:line', () => {
  const s = scratch('csv');
  try {
    for (const cell of ['0x10', '0b101', '0o7', 'Infinity', '1_000']) {
      const p = join(s.dir, 'd.csv');
      writeFileSync(p, `1.5,2\n3,${cell}\n`);
      assert.throws(() => readCsvMatrix(p), (e: Error) => e instanceof UsageError && e.message === `${p}:2: column 2 is "${cell}", not a finite number`);
    }
    const p = join(s.dir, 'ok.csv');
    writeFileSync(p, '\uFEFF1.5,-2e-3\r\n.5,+3.\n');
    assert.deepEqual(Array.from(readCsvMatrix(p).data), [1.5, -2e-3, 0.5, 3]);
    assert.throws(() => readCsvMatrix(s.dir), (e: Error) => e instanceof UsageError && e.message.includes(`${s.dir} is a directory, give a CSV file`));
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test('an empty suite file is named in the error', () => {
  const s = scratch('suite');
  try {
    for (const [name, text] of [['e.yaml', ''], ['c.yml', '# only a comment\n'], ['e.json', ' \n']]) {
      const p = join(s.dir, name);
      writeFileSync(p, text);
      assert.throws(() => readSuiteFile(p), (e: Error) => e instanceof UsageError && e.message.startsWith(`suite file ${p} is empty`));
    }
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});
