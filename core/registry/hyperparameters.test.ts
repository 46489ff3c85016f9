import test from 'node:test';
import assert from 'node:assert/strict';
import { hyperparameterSchema, validateHyperparameters, type HyperparameterSchema, type HyperparametersOf } from './hyperparameters.js';
import { PluginRegistry } from './registry.js';

const schema: HyperparameterSchema = {
  lr: { type: 'number', default: 0.1, min: 0, exclusiveMin: true, max: 1, description: 'step' },
  maxit: { type: 'integer', default: null, min: 1, description: 'iterations', nullMeans: 'n' },
  steps: { type: 'integer', default: 3, min: 0, max: 10, description: 'count' },
  nesterov: { type: 'boolean', default: false, description: 'flag' },
  variant: { type: 'choice', default: 'a', choices: ['a', 'b'], description: 'which' },
};
const v = (given: Record<string, unknown> | undefined) => validateHyperparameters(schema, given, "stepper 'x'");

test('defaults are filled; CLI strings become numbers and booleans; null means automatic where declared', () => {
  assert.deepEqual(v(undefined), { lr: 0.1, maxit: null, steps: 3, nesterov: false, variant: 'a' });
  assert.deepEqual(v({ lr: '1e-3', maxit: '7', nesterov: 'true', variant: 'b' }), { lr: 1e-3, maxit: 7, steps: 3, nesterov: true, variant: 'b' });
  assert.deepEqual(v({ maxit: null, steps: 0 }), { lr: 0.1, maxit: null, steps: 0, nesterov: false, variant: 'a' });
});

test('each error names the plugin, the hyperparameter, what is allowed and what was given', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ rate: 1 }, /: stepper 'x': unknown hyperparameter 'rate'\. Known: lr, maxit, steps, nesterov, variant$/],
    [{ lr: 0 }, /: stepper 'x': hyperparameter 'lr' must be > 0, got 0$/],
    [{ lr: 2 }, /: stepper 'x': hyperparameter 'lr' must be ≤ 1, got 2$/],
    [{ lr: 'fast' }, /: stepper 'x': hyperparameter 'lr' must be a finite number, got "fast"$/],
    [{ lr: Infinity }, /hyperparameter 'lr' must be a finite number, got Infinity$/],
    [{ steps: 1.5 }, /hyperparameter 'steps' must be an integer, got 1\.5$/],
    [{ steps: null }, /hyperparameter 'steps' must be a finite number, got null$/],
    [{ nesterov: 'yes' }, /hyperparameter 'nesterov' must be true or false, got "yes"$/],
    [{ variant: 'c' }, /hyperparameter 'variant' must be one of a, b, got "c"$/],
  ];
  for (const [given, re] of bad) assert.throws(() => v(given), re, JSON.stringify(given));
});

test('a malformed declaration is refused when the plugin registers, naming plugin and hyperparameter', () => {
  const reg = new PluginRegistry();
  const plugin = (hyperparameters: unknown) => ({ name: 'p', description: '', hyperparameters, create: () => ({ init: () => { throw new Error(); }, step: () => { throw new Error(); } }) }) as never;
  assert.throws(() => reg.register(plugin({ lr: { type: 'float', default: 1, description: '' } })), /plugin 'p': hyperparameter 'lr': unknown type "float" \(use 'number', 'integer', 'boolean', 'choice', 'string', 'file' or 'numbers'\)/);
  assert.throws(() => reg.register(plugin({ v: { type: 'choice', default: 'a', choices: [], description: '' } })), /plugin 'p': hyperparameter 'v': a 'choice' needs a non-empty 'choices' list/);
  assert.equal(reg.has('p'), false);
});

test('a declaration types what validation returns: HyperparametersOf maps each spec to its value type', () => {
  const declared = hyperparameterSchema({
    rtol: { type: 'number', default: 1e-10, description: 'tolerance' },
    maxit: { type: 'integer', default: null, description: 'limit' },
    every: { type: 'integer', default: 2, description: 'period' },
    forcing: { type: 'choice', default: 'none', choices: ['none', 'gradient'], description: 'rule' },
    widths: { type: 'numbers', default: [4], description: 'layers' },
    data: { type: 'file', default: null, description: 'path' },
  });
  const hp = validateHyperparameters(declared, { maxit: 5 }, "stepper 'x'");
  // Compile-time: each line fails to type-check if the mapping is wrong.
  const typed: { rtol: number; maxit: number | null; every: number; forcing: 'none' | 'gradient'; widths: readonly number[]; data: string | null } = hp;
  const exact: HyperparametersOf<typeof declared> = typed;
  assert.deepEqual(exact, { rtol: 1e-10, maxit: 5, every: 2, forcing: 'none', widths: [4], data: null });
});
