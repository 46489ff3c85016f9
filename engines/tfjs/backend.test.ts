// Backend selection. tfjs-node cannot be installed here, so stand-ins play it: a module that
// registers a working 'tensorflow' backend (the cpu kernels under that name), and one that throws
// on load as tfjs-node does without its native library.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { seededNormal } from '../mlp/init.js';
import { MlpOracle } from '../mlp/mlp-oracle.js';
import { prepareEngine } from '../select.js';
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

test('the real @tensorflow/tfjs-node is not a dependency and is not installed here: auto falls back; the WASM backend is a (non-optional) dependency', async () => {
  const pkg = JSON.parse(require('node:fs').readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>;
  for (const field of ['dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies']) {
    assert.equal(pkg[field]?.['@tensorflow/tfjs-node'], undefined, `package.json ${field} must not list @tensorflow/tfjs-node`);
  }
  assert.ok(pkg.dependencies['@tensorflow/tfjs-backend-wasm'], 'backend.ts and the docs call the WASM backend a dependency');
  assert.equal(pkg.optionalDependencies?.['@tensorflow/tfjs-backend-wasm'], undefined);
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
    assert.equal(process.env.GRADFLAT_TFJS_BACKEND, undefined, 'prepareEngine(f64) chooses and sets nothing (that f64 work loads no tfjs: next test)');
    const s = await prepareEngine('tfjs');
    assert.equal(process.env.GRADFLAT_TFJS_BACKEND, s!.backend);
  } finally {
    if (saved === undefined) delete process.env.GRADFLAT_TFJS_BACKEND;
    else process.env.GRADFLAT_TFJS_BACKEND = saved;
  }
});

const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));

test('importing gradflat loads no TensorFlow.js, even with GRADFLAT_TFJS_BACKEND=wasm; f64 commands run where WASM cannot start (node --jitless)', () => {
  const env = { ...process.env, GRADFLAT_TFJS_BACKEND: 'wasm' };
  // CommonJS packages (tfjs, its backends) land in require.cache also when import()ed; tfjs-core
  // puts its engine on globalThis._tfengine.
  const probe = [
    "import { createRequire } from 'node:module';",
    `const gf = await import(${JSON.stringify(join(packageRoot, 'dist', 'index.js'))});`,
    "if (typeof gf.runSuite !== 'function') throw new Error('not gradflat');",
    'const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes("@tensorflow"));',
    'console.log(JSON.stringify({ loaded, engine: globalThis._tfengine !== undefined }));',
  ].join('\n');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: packageRoot, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { loaded: [], engine: false }, 'no @tensorflow module loaded by import');
  // --jitless has no WebAssembly: the WASM backend cannot start, and f64 commands must not care.
  const cli = join(packageRoot, 'dist', 'cli', 'main.js');
  const plugins = spawnSync(process.execPath, ['--jitless', cli, 'plugins'], { cwd: packageRoot, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(plugins.status, 0, `gradflat plugins under --jitless with GRADFLAT_TFJS_BACKEND=wasm: ${plugins.stderr}`);
  assert.match(plugins.stdout, /newton-mr/);
  // … while tfjs work says why it cannot run.
  const info = spawnSync(process.execPath, ['--jitless', cli, 'info'], { cwd: packageRoot, env, encoding: 'utf8', timeout: 60_000 });
  assert.match(info.stdout, /tfjs engine \(--engine tfjs\): unavailable: the tfjs backend 'wasm' was requested but is unavailable/);
});

test('a backend the user chose with tf.setBackend is kept when gradflat builds an oracle (no preference, no GRADFLAT_TFJS_BACKEND)', async () => {
  const saved = process.env.GRADFLAT_TFJS_BACKEND;
  delete process.env.GRADFLAT_TFJS_BACKEND;
  const tf = loadTfjs();
  const spec = PAPER_NETWORKS['linear-ae'];
  const normal = seededNormal(4);
  const inputs = Float64Array.from({ length: 6 * 16 }, normal);
  const data = { inputs, N: 6, targets: inputs };
  try {
    await selectTfjsBackend('cpu'); // gradflat's own earlier choice
    require(fakeNode); // registers a 'tensorflow' backend (cpu kernels), as tfjs-node would
    const choices = ['tensorflow'];
    try { require('@tensorflow/tfjs-backend-wasm'); choices.push('wasm'); } catch { /* not installed */ }
    for (const name of choices) {
      assert.ok(await tf.setBackend(name), `${name} starts`);
      const o = new TfjsMlpOracle(spec, data);
      assert.equal(tf.getBackend(), name, `building an oracle left the user's ${name} backend alone`);
      assert.equal(o.provenance.backend, name);
      assert.equal(ensureTfjsBackend().backend, name);
      assert.match(tfjsBackendStatus()!.reason, /already initialised/);
      o.dispose();
    }
    // An explicit preference still wins.
    assert.equal(ensureTfjsBackend('cpu').backend, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
  } finally {
    if (saved === undefined) delete process.env.GRADFLAT_TFJS_BACKEND;
    else process.env.GRADFLAT_TFJS_BACKEND = saved;
    await selectTfjsBackend('cpu');
  }
});
