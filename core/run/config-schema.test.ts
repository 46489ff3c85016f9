import test from 'node:test';
import assert from 'node:assert/strict';
import { parseField } from '../io/fields.js';
import { experimentConfigShape } from './config-schema.js';

const ok = { problem: { name: 'quartic', seed: 1 }, stepper: 'gd', runs: 2, iterations: 5, seed: 1 };
const check = (c: unknown) => parseField(experimentConfigShape, c);

test('a run config: valid ones pass through; each error names the field, the expectation and the value given', () => {
  assert.deepEqual(check(ok), ok);
  assert.deepEqual(check({ ...ok, thresholds: { flatRH: Infinity } }).thresholds, { flatRH: Infinity }, 'flatRH may spell out its default');
  assert.deepEqual(check({ ...ok, thresholds: { flatTau: 1e-6, flatShare: 1 } }).thresholds, { flatTau: 1e-6, flatShare: 1 });
  assert.deepEqual(check({ ...ok, flatness: { maxSteps: 50, memoryBytes: 2 ** 20 } }).flatness, { maxSteps: 50, memoryBytes: 2 ** 20 });
  const bad: [unknown, RegExp][] = [
    [{ ...ok, itrations: 5 }, /itrations: unknown field\. Valid fields: problem, stepper, hyperparameters, runs, iterations/],
    [{ ...ok, iterations: Infinity }, /iterations: must be a finite number, got Infinity/],
    [{ ...ok, runs: 0 }, /runs: must be ≥ 1, got 0/],
    [{ ...ok, seed: 1.5 }, /seed: must be an integer, got 1\.5/],
    [{ ...ok, problem: 'quartic' }, /problem: must be an object \{ name, seed, \.\.\.options \}, got "quartic"/],
    [{ ...ok, problem: { name: 'quartic' } }, /problem\.seed: is required/],
    [{ ...ok, problem: { ...ok.problem, starts: { steps: -1 } } }, /problem\.starts\.steps: must be ≥ 0, got -1/],
    [{ ...ok, cutoffs: [1e-2, 0] }, /cutoffs\[1\]: must be > 0, got 0/],
    [{ ...ok, thresholds: { flatR: -1 } }, /thresholds\.flatR: must be ≥ 0, got -1/],
    [{ ...ok, thresholds: { flatRH: -Infinity } }, /thresholds\.flatRH: must be a number ≥ 0 or Infinity, got -Infinity/],
    [{ ...ok, thresholds: { flatTau: 2e-4 } }, /thresholds\.flatTau: must be one of the spectral grid's τ/],
    [{ ...ok, thresholds: { flatShare: 0 } }, /thresholds\.flatShare: must be > 0, got 0/],
    [{ ...ok, thresholds: { flatShare: 1.1 } }, /thresholds\.flatShare: must be ≤ 1, got 1\.1/],
    [{ ...ok, flatness: { maxSteps: 0 } }, /flatness\.maxSteps: must be ≥ 1, got 0/],
    [{ ...ok, probe: { rtl: 1 } }, /probe\.rtl: unknown field\. Valid fields of probe: rtol, maxit/],
  ];
  for (const [c, re] of bad) assert.throws(() => check(c), re);
});
