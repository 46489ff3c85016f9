import test from 'node:test';
import assert from 'node:assert/strict';
import '../di.js';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { initMlpParameters, seededNormal } from '../../engines/mlp/init.js';
import { MlpOracle } from '../../engines/mlp/mlp-oracle.js';
import type { MlpSpec } from '../../engines/mlp/architecture.js';
import { PluginRegistry } from '../registry/registry.js';
import { builtinPlugins, registerBuiltins } from '../../builtins.js';
import { Rng } from '../random/rng.js';
import { randomMlpData } from '../../engines/mlp/testing.js';
import type { StepperState } from '../stepper/stepper.js';
import { CheckpointClock, checkpointPolicyFromEnv, decodeCheckpoint, encodeCheckpoint, encodeExact } from './checkpoint.js';

const bits = (x: number) => Buffer.from(Float64Array.of(x).buffer).toString('hex');

test('numbers and typed arrays round-trip bit for bit, −0, NaN, ±Infinity, subnormals and undefined included', () => {
  const odd = [0.1 + 0.2, 1 / 3, -0, 0, 5e-324, -2.2250738585072014e-308, Number.MAX_VALUE, NaN, Infinity, -Infinity, Math.PI * 1e300, 2 ** -1074 * 3];
  const value = {
    scalars: odd, f64: Float64Array.from(odd), f32: Float32Array.of(1.1, -0, NaN), i32: Int32Array.of(-1, 2 ** 31 - 1),
    nested: [{ a: undefined, b: null, c: 'x', d: true, e: [Float64Array.of(-0)] }], empty: new Float64Array(0),
  };
  const back = decodeCheckpoint(encodeCheckpoint(value)) as typeof value;
  assert.deepEqual(back.scalars.map(bits), odd.map(bits));
  assert.ok(back.f64 instanceof Float64Array && back.f32 instanceof Float32Array && back.i32 instanceof Int32Array);
  assert.deepEqual(Array.from(back.f64, bits), odd.map(bits));
  assert.ok(Object.is(back.f32[1], -0) && Number.isNaN(back.f32[2]));
  assert.deepEqual(Array.from(back.i32), [-1, 2 ** 31 - 1]);
  assert.ok('a' in back.nested[0] && back.nested[0].a === undefined);
  assert.ok(Object.is((back.nested[0].e[0] as Float64Array)[0], -0));
  assert.equal(back.empty.length, 0);
  // A view into a larger buffer stores only its own elements.
  const view = new Float64Array(Float64Array.of(1, 2, 3, 4).buffer, 8, 2);
  assert.deepEqual(Array.from(decodeCheckpoint(encodeCheckpoint(view)) as Float64Array), [2, 3]);
});

test('a state that is not plain data is refused, naming where', () => {
  assert.throws(() => encodeExact({ extra: { cache: new Map() } }), /\$\.extra\.cache: a Map/);
  assert.throws(() => encodeExact({ extra: { f: () => 1 } }), /\$\.extra\.f: a function/);
});

test('an Rng continues its stream exactly from a saved state (a pending normal included)', () => {
  const a = new Rng(7);
  a.uniform();
  a.normal(); // leaves a spare
  const b = new Rng(1);
  b.setState(decodeCheckpoint(encodeCheckpoint(a.getState())) as ReturnType<Rng['getState']>);
  for (let i = 0; i < 5; i++) assert.equal(bits(b.normal()), bits(a.normal()));
  assert.equal(b.nextUint32(), a.nextUint32());
});

test('checkpoint policy: every k steps or t seconds, from the environment', () => {
  let now = 0;
  const c = new CheckpointClock({ everySteps: 3, everySeconds: 10 }, 0, () => now);
  assert.equal(c.due(2), false);
  assert.equal(c.due(3), true);
  c.mark(3);
  now = 9_999;
  assert.equal(c.due(4), false);
  now = 10_000;
  assert.equal(c.due(4), true);
  assert.deepEqual(checkpointPolicyFromEnv({ GRADFLAT_CHECKPOINT_STEPS: '5' }), { everySteps: 5, everySeconds: 30 });
  assert.equal(checkpointPolicyFromEnv({ GRADFLAT_CHECKPOINT: 'off' }), false);
  for (const off of ['0', 'false', 'no', 'OFF', ' No ']) assert.equal(checkpointPolicyFromEnv({ GRADFLAT_CHECKPOINT: off }), false, off);
  for (const on of ['', 'on', '1', 'true', 'yes']) assert.deepEqual(checkpointPolicyFromEnv({ GRADFLAT_CHECKPOINT: on }), { everySteps: 0, everySeconds: 30 }, on);
  assert.throws(() => checkpointPolicyFromEnv({ GRADFLAT_CHECKPOINT: 'maybe' }), /GRADFLAT_CHECKPOINT must be off \(or 0, false, no\) to turn checkpoints off, or on \(1, true, yes\), got 'maybe'/);
  assert.throws(() => checkpointPolicyFromEnv({ GRADFLAT_CHECKPOINT_SECONDS: 'soon' }), /GRADFLAT_CHECKPOINT_SECONDS must be a number/);
});

test('every built-in stepper: a state written and read back steps on bit-identically', () => {
  const registry = new PluginRegistry();
  registerBuiltins(registry);
  // A small MLP (biases, Swish) whose oracle has every capability (dense Hessian, K-FAC statistics).
  const spec: MlpSpec = { layers: [3, 4, 2], hiddenActivation: 'swish', outputActivation: 'identity', biases: true, loss: 'mse', l2: 1e-3 };
  const normal = seededNormal(3);
  const oracle = new MlpOracle(spec, randomMlpData(spec, 20, normal), typescriptKernels, { threads: 1 });
  const theta0 = initMlpParameters(spec, seededNormal(5));
  const hp: Record<string, Record<string, unknown>> = { gd: { momentum: 0.9 }, gnm: { variant: 'momentum' } };
  for (const plugin of builtinPlugins) {
    const make = () => registry.create(plugin.name, oracle, registry.resolveHyperparameters(plugin.name, hp[plugin.name] ?? {}));
    const stepper = make();
    let state: StepperState = stepper.init(Float64Array.from(theta0));
    for (let k = 0; k < 3; k++) state = stepper.step(state).state;
    const text = encodeCheckpoint(state);
    const back = decodeCheckpoint(text) as StepperState;
    assert.equal(encodeCheckpoint(back), text, `${plugin.name}: the state reads back exactly`);
    // A fresh stepper (as after a restart) continues from the read-back state as the original does.
    const fresh = make();
    let a = state, b = back;
    for (let k = 0; k < 3; k++) {
      const ra = stepper.step(a), rb = fresh.step(b);
      assert.equal(encodeCheckpoint({ s: rb.state, m: rb.metrics, h: rb.halted }), encodeCheckpoint({ s: ra.state, m: ra.metrics, h: ra.halted }), `${plugin.name}: step ${k} after restore`);
      a = ra.state;
      b = rb.state;
    }
    const extras = Object.values(state.extra).some((v) => ArrayBuffer.isView(v) || Array.isArray(v));
    if (['adam', 'gd', 'kfac'].includes(plugin.name)) assert.ok(extras, `${plugin.name}: its extra holds arrays, and they round-trip`);
  }
});
