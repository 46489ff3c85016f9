/**
 * Runs the code blocks of README.md and docs/*.md (checks/doc-blocks.ts) as a user would, each
 * page in a fresh temporary folder, and checks the exit status and the shape of what each command
 * writes (a run or suite directory holds summary.json, a listing names the built-ins, …) — never
 * the printed text itself.
 *
 * The folder holds what a user of the package has at hand: suites/ and examples/ (links to this
 * checkout), node_modules/ with `gradflat` resolving to this checkout, and docs/img/ (a target of
 * the README's figure commands). Blocks of one page share it, in order, so a later block can read
 * what an earlier one wrote, as the page's reader would.
 *
 * Commands are mapped onto this checkout's build: `gradflat …` and `npx gradflat …` run
 * dist/cli/main.js, `node dist/…` runs this checkout's dist/. Building (`npm run build`,
 * `npx tsc`) and `npm install` are no-ops (the test runs from the built, installed checkout);
 * `npm test` is a no-op (it is the suite this check belongs to); `npm start` runs the start
 * script's command without its build step; any other `npm run X` runs in the checkout.
 */
import { spawnSync, type SpawnSyncOptionsWithStringEncoding } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { commandWords, type DocBlock, extractBlocks, shellCommands } from './doc-blocks.js';

export interface CommandResult { command: string; rc: number | null; stdout: string; stderr: string }

export interface BlockOutcome {
  block: DocBlock;
  status: 'passed' | 'failed' | 'skipped';
  /** Why it was skipped (its `skip` attribute) or, when failed, every problem found, each naming the block. */
  reasons: string[];
  results: CommandResult[];
  ms: number;
}

export interface RunOptions {
  /** Per-block limit; a longer block fails with a hint to mark it skip="takes N minutes". */
  timeoutMs?: number;
  /** Run only the blocks this accepts (the others are reported skipped). */
  only?: (b: DocBlock) => boolean;
}

/** The pages whose examples are run: README.md and docs/*.md, in that order. */
export function docPages(root: string): string[] {
  const docs = existsSync(join(root, 'docs'))
    ? readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)
    : [];
  return ['README.md', ...docs].filter((p) => existsSync(join(root, p)));
}

/** A fresh folder laid out as described above. */
export function workspace(root: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-doc-'));
  for (const d of ['suites', 'examples']) if (existsSync(join(root, d))) symlinkSync(join(root, d), join(dir, d), 'dir');
  mkdirSync(join(dir, 'node_modules'));
  const deps = join(root, 'node_modules');
  if (existsSync(deps)) {
    for (const name of readdirSync(deps)) {
      if (name !== 'gradflat' && !name.startsWith('.')) symlinkSync(join(deps, name), join(dir, 'node_modules', name));
    }
  }
  symlinkSync(resolve(root), join(dir, 'node_modules', 'gradflat'), 'dir');
  mkdirSync(join(dir, 'docs', 'img'), { recursive: true });
  return dir;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Shell functions that map the documented commands onto this checkout (see the header). */
function prelude(root: string): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const start = (pkg.scripts?.start ?? '').replace(/^npm run build\s*&&\s*/, '');
  return `ROOT=${q(resolve(root))}
node() { case "$1" in dist/*) local f="$ROOT/$1"; shift; command node "$f" "$@";; *) command node "$@";; esac; }
gradflat() { node "$ROOT/dist/cli/main.js" "$@"; }
npx() {
  case "$1" in
    gradflat) shift; gradflat "$@";;
    tsc) echo "(doc examples: the checkout is already built)";;
    *) command npx "$@";;
  esac
}
npm() {
  case "$1" in
    install|i|ci) echo "(doc examples: the checkout is already installed)";;
    test|t) echo "(doc examples: npm test is the suite that runs this check)";;
    start) ${start || 'true'};;
    run) case "$2" in build) echo "(doc examples: the checkout is already built)";; *) (cd "$ROOT" && command npm "$@");; esac;;
    *) command npm "$@";;
  esac
}
`;
}

/** Where a block of JavaScript/TypeScript is written: file=…, a first-line `// name.js`, or made up. */
function scriptName(b: DocBlock): string {
  const named = b.attrs.file ?? /^\/\/\s*([\w./-]+\.(?:m?js|ts))\s*$/.exec(b.code.split('\n')[0])?.[1];
  if (named) return named;
  return `block-${b.line}.${b.lang === 'ts' || b.lang === 'typescript' ? 'ts' : 'mjs'}`;
}

/**
 * Runs a command in its own process group and ends the whole group when it returns or runs past
 * `timeoutMs`: killing only the shell would leave its gradflat processes running unseen.
 */
function spawnGroup(cmd: string, args: string[], cwd: string, timeoutMs: number) {
  // `detached` (a new process group) is honoured by spawnSync although its options type omits it.
  const options = { cwd, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', detached: true, maxBuffer: 64 << 20 } as SpawnSyncOptionsWithStringEncoding;
  const r = spawnSync(cmd, args, options);
  try { if (r.pid) process.kill(-r.pid, 'SIGKILL'); } catch { /* the group has already ended */ }
  return r;
}

function runScript(b: DocBlock, cwd: string, timeoutMs: number): CommandResult[] {
  const name = scriptName(b);
  mkdirSync(join(cwd, name, '..'), { recursive: true });
  writeFileSync(join(cwd, name), b.code + '\n');
  let file = name;
  if (/\.ts$/.test(name)) {
    // TypeScript runs as its JavaScript (types stripped): the names it imports are the compiled package's.
    const js = ts.transpileModule(b.code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    file = name.replace(/\.ts$/, '.mjs');
    writeFileSync(join(cwd, file), js);
  }
  const r = spawnGroup(process.execPath, [file], cwd, timeoutMs);
  return [{ command: `node ${name}`, rc: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' }];
}

function runShell(b: DocBlock, root: string, cwd: string, timeoutMs: number): CommandResult[] {
  const commands = shellCommands(b.code);
  const log = mkdtempSync(join(tmpdir(), 'gradflat-doc-log-'));
  // Each command in the same shell (a `cd` carries on), its output and status kept apart; the first failure ends the block.
  const script = prelude(root) + commands.map((c, i) =>
    `{ ${c}\n} >${q(join(log, `${i}.out`))} 2>${q(join(log, `${i}.err`))}; echo $? >${q(join(log, `${i}.rc`))}\n` +
    `[ "$(cat ${q(join(log, `${i}.rc`))})" = 0 ] || exit 1\n`).join('');
  spawnGroup('bash', ['-c', script], cwd, timeoutMs);
  const read = (f: string) => (existsSync(join(log, f)) ? readFileSync(join(log, f), 'utf8') : '');
  const results: CommandResult[] = [];
  commands.forEach((command, i) => {
    if (!existsSync(join(log, `${i}.out`))) return;
    const rc = read(`${i}.rc`).trim();
    results.push({ command, rc: rc === '' ? null : Number(rc), stdout: read(`${i}.out`), stderr: read(`${i}.err`) });
  });
  rmSync(log, { recursive: true, force: true });
  return results;
}

/** What a command's output must look like, beyond its exit status 0. Returns the problems found. */
export function shapeProblems(r: CommandResult, cwd: string): string[] {
  let w = commandWords(r.command);
  if (w[0] === 'npx') w = w.slice(1);
  if (w[0] !== 'gradflat') return [];
  const sub = w[1];
  const opt = (name: string) => { const i = w.indexOf(`--${name}`); return i > 0 ? w[i + 1] : undefined; };
  const positional = w.slice(2).filter((x, i, a) => !x.startsWith('--') && !(i > 0 && a[i - 1].startsWith('--') && !/^--(report|full|force|no-\w+|measure-only|control)$/.test(a[i - 1])));
  const problems: string[] = [];
  const json = (path: string, what: string) => {
    const p = join(cwd, path);
    if (!existsSync(p)) { problems.push(`${what}: ${path} was not written`); return; }
    try { JSON.parse(readFileSync(p, 'utf8')); } catch { problems.push(`${what}: ${path} is not valid JSON`); }
  };
  const file = (path: string, what: string) => { if (!existsSync(join(cwd, path))) problems.push(`${what}: ${path} was not written`); };
  if ((sub === 'run' || sub === 'suite') && opt('out')) {
    json(join(opt('out')!, 'manifest.json'), `gradflat ${sub}`);
    json(join(opt('out')!, 'summary.json'), `gradflat ${sub}`);
    if (w.includes('--report')) file(join(opt('out')!, 'report', 'index.html'), `gradflat ${sub} --report`);
  } else if (sub === 'summarize' && positional[0]) {
    json(join(positional[0], 'summary.json'), 'gradflat summarize');
  } else if (sub === 'report' && positional.length) {
    file(join(opt('out') ?? (positional.length === 1 ? join(positional[0], 'report') : 'report'), 'index.html'), 'gradflat report');
  } else if (sub === 'plugins' && !/\bnewton-mr\b/.test(r.stdout)) {
    problems.push('gradflat plugins: the listing does not name the built-in stepper newton-mr');
  } else if (sub === 'problems' && !/\bquartic\b/.test(r.stdout)) {
    problems.push('gradflat problems: the listing does not name the built-in problem quartic');
  } else if (sub === 'schema') {
    try { JSON.parse(r.stdout); } catch { problems.push('gradflat schema: stdout is not a JSON Schema (not JSON)'); }
  } else if (sub === 'new' && positional[1]) {
    json(join(opt('dir') ?? positional[1], 'package.json'), 'gradflat new');
  }
  return problems;
}

const tail = (s: string, n = 1500) => (s.length > n ? '…' + s.slice(-n) : s).trim();

/** Runs one block in `cwd` (a workspace). */
export function runBlock(b: DocBlock, root: string, cwd: string, timeoutMs = 150_000): BlockOutcome {
  if (b.attrs.skip !== undefined) {
    return { block: b, status: 'skipped', reasons: [b.attrs.skip || `${b.label}: skip="" gives no reason`], results: [], ms: 0 };
  }
  const t0 = Date.now();
  const results = b.kind === 'shell' ? runShell(b, root, cwd, timeoutMs) : runScript(b, cwd, timeoutMs);
  const ms = Date.now() - t0;
  const reasons: string[] = [];
  const expected = b.kind === 'shell' ? shellCommands(b.code).length : 1;
  for (const r of results) {
    if (r.rc !== 0) {
      reasons.push(`${b.label}: \`${r.command}\` exited with ${r.rc ?? 'no status (killed)'}\n${tail(r.stderr) || tail(r.stdout)}`);
      continue;
    }
    for (const p of shapeProblems(r, cwd)) reasons.push(`${b.label}: \`${r.command}\`: ${p}`);
  }
  if (ms >= timeoutMs) reasons.push(`${b.label}: ran past ${timeoutMs / 1000} s — if that is its honest cost, mark the block skip="takes N minutes"`);
  else if (!reasons.length && results.length < expected) reasons.push(`${b.label}: only ${results.length} of ${expected} commands ran`);
  return { block: b, status: reasons.length ? 'failed' : 'passed', reasons, results, ms };
}

/** Runs the blocks of one page, in order, in one fresh workspace. */
export function runPage(root: string, page: string, opts: RunOptions = {}, source = join(root, page)): BlockOutcome[] {
  const blocks = extractBlocks(readFileSync(source, 'utf8'), page);
  const cwd = workspace(root);
  try {
    return blocks.map((b) => (opts.only && !opts.only(b)
      ? { block: b, status: 'skipped' as const, reasons: ['not selected'], results: [], ms: 0 }
      : runBlock(b, root, cwd, opts.timeoutMs)));
  } finally {
    rmSync(cwd, { recursive: true, force: true }); // links are removed, never what they point to
  }
}
