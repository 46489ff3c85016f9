// Queued suites carry plugin packages to workers by name, version and code hash: a worker uses
// its own install, and refuses a task when it lacks the package, has another version, or has
// the same version with other files.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gradflat, inTemp } from '../core/testing/cli.js';
import { redisServerMissing, startRedis } from '../core/testing/redis-server.js';

const skip = redisServerMissing();

/** node_modules/my-gd@version in `dir`: a two-module package registering a stepper (`note` changes its imported module's code only). */
function install(dir: string, version: string, note = ''): void {
  const root = join(dir, 'node_modules', 'my-gd');
  mkdirSync(join(root, 'lib'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'my-gd', version, type: 'module', exports: { '.': { import: './lib/index.js' } } }));
  writeFileSync(join(root, 'lib', 'name.js'), `export const name = 'my-gd';\n${note}`);
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

test('suite --queue: a worker whose plugin package has the coordinator\'s version but other files is refused, named; --allow-mixed accepts it', { skip }, async () => {
  const redis = await startRedis();
  try {
    inTemp('queue-packages-content', (dir) => {
      const project = join(dir, 'project'), edited = join(dir, 'edited');
      for (const d of [project, edited]) mkdirSync(d);
      install(project, '1.0.0');
      // Same version, an edit in a module the entry imports (not the entry itself): the run identity hashes both.
      install(edited, '1.0.0', '// edited locally\n');
      const suite = join(project, 's.yaml');
      writeFileSync(suite, 'plugins: [my-gd]\nproblem: { name: quartic, seed: 1, grid: 2 }\nseed: 1\nstarts: { count: 2 }\niterations: 5\nsteppers: [{ stepper: my-gd }]\n');
      const env = { CI: 'true', GRADFLAT_QUEUE_LOCK_MS: '1500' };
      const refused = gradflat(edited, ['suite', suite, '--out', join(dir, 'o1'), '--queue', redis.url, '--workers', '1'], env);
      assert.equal(refused.status, 1, refused.stderr);
      assert.match(refused.stderr, /worker\(s\) \S+ refused \d+ job\(s\) of this suite: computation differs \(plugin package my-gd\): .*my-gd 1\.0\.0 has code sha256 [0-9a-f]{12}…; this worker \S+ computes with my-gd 1\.0\.0 from .*edited.*sha256 [0-9a-f]{12}….*--allow-mixed/);
      const [theirs, mine] = [...refused.stderr.matchAll(/sha256 ([0-9a-f]{12})…/g)].map((m) => m[1]);
      assert.notEqual(theirs, mine);
      const mixed = gradflat(edited, ['suite', suite, '--out', join(dir, 'o2'), '--queue', redis.url, '--workers', '1', '--allow-mixed'], env);
      assert.equal(mixed.status, 0, mixed.stderr);
      assert.equal(JSON.parse(readFileSync(join(dir, 'o2', 'summary.json'), 'utf8')).methods[0].label, 'my-gd');
    });
  } finally {
    await redis.stop();
  }
});
