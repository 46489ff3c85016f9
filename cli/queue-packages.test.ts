// Queued suites carry plugin packages to workers by name and version: a worker uses its own
// install, and refuses a task when it lacks the package or has another version.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gradflat, inTemp } from '../core/testing/cli.js';
import { redisServerMissing, startRedis } from '../core/testing/redis-server.js';

const skip = redisServerMissing();

/** node_modules/my-gd@version in `dir`: a two-module package registering a stepper. */
function install(dir: string, version: string): void {
  const root = join(dir, 'node_modules', 'my-gd');
  mkdirSync(join(root, 'lib'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'my-gd', version, type: 'module', exports: { '.': { import: './lib/index.js' } } }));
  writeFileSync(join(root, 'lib', 'name.js'), "export const name = 'my-gd';\n");
  writeFileSync(join(root, 'lib', 'index.js'), "import { registry } from 'gradflat';\nimport { name } from './name.js';\nexport default { ...registry.get('gd'), name };\n");
}

test('suite --queue: a plugin package travels by name and version; a worker without it, or with another version, refuses clearly', { skip }, async () => {
  const redis = await startRedis();
  try {
    inTemp('queue-packages', (dir) => {
      const project = join(dir, 'project'), bare = join(dir, 'bare'), other = join(dir, 'other');
      for (const d of [project, bare, other]) mkdirSync(d);
      install(project, '1.0.0');
      install(other, '2.0.0');
      const suite = join(project, 's.yaml');
      writeFileSync(suite, 'plugins: [my-gd]\nproblem: { name: quartic, seed: 1, grid: 2 }\nseed: 1\nstarts: { count: 2 }\niterations: 5\nsteppers: [{ stepper: my-gd }]\n');
      const env = { CI: 'true', GRADFLAT_QUEUE_LOCK_MS: '1500' };
      // --workers 1: a worker in the coordinator's process, looking for packages from its working directory.
      const lacking = gradflat(bare, ['suite', suite, '--out', join(dir, 'o1'), '--queue', redis.url, '--workers', '1'], env);
      assert.equal(lacking.status, 1, lacking.stderr);
      assert.match(lacking.stderr, /plugin package 'my-gd' 1\.0\.0 is not installed on this worker .*npm install my-gd@1\.0\.0 where the worker runs/);
      const skewed = gradflat(other, ['suite', suite, '--out', join(dir, 'o2'), '--queue', redis.url, '--workers', '1'], env);
      assert.equal(skewed.status, 1, skewed.stderr);
      assert.match(skewed.stderr, /plugin package 'my-gd': this worker has 2\.0\.0 .*the coordinator used 1\.0\.0: install my-gd@1\.0\.0 on the worker/);
      const ok = gradflat(project, ['suite', suite, '--out', join(dir, 'o3'), '--queue', redis.url, '--workers', '1'], env);
      assert.equal(ok.status, 0, ok.stderr);
      assert.equal(JSON.parse(readFileSync(join(dir, 'o3', 'summary.json'), 'utf8')).methods[0].label, 'my-gd');
    });
  } finally {
    await redis.stop();
  }
});
