/**
 * The layering rule (docs/architecture.md), checked by `npm test` (checks/layering.test.ts):
 *   entry points (index.ts, cli/, studies/, bench/, examples/, checks/)
 *     → builtins.ts (the one list of built-in steppers and problems)
 *       → plugins/<method>/, problems/<problem>/ (problems/common/ is theirs to share)
 *         → engines/<engine>/
 *           → core/
 * Library code imports only downward, never a sibling method, and never test code. Test code
 * (*.test.ts and test fixtures) may import any layer: nothing imports it, so it adds no coupling.
 */
const TEST = '(\\.test\\.ts$|/testing/|/testing\\.ts$|-fixtures\\.ts$)';
const ENTRY = '^(index\\.ts|cli/|studies/|bench/|examples/|checks/)';
const BUILTINS = '^builtins\\.ts$';

/** `from` (library code) must not import any of `to`. */
const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from: { path: from, pathNot: TEST }, to: { path: to } });

module.exports = {
  forbidden: [
    forbid('core-imports-upward', 'core/ is the bottom layer: it imports nothing from engines, plugins, problems, builtins or the entry points',
      '^core/', `${ENTRY}|${BUILTINS}|^(engines|plugins|problems)/`),
    forbid('engine-imports-upward', 'engines/ compute oracles: they know core/ only',
      '^engines/', `${ENTRY}|${BUILTINS}|^(plugins|problems)/`),
    forbid('plugin-imports-upward', 'a method (plugins/<name>/) knows core/ only: not engines, problems or other layers above',
      '^plugins/', `${ENTRY}|${BUILTINS}|^(engines|problems)/`),
    forbid('problem-imports-upward', 'a problem knows core/, engines/ and problems/common/ only',
      '^problems/', `${ENTRY}|${BUILTINS}|^plugins/`),
    {
      name: 'method-imports-method', severity: 'error',
      comment: 'one method never imports another: what two methods share lives in core/ (e.g. core/newton/)',
      from: { path: '^plugins/([^/]+)/', pathNot: TEST }, to: { path: '^plugins/', pathNot: '^plugins/$1/' },
    },
    {
      name: 'problem-imports-problem', severity: 'error',
      comment: 'one problem never imports another: what problems share lives in problems/common/ (or lower)',
      from: { path: '^problems/([^/]+)/', pathNot: TEST }, to: { path: '^problems/', pathNot: '^problems/($1|common)/' },
    },
    forbid('builtins-imports-entry', 'builtins.ts lists methods and problems; the entry points use it, not the reverse', BUILTINS, ENTRY),
    forbid('library-imports-tests', 'library code never imports test code or fixtures', '.', TEST),
    { name: 'no-circular', severity: 'error', comment: 'no import cycle between files', from: {}, to: { circular: true } },
    { name: 'not-to-unresolvable', severity: 'error', comment: 'every relative import resolves', from: {}, to: { couldNotResolve: true, path: '^\\.' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|runs)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
