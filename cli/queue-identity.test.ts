import test from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBlasInfo } from '../core/linalg/kernels-openblas.js';
import { redisServerMissing, startRedis } from '../core/testing/redis-server.js';
import { exited, startNode } from '../core/testing/processes.js';
import { jsonWithoutTiming } from '../core/testing/timing.js';
import { queueTestEnv, tinyQueueSuite } from '../core/testing/queue-fixtures.js';
import { IMPORTED_RATE_PLUGIN } from '../core/testing/plugin-fixtures.js';

const cli = fileURLToPath(new URL('./main.js', import.meta.url));
const dist = fileURLToPath(new URL('../', import.meta.url));
const skip = redisServerMissing();
const base = queueTestEnv;

const SUITE = tinyQueueSuite('identity-test');

/** Records in OUT (what a refused suite must not have added). */
const records = (out: string) => existsSync(join(out, 'runs')) ? (readdirSync(join(out, 'runs'), { recursive: true }) as string[]).filter((f) => String(f).endsWith('.json')) : [];

/** A copy of this build with one module changed (a comment): another build, same package.json version. */
function otherBuild(root: string): string {
  const pkg = join(root, 'other');
  mkdirSync(pkg);
  cpSync(dist, join(pkg, 'dist'), { recursive: true });
  cpSync(join(dist, '..', 'package.json'), join(pkg, 'package.json'));
  symlinkSync(join(dist, '..', 'node_modules'), join(pkg, 'node_modules'), 'dir');
  appendFileSync(join(pkg, 'dist', 'core', 'run', 'run-one.js'), '\n// another build\n');
  return join(pkg, 'dist', 'cli', 'main.js');
}

async function refusedThenMixed(workerCli: string, workerEnv: NodeJS.ProcessEnv, env: NodeJS.ProcessEnv, what: RegExp): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-identity-'));
  const redis = await startRedis();
  const children: ChildProcess[] = [];
  try {
    const file = join(dir, 'suite.yaml');
    writeFileSync(file, SUITE);
    const out = join(dir, 'out');
    const worker = startNode(workerCli, ['worker', '--queue', redis.url], workerEnv, children);
    const refused = startNode(cli, ['suite', file, '--out', out, '--queue', redis.url], env, children);
    assert.equal(await exited(refused.c), 1, refused.err());
    assert.match(refused.err(), /worker\(s\) \S+:\d+ refused \d+ job\(s\) of this suite: computation differs/);
    assert.match(refused.err(), what);
    assert.deepEqual(records(out), [], 'no record was added to OUT');

    const mixed = startNode(cli, ['suite', file, '--out', out, '--queue', redis.url, '--allow-mixed'], env, children);
    assert.equal(await exited(mixed.c), 0, mixed.err());
    assert.match(mixed.err(), /was computed with .* not this coordinator's .*\(--allow-mixed\): see .*machines\.json/);
    const machines = JSON.parse(readFileSync(join(out, 'machines.json'), 'utf8')) as Record<string, { machine: string; differs?: string[] }>;
    // The quartic's 2×2 grid: four starts.
    assert.deepEqual(Object.keys(machines).sort(), [0, 1, 2, 3].map((i) => `runs/gd/run-00${i}.json`));
    for (const m of Object.values(machines)) {
      assert.equal(m.machine.endsWith(`:${worker.c.pid}`), true, m.machine);
      assert.ok(m.differs && m.differs.length > 0);
    }
    worker.c.kill('SIGTERM');
    await exited(worker.c);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a worker from another build (same version string) is refused, named by the coordinator; --allow-mixed accepts it and machines.json says who computed what', { skip }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'gradflat-other-build-'));
  try {
    await refusedThenMixed(otherBuild(root), base, base, /computation differs \(code\): the job was queued by a coordinator computing with code [0-9a-f]{12}, kernels typescript; this worker \S+ computes with code [0-9a-f]{12}, kernels typescript/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

const blas = openBlasInfo();
test('a worker whose OpenBLAS chose another CPU kernel (OPENBLAS_CORETYPE) is refused, naming both kernels', { skip: skip ?? (blas?.corename ? undefined : 'OpenBLAS with openblas_get_corename is not available: skipped') }, async () => {
  const coretype = blas!.corename === 'Sandybridge' ? 'Nehalem' : 'Sandybridge';
  const env = { ...base, GRADFLAT_KERNELS: 'openblas' };
  await refusedThenMixed(cli, { ...env, OPENBLAS_CORETYPE: coretype }, env, new RegExp(`computation differs \\(BLAS\\): .*CPU kernel ${blas!.corename}.*; this worker \\S+ computes with .*CPU kernel ${coretype}`));
});

test('a queued plugin that imports local modules (../ included) runs on a worker, with the numbers of a local run', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-plugin-tree-'));
  const redis = await startRedis();
  const children: ChildProcess[] = [];
  try {
    mkdirSync(join(dir, 'plugins'));
    mkdirSync(join(dir, 'lib-common'));
    writeFileSync(join(dir, 'lib-common', 'rate.mjs'), 'export const RATE = 2e-3;\n');
    writeFileSync(join(dir, 'plugins', 'helper.mjs'), "export { RATE } from '../lib-common/rate.mjs';\nexport const NAME = 'gd-imported';\n");
    writeFileSync(join(dir, 'plugins', 'plugin.mjs'), IMPORTED_RATE_PLUGIN);
    const file = join(dir, 'suite.yaml');
    writeFileSync(file, SUITE.replace('steppers:\n  - { stepper: gd }', 'plugins: [./plugins/plugin.mjs]\nsteppers:\n  - { stepper: gd-imported }'));
    const local = startNode(cli, ['suite', file, '--out', join(dir, 'local'), '--workers', '1'], base, children);
    assert.equal(await exited(local.c), 0, local.err());
    const worker = startNode(cli, ['worker', '--queue', redis.url], base, children);
    const queued = startNode(cli, ['suite', file, '--out', join(dir, 'queued'), '--queue', redis.url], base, children);
    assert.equal(await exited(queued.c), 0, queued.err() + worker.err());
    for (const f of readdirSync(join(dir, 'local', 'runs', 'gd-imported')).filter((n) => n.endsWith('.json'))) {
      assert.equal(jsonWithoutTiming(readFileSync(join(dir, 'queued', 'runs', 'gd-imported', f), 'utf8')), jsonWithoutTiming(readFileSync(join(dir, 'local', 'runs', 'gd-imported', f), 'utf8')), f);
    }
    worker.c.kill('SIGTERM');
    await exited(worker.c);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
