import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  activationDerivative, activationSecondDerivative, activationValue, layerLayout, parameterCount,
  resolveMlpSpec, sigmoid, type MlpSpec,
} from './architecture.js';
import { initMlpParameters, seededNormal } from './init.js';

const base: MlpSpec = { layers: [16, 4, 16], hiddenActivation: 'identity', biases: false, loss: 'mse', l2: 0 };

test('parameter counts of the paper networks', () => {
  assert.equal(parameterCount({ ...base, layers: [16, 4, 16] }), 128);
  assert.equal(parameterCount({ ...base, layers: [16, 16, 4, 16], hiddenActivation: 'swish' }), 384);
  assert.equal(parameterCount({ ...base, layers: [16, 8, 16, 16], hiddenActivation: 'swish', biases: true }), 552);
  assert.equal(parameterCount({ ...base, layers: [16, 12, 8, 10], hiddenActivation: 'swish', biases: true, loss: 'softmax-cross-entropy' }), 398);
  assert.equal(parameterCount({ ...base, layers: [32, 32, 4, 2], hiddenActivation: 'swish', loss: 'softmax-cross-entropy' }), 1160);
});

test('flat layout: W_l (out×in) then b_l, layer by layer', () => {
  const lay = layerLayout({ ...base, layers: [3, 2, 4], biases: true, hiddenActivation: 'tanh', outputActivation: 'swish' });
  assert.deepEqual(lay.map((l) => [l.weightOffset, l.biasOffset, l.inputs, l.outputs, l.activation]), [
    [0, 6, 3, 2, 'tanh'],
    [8, 16, 2, 4, 'swish'],
  ]);
  const noB = layerLayout({ ...base, layers: [3, 2, 4] });
  assert.deepEqual(noB.map((l) => [l.weightOffset, l.biasOffset, l.activation]), [[0, -1, 'identity'], [6, -1, 'identity']]);
});

test('spec validation names the field and what is allowed', () => {
  assert.throws(() => resolveMlpSpec({ ...base, layers: [16] }), /'layers'.*at least two/);
  assert.throws(() => resolveMlpSpec({ ...base, layers: [16, 0, 16] }), /'layers\[1\]'.*positive integer/);
  assert.throws(() => resolveMlpSpec({ ...base, layers: [16, 2.5, 16] }), /'layers\[1\]'/);
  assert.throws(() => resolveMlpSpec({ ...base, hiddenActivation: 'gelu' as never }), /'hiddenActivation'.*'identity', 'swish', 'tanh', 'relu'/);
  assert.throws(() => resolveMlpSpec({ ...base, outputActivation: 'relu' as never }), /'outputActivation'.*'identity', 'swish', 'tanh'/);
  assert.throws(() => resolveMlpSpec({ ...base, biases: 1 as never }), /'biases'/);
  assert.throws(() => resolveMlpSpec({ ...base, loss: 'mae' as never }), /'loss'.*'mse', 'softmax-cross-entropy'/);
  assert.throws(() => resolveMlpSpec({ ...base, l2: -1 }), /'l2'.*λ ≥ 0/);
  assert.throws(() => resolveMlpSpec({ ...base, l2: NaN }), /'l2'/);
  assert.throws(() => resolveMlpSpec({ ...base, layers: [4, 1], loss: 'softmax-cross-entropy' }), /at least 2 output units/);
  const r = resolveMlpSpec(base);
  assert.equal(r.outputActivation, 'identity');
  assert.equal(r.smooth, true);
  assert.deepEqual(r.warnings, []);
});

test('ReLU is allowed but flagged as non-smooth', () => {
  const r = resolveMlpSpec({ ...base, hiddenActivation: 'relu' });
  assert.equal(r.smooth, false);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /relu.*not smooth/i);
});

test('stable sigmoid / swish: finite for |x| > 709, derivatives match finite differences', () => {
  for (const x of [-1e300, -800, -710, -40, 40, 710, 800, 1e300]) {
    for (const f of [sigmoid(x), activationValue('swish', x), activationDerivative('swish', x), activationSecondDerivative('swish', x)]) {
      assert.ok(Number.isFinite(f), `not finite at x = ${x}`);
    }
  }
  assert.equal(sigmoid(-800), 0);
  assert.equal(sigmoid(800), 1);
  assert.equal(activationValue('swish', 800), 800);
  // Central differences with h = 1e-5 on functions with |f'''| ≲ 1: truncation h²/6 ≈ 2e-11,
  // round-off ≈ ε·|f|/h ≈ 1e-10 for |x| ≤ 4 — tolerance 1e-8 leaves a wide margin.
  const h = 1e-5;
  for (const act of ['identity', 'swish', 'tanh'] as const) {
    for (const x of [-3.7, -1.1, -0.2, 0.3, 1.9, 4]) {
      const d1 = (activationValue(act, x + h) - activationValue(act, x - h)) / (2 * h);
      const d2 = (activationDerivative(act, x + h) - activationDerivative(act, x - h)) / (2 * h);
      assert.ok(Math.abs(d1 - activationDerivative(act, x)) < 1e-8, `${act}' at ${x}`);
      assert.ok(Math.abs(d2 - activationSecondDerivative(act, x)) < 1e-8, `${act}'' at ${x}`);
    }
  }
  assert.equal(activationDerivative('relu', 2), 1);
  assert.equal(activationDerivative('relu', -2), 0);
  assert.equal(activationSecondDerivative('relu', 2), 0);
});

test('initialisation: unit-norm weight rows, biases 0.01, reproducible by seed', () => {
  const spec: MlpSpec = { ...base, layers: [16, 8, 16, 16], hiddenActivation: 'swish', biases: true };
  const a = initMlpParameters(spec, seededNormal(7));
  const b = initMlpParameters(spec, seededNormal(7));
  assert.deepEqual(a, b);
  assert.equal(a.length, 552);
  for (const l of layerLayout(spec)) {
    for (let r = 0; r < l.outputs; r++) {
      let ss = 0;
      for (let c = 0; c < l.inputs; c++) ss += a[l.weightOffset + r * l.inputs + c] ** 2;
      assert.ok(Math.abs(ss - 1) < 1e-14, `row ${r} of layer ${l.index} has squared norm ${ss}`);
    }
    for (let r = 0; r < l.outputs; r++) assert.equal(a[l.biasOffset + r], 0.01);
  }
  assert.throws(() => initMlpParameters(spec, seededNormal(1), new Float64Array(3)), /length 3.*552/);
  // The seeded normal source has roughly standard moments.
  const nrm = seededNormal(3);
  let s = 0; let s2 = 0;
  const m = 20000;
  for (let i = 0; i < m; i++) { const z = nrm(); s += z; s2 += z * z; }
  assert.ok(Math.abs(s / m) < 0.05 && Math.abs(s2 / m - 1) < 0.05);
});
