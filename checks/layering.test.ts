import test from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLayering, SOURCE_ROOTS } from './layering.js';

/** The repository root (this file runs from dist/checks/). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('the source keeps the layering: no upward import, no sibling method or problem, no cycle between files or folders', async () => {
  const report = await checkLayering(ROOT);
  assert.ok(report.modules > 250, `only ${report.modules} modules cruised: the check would miss imports`);
  assert.deepEqual(report.violations, []);
  assert.deepEqual(report.folderCycles, []);
});

/** A copy of the source tree to break on purpose. */
function sourceCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-layering-'));
  for (const p of [...SOURCE_ROOTS, 'tsconfig.json', '.dependency-cruiser.cjs', 'package.json']) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

test('an upward import, a method importing another, and a cycle between folders each fail the check', async () => {
  const dir = sourceCopy();
  try {
    appendFileSync(join(dir, 'core/linalg/vector.ts'), "\nimport '../../plugins/gd/index.js';\n");
    appendFileSync(join(dir, 'plugins/adam/adam.ts'), "\nimport '../gd/index.js';\n");
    // core/run imports core/linalg; the reverse closes a folder cycle that no file cycle shows.
    appendFileSync(join(dir, 'core/linalg/kernels.ts'), "\nimport '../run/progress.js';\n");
    const report = await checkLayering(dir);
    assert.ok(report.violations.some((v) => v.startsWith('core-imports-upward: core/linalg/vector.ts → plugins/gd/index.ts')), report.violations.join('\n'));
    assert.ok(report.violations.some((v) => v.startsWith('method-imports-method: plugins/adam/adam.ts → plugins/gd/index.ts')), report.violations.join('\n'));
    assert.ok(report.folderCycles.some((c) => c.includes('core/linalg') && c.includes('core/run')), JSON.stringify(report.folderCycles));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('generic code never branches on a built-in problem or method name (problems and methods declare what the harness needs)', async () => {
  const { builtinPlugins, builtinProblems } = await import('../builtins.js');
  const names = [...builtinProblems, ...builtinPlugins].map((p) => p.name.replace(/-/g, '\\-')).join('|');
  // A comparison with a name, a case label, or a table keyed by names.
  const branch = new RegExp(`(===|!==|==|!=|case)\\s*['"](${names})['"]|['"](${names})['"]\\s*(===|!==|:)`);
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) { if (e.name !== 'testing') walk(rel); continue; }
      if (!rel.endsWith('.ts') || /\.test\.ts$|testing\.ts$|-fixtures\.ts$/.test(rel)) continue;
      readFileSync(join(ROOT, rel), 'utf8').split('\n').forEach((line, i) => { if (branch.test(line)) offenders.push(`${rel}:${i + 1}: ${line.trim()}`); });
    }
  };
  walk('core');
  assert.deepEqual(offenders, []);
});
