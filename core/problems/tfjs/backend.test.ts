// Backend selection. tfjs-node cannot be installed here, so stand-ins play it: a module that
// registers a working 'tensorflow' backend (the cpu kernels under that name), and one that throws
// on load as tfjs-node does without its native library.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { typescriptKernels } from '../../linalg/kernels-typescript.js';
import { seededNormal } from '../mlp/init.js';
import { MlpOracle } from '../mlp/mlp-oracle.js';
import { prepareEngine } from '../engine.js';
import { chooseTfjsBackendSync, ensureTfjsBackend, loadTfjs, selectTfjsBackend, tfjsBackendStatus } from './backend.js';
import { TfjsMlpOracle } from './mlp-r-operator.js';
import { PAPER_NETWORKS } from './paper-networks.js';

const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'gradflat-tfjs-node-'));
const fakeNode = join(dir, 'fake-tfjs-node.cjs');
const brokenNode = join(dir, 'broken-tfjs-node.cjs');
const missing = join(dir, 'not-there.cjs');
writeFileSync(fakeNode, `
const tf = require(${JSON.stringify(require.resolve('@tensorflow/tfjs-core'))});
const { MathBackendCPU } = require(${JSON.stringify(require.resolve('@tensorflow/tfjs-backend-cpu'))});
for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: 'tensorflow' });
tf.registerBackend('tensorflow', () => new MathBackendCPU(), 1);
`);
writeFileSync(brokenNode, "throw new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory');\n");
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('without tfjs-node: the sync choice is cpu and says why; asking for tensorflow explicitly is an error naming the cause', () => {
  const s = chooseTfjsBackendSync('auto', [missing, brokenNode]);
  assert.equal(s.backend, 'cpu');
  assert.match(s.reason, /not-there\.cjs is not installed/);
  assert.match(s.reason, /broken-tfjs-node\.cjs is installed but failed to load: libtensorflow/);
  assert.match(s.description, /float32/);
  assert.throws(() => chooseTfjsBackendSync('tensorflow', [missing]), /'tensorflow' was requested but is unavailable.*not installed/);
  assert.throws(() => chooseTfjsBackendSync('wasm'), /starts asynchronously.*selectTfjsBackend/);
});

test('the real @tensorflow/tfjs-node is not a dependency and is not installed here: auto falls back', async () => {
  const pkg = JSON.parse(require('node:fs').readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>;
  for (const field of ['dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies']) {
    assert.equal(pkg[field]?.['@tensorflow/tfjs-node'], undefined, `package.json ${field} must not list @tensorflow/tfjs-node`);
  }
  const s = await selectTfjsBackend('auto');
  assert.notEqual(s.backend, 'tensorflow');
  assert.match(s.reason, /@tensorflow\/tfjs-node is not installed/);
});

test('when a tfjs-node can be loaded it is used (sync and async), and oracles built then compute on it and say so', async () => {
  const s = await selectTfjsBackend('auto', { nodeModules: [brokenNode, fakeNode] });
  assert.equal(s.backend, 'tensorflow');
  assert.equal(loadTfjs().getBackend(), 'tensorflow');
  assert.equal(tfjsBackendStatus()?.backend, 'tensorflow');
  const spec = PAPER_NETWORKS['swish-ae'];
  const normal = seededNormal(3);
  const inputs = Float64Array.from({ length: 10 * 16 }, normal);
  const data = { inputs, N: 10, targets: inputs };
  const o = new TfjsMlpOracle(spec, data);
  assert.equal(o.provenance.backend, 'tensorflow');
  const theta = Float64Array.from({ length: o.dim }, () => 0.5 * normal());
  const ref = new MlpOracle(spec, data, typescriptKernels, { threads: 1 }).gradient(theta);
  assert.ok(Math.abs(o.gradient(theta).loss - ref.loss) < 1e-5 * ref.loss);
  o.dispose();
  await selectTfjsBackend('cpu');
  assert.equal(chooseTfjsBackendSync('auto', [missing, fakeNode]).backend, 'tensorflow');
  assert.equal(ensureTfjsBackend('cpu').backend, 'cpu');
});

test('wasm: chosen by auto when installed and no tfjs-node; a missing wasm module falls back to cpu, or throws when asked for', async () => {
  const none = await selectTfjsBackend('auto', { nodeModules: [missing], wasmModule: missing });
  assert.equal(none.backend, 'cpu');
  assert.match(none.reason, /not-there\.cjs is not installed.*not-there\.cjs is not installed/);
  await assert.rejects(selectTfjsBackend('wasm', { wasmModule: missing }), /'wasm' was requested but is unavailable/);
  let wasmInstalled = true;
  try { require.resolve('@tensorflow/tfjs-backend-wasm'); } catch { wasmInstalled = false; }
  const auto = await selectTfjsBackend('auto', { nodeModules: [missing] });
  assert.equal(auto.backend, wasmInstalled ? 'wasm' : 'cpu');
  await selectTfjsBackend('cpu');
});

test('GRADFLAT_TFJS_BACKEND sets the preference, bad values are refused; prepareEngine exports the choice for worker threads', async () => {
  const saved = process.env.GRADFLAT_TFJS_BACKEND;
  try {
    process.env.GRADFLAT_TFJS_BACKEND = 'gpu';
    assert.throws(() => chooseTfjsBackendSync(), /GRADFLAT_TFJS_BACKEND must be one of auto\|tensorflow\|wasm\|cpu/);
    process.env.GRADFLAT_TFJS_BACKEND = 'CPU';
    assert.equal(chooseTfjsBackendSync(undefined, [fakeNode]).backend, 'cpu');
    delete process.env.GRADFLAT_TFJS_BACKEND;
    assert.equal(await prepareEngine('f64'), null);
    assert.equal(process.env.GRADFLAT_TFJS_BACKEND, undefined, 'f64 runs load no tfjs and set nothing');
    const s = await prepareEngine('tfjs');
    assert.equal(process.env.GRADFLAT_TFJS_BACKEND, s!.backend);
  } finally {
    if (saved === undefined) delete process.env.GRADFLAT_TFJS_BACKEND;
    else process.env.GRADFLAT_TFJS_BACKEND = saved;
  }
});
