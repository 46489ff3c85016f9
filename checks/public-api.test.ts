import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The public API, by group (index.ts). A name added or removed must be added or removed here too, on purpose. */
const TYPES = ['Stepper', 'StepperState', 'StepResult', 'StepMetrics', 'StepperPlugin', 'HyperparameterSchema', 'Oracle', 'ProblemPlugin', 'ProblemContext', 'BuiltProblem', 'RunRecord'];
const VALUES = [
  'injectableStepper', 'ORACLE', 'HYPERPARAMETERS', 'DENSE_KERNELS',
  'functionOracle', 'mlpProblem', 'readCsvMatrix', 'tfjsModelProblem', 'loadLayersModelFile', 'saveLayersModelFiles', 'selectTfjsBackend',
  'registry', 'PluginRegistry', 'registerPlugin', 'registerProblem', 'registerBuiltins',
  'selectKernels', 'runStepper', 'evaluatePoint', 'runExperiment', 'loadSuite', 'runSuite', 'writeReport',
  'queueExecutor', 'startQueueWorker', 'checkPlugin',
  'UsageError', 'ConfigError', 'PluginError', 'DirectoryBusyError',
];

/** Names index.ts exports, read from its source: `export { a, b as c }`, `export type { … }`, `export [async] function f`. */
function exportedNames(source: string): { values: string[]; types: string[] } {
  const values: string[] = [], types: string[] = [];
  for (const m of source.matchAll(/^export (type )?\{([^}]*)\}/gm)) {
    for (const part of m[2].split(',').map((p) => p.trim()).filter(Boolean)) {
      const isType = Boolean(m[1]) || part.startsWith('type ');
      const name = part.replace(/^type /, '').split(/\s+as\s+/).pop()!.trim();
      (isType ? types : values).push(name);
    }
  }
  for (const m of source.matchAll(/^export (?:async )?(?:function|const|class) (\w+)/gm)) values.push(m[1]);
  assert.doesNotMatch(source, /^export \*/m, 'no wildcard re-exports: every public name is chosen');
  return { values, types };
}

test('the public API is the curated list of at most 41 names, each with a doc comment above its line', async () => {
  const source = readFileSync(fileURLToPath(new URL('../../index.ts', import.meta.url)), 'utf8');
  const { values, types } = exportedNames(source);
  assert.deepEqual([...values].sort(), [...VALUES].sort());
  assert.deepEqual([...types].sort(), [...TYPES].sort());
  assert.ok(values.length + types.length <= 41, `${values.length + types.length} public names`);
  // Each export statement is documented: the line before it closes a doc comment.
  const lines = source.split('\n');
  lines.forEach((line, i) => {
    if (/^export /.test(line)) assert.match(lines[i - 1] ?? '', /\*\/\s*$/, `undocumented export at index.ts:${i + 1}: ${line}`);
  });
  const runtime = await import('../index.js');
  assert.deepEqual(Object.keys(runtime).sort(), [...VALUES].sort(), 'what `import * from "gradflat"` gives at run time');
});
