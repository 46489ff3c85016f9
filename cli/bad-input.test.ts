/**
 * The bad-input and fault corpus as tests: every case runs the built CLI
 * (dist/cli/main.js) as a child process in a fresh temporary directory and asserts
 *   - the exit code (0, or an error: 2 for usage errors, 1 for runtime failures);
 *   - that stderr names the problem (a regex), or stdout says what was done;
 *   - that nothing outside gradflat's own outputs changed: every file the case put there
 *     before is still there with the same content, and new files appear only under the
 *     directories given to --out (or the case's declared outputs).
 * Cases `P<n>` keep the numbers an outside bad-input probe gave them, so a report names its case;
 * `X…` are ours. A case may carry `todo` (a known weakness: it runs, but a failure does not fail the
 * build); none does today. Exit codes are checked exactly (docs/running.md, "Exit codes").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOpenBlasKernels } from '../core/linalg/kernels-openblas.js';

const CLI = fileURLToPath(new URL('./main.js', import.meta.url));
const HAVE_OPENBLAS = 'kernels' in loadOpenBlasKernels();
const IS_ROOT = process.getuid?.() === 0;

interface Result { code: number | null; signal: string | null; stdout: string; stderr: string }

interface Case {
  id: string;
  /** CLI arguments; several lists run in order (all but the last must succeed). */
  args: string[] | string[][];
  rc: 0 | 1 | 2;
  stderr?: RegExp;
  stdout?: RegExp;
  /** Files to create first (relative path → content), or a function that prepares the directory. */
  files?: Record<string, string | Buffer>;
  setup?: (dir: string) => void | Promise<void>;
  /** Files the case itself edits between commands (exempt from the unchanged-files check). */
  edits?: string[];
  /** Paths (relative) gradflat may write besides the --out values. */
  outputs?: string[];
  env?: Record<string, string>;
  /** Extra checks after the run. */
  check?: (dir: string, r: Result) => void;
  /** Runs the command with a shell prefix (e.g. ulimit). */
  shell?: string;
  todo?: string;
  skip?: string | false;
  /** Custom runner (signals, concurrency); returns the result to assert. */
  run?: (dir: string) => Promise<Result>;
}

// ---------------------------------------------------------------------------- fixtures

/** Deterministic pseudo-random numbers (an LCG), so every fixture is the same on every machine. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 * 2 - 1;
  };
}
function csvRows(rows: number, cols: number, seed = 1): string[] {
  const r = lcg(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => r().toFixed(6)).join(','));
}
const csv = (rows: number, cols = 16, seed = 1) => csvRows(rows, cols, seed).join('\n') + '\n';
const GOOD = csv(60);
/** `lines` with line i (0-based) replaced by `row`. */
const withRow = (i: number, row: string) => csvRows(60, 16).map((l, j) => (j === i ? row : l)).join('\n') + '\n';
const cells = (i: number, value: string) => { const c = csvRows(1, 16, 9)[0].split(','); c[i] = value; return c.join(','); };

const SUITE = (extra = '', name = 'ok') => `name: ${name}\nproblem: { name: quartic, seed: 1, grid: 2 }\nseed: 1\nstarts: { count: 4 }\niterations: 2\nsteppers:\n  - { stepper: newton-mr }\nprobe: { kind: none }\n${extra}`;
const LAE_SUITE = (data: string) => `name: lae\nproblem: { name: linear-ae, seed: 1, dataFile: ${data}, starts: { trainings: 1, steps: 5 } }\nseed: 1\nstarts: { count: 2 }\niterations: 1\nsteppers:\n  - { stepper: newton-mr }\nprobe: { kind: none }\n`;

/** A plugin file that needs no 'gradflat' import: gradient descent, failing or going NaN at a step. */
function plugin(name: string, opts: { throwAt?: number; nanAt?: number; importThrow?: boolean } = {}): string {
  return `${opts.importThrow ? 'throw new Error("boom at import time");\n' : ''}
const dot = (a, b) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };
const work = () => ({ loss: 0, gradient: 1, hvp: 0, gvp: 0, statistics: 0 });
export default { name: ${JSON.stringify(name)}, description: 'test gradient descent', hyperparameters: {}, create: (oracle) => {
  const at = (t, it) => { const { loss, gradient } = oracle.gradient(t); return { iteration: it, theta: Float64Array.from(t), loss, gradient: Float64Array.from(gradient), gradNormSq: dot(gradient, gradient), extra: {} }; };
  return {
    init: (t) => at(t, 0),
    step: (s) => {
      const it = s.iteration + 1;
      ${opts.throwAt ? `if (it >= ${opts.throwAt}) throw new Error('deliberate failure at step ' + it);` : ''}
      let next = at(s.theta.map((x, i) => x - 0.01 * s.gradient[i]), it);
      ${opts.nanAt ? `if (it >= ${opts.nanAt}) next = { ...next, loss: NaN, gradNormSq: NaN };` : ''}
      return { state: next, metrics: { iteration: s.iteration, loss: s.loss, gradNormSq: s.gradNormSq, alpha: 0.01, directionNorm: Math.sqrt(s.gradNormSq), stepNorm: 0.01 * Math.sqrt(s.gradNormSq), work: work() } };
    },
  };
} };
`;
}

/** `args` with `flag` set to `value` (replaced where present: a repeated flag would become a list). */
function set(args: string[], ...pairs: string[]): string[] {
  const out = [...args];
  for (let k = 0; k < pairs.length; k += 2) {
    const i = out.indexOf(pairs[k]);
    if (i >= 0) out[i + 1] = pairs[k + 1]; else out.push(pairs[k], pairs[k + 1]);
  }
  return out;
}

const Q = ['run', '--problem', 'quartic', '--grid', '2', '--iterations', '1'];
const LAE = ['run', '--problem', 'linear-ae', '--samples', '50', '--runs', '1', '--iterations', '1', '--train-steps', '5'];
const SW = ['run', '--problem', 'swish-ae', '--samples', '50', '--runs', '1', '--iterations', '1', '--train-steps', '5'];
const O = ['--out', 'out'];
const HP = (...hp: string[]) => [...Q, '--stepper', 'newton-mr', ...hp.flatMap((h) => ['--hp', h]), ...O];

/** A finished quartic run directory `name` (made by the CLI itself). */
const madeRun = (name: string, extra: string[] = []) => [...set(Q, ...extra.filter((a) => a !== '--force')), '--out', name, ...(extra.includes('--force') ? ['--force'] : [])];

// ---------------------------------------------------------------------------- the corpus

const cases: Case[] = [
  // Problems, steppers and numeric flags.
  { id: 'P1 unknown problem', args: ['run', '--problem', 'bogus', ...O], rc: 2, stderr: /unknown problem 'bogus'\. Available problems: quartic, linear-ae/ },
  { id: 'P2 unknown stepper', args: [...Q, '--stepper', 'bogus', ...O], rc: 2, stderr: /unknown stepper 'bogus'\. Registered steppers: .*newton-mr/ },
  { id: 'P3 --runs -3', args: [...set(LAE, '--runs', '-3'), ...O], rc: 2, stderr: /runs: must be ≥ 1, got -3/ },
  { id: 'P4 --runs 0', args: [...set(LAE, '--runs', '0'), ...O], rc: 2, stderr: /runs: must be ≥ 1, got 0/ },
  { id: 'P5 --runs NaN', args: [...set(LAE, '--runs', 'NaN'), ...O], rc: 2, stderr: /--runs must be a number/ },
  { id: 'P6 --runs abc', args: [...set(LAE, '--runs', 'abc'), ...O], rc: 2, stderr: /--runs must be a number/ },
  { id: 'P7 --runs 2.5', args: [...set(LAE, '--runs', '2.5'), ...O], rc: 2, stderr: /runs: must be an integer, got 2\.5/ },
  { id: 'P8 --runs 1e12 (bounded by memory)', args: [...set(LAE, '--runs', '1e12'), ...O], rc: 2, stderr: /--runs 1000000000000 is too large: .* would need about [\d.]+ [PTE]B/ },
  { id: 'P9 --iterations -1', args: [...set(Q, '--iterations', '-1'), ...O], rc: 2, stderr: /iterations: must be ≥ 0, got -1/ },
  { id: 'P10 --iterations Infinity', args: [...set(Q, '--iterations', 'Infinity'), ...O], rc: 2, stderr: /iterations: must be a finite number, got Infinity/ },
  { id: 'P11 --iterations 0', args: [...set(Q, '--iterations', '0'), ...O], rc: 0, stdout: /quartic × newton-mr: 4 runs/ },
  { id: 'P12 --seed -1', args: [...set(Q, '--seed', '-1'), ...O], rc: 0, stdout: /wrote out\/summary\.json/ },
  { id: 'P13 --seed 1.5', args: [...set(Q, '--seed', '1.5'), ...O], rc: 2, stderr: /seed: must be an integer, got 1\.5/ },
  { id: 'P14 --seed abc', args: [...set(Q, '--seed', 'abc'), ...O], rc: 2, stderr: /--seed must be a number/ },
  { id: 'P15 --samples 0', args: [...set(LAE, '--samples', '0'), ...O], rc: 2, stderr: /option 'samples' must be ≥ 1, got 0/ },
  { id: 'P16 --samples 1', args: [...set(LAE, '--samples', '1'), ...O], rc: 2, stderr: /1 sample, too few for the linear-ae problem: it needs at least 16.*--samples ≥ 16/ },
  { id: 'P17a --samples 1e15', args: [...set(LAE, '--samples', '1e15'), ...O], rc: 2, stderr: /--samples 1000000000000000 is too large: the data .* would need about 512 PB/ },
  { id: 'P17b --samples 3e8', args: [...set(LAE, '--samples', '3e8'), ...O], rc: 2, stderr: /--samples 300000000 is too large: the data .* would need about 154 GB/ },
  { id: 'P18 --grid 0', args: [...set(Q, '--grid', '0'), ...O], rc: 2, stderr: /option 'grid' must be ≥ 1, got 0/ },
  { id: 'P19 --grid 100000', args: [...set(Q, '--grid', '100000'), ...O], rc: 2, stderr: /--grid 100000 is too large: 1\.00e\+10 runs .* would need about [\d.]+ TB/ },
  { id: 'P20 --l2 -1', args: [...set(SW, '--l2', '-1'), ...O], rc: 2, stderr: /option 'l2' must be ≥ 0, got -1/ },
  { id: 'P21 --index-cutoff -1', args: [...set(Q, '--index-cutoff', '-1'), ...O], rc: 2, stderr: /indexCutoff: must be ≥ 0, got -1/ },
  { id: 'P22 unknown flag', args: [...Q, '--bogus-flag', '1', ...O], rc: 2, stderr: /Unknown arguments: bogus-flag/ },
  { id: 'P23 unknown command', args: ['bogus-command'], rc: 2, stderr: /Unknown argument: bogus-command/ },
  // Hyperparameters.
  { id: 'P24 --hp rtol=-1', args: HP('rtol=-1'), rc: 2, stderr: /stepper 'newton-mr': hyperparameter 'rtol' must be > 0, got -1/ },
  { id: 'P25 --hp rtol=abc', args: HP('rtol=abc'), rc: 2, stderr: /'rtol' must be a finite number, got "abc"/ },
  { id: 'P26 --hp maxit=0', args: HP('maxit=0'), rc: 2, stderr: /'maxit' must be ≥ 1, got 0/ },
  { id: 'P27 --hp beta=1', args: HP('beta=1'), rc: 2, stderr: /'beta' must be < 1, got 1/ },
  { id: 'P28 adam beta1=1', args: [...Q, '--stepper', 'adam', '--hp', 'beta1=1', ...O], rc: 2, stderr: /stepper 'adam': hyperparameter 'beta1' must be < 1, got 1/ },
  { id: 'P29 --hp maxit=2.5', args: HP('maxit=2.5'), rc: 2, stderr: /'maxit' must be an integer, got 2\.5/ },
  { id: 'P30a --hp rtol=NaN', args: HP('rtol=NaN'), rc: 2, stderr: /'rtol' must be a finite number, got "NaN"/ },
  { id: 'P30b --hp rtol=Infinity', args: HP('rtol=Infinity'), rc: 2, stderr: /'rtol' must be a finite number/ },
  { id: 'P30c --hp maxit=1e400', args: HP('maxit=1e400'), rc: 2, stderr: /'maxit' must be a finite number/ },
  { id: 'P31a --hp unitStepFirst=maybe', args: HP('unitStepFirst=maybe'), rc: 2, stderr: /'unitStepFirst' must be true or false, got "maybe"/ },
  { id: 'P31b --hp unitStepFirst=0', args: HP('unitStepFirst=0'), rc: 2, stderr: /'unitStepFirst' must be true or false/ },
  { id: 'P32 --hp forcing=bogus', args: HP('forcing=bogus'), rc: 2, stderr: /'forcing' must be one of none, sqrt-gradient, gradient, got "bogus"/ },
  { id: 'P33 --hp bogus=1', args: HP('bogus=1'), rc: 2, stderr: /unknown hyperparameter 'bogus'\. Known: rtol, maxit/ },
  { id: 'P34 --hp rtol', args: HP('rtol'), rc: 2, stderr: /--hp expects key=value, got 'rtol'/ },
  { id: 'P35 --hp rtol=', args: HP('rtol='), rc: 2, stderr: /'rtol' must be a finite number, got ""/ },
  { id: 'P36 --hp =5', args: HP('=5'), rc: 2, stderr: /--hp expects key=value, got '=5'/ },
  {
    id: 'P37 --hp twice: the last wins', args: HP('rtol=1e-4', 'rtol=1e-6'), rc: 0,
    check: (dir) => assert.equal(JSON.parse(readFileSync(join(dir, 'out', 'manifest.json'), 'utf8')).identity.config.hyperparameters.rtol, 1e-6),
  },
  // --out.
  { id: 'P38 run without --out', args: Q, rc: 2, stderr: /Missing required argument: out/ },
  { id: 'P39 --out a regular file', args: [...Q, '--out', 'afile.txt'], files: { 'afile.txt': 'mine\n' }, rc: 2, stderr: /afile\.txt/ },
  { id: 'P40 --out under a read-only parent', args: [...Q, '--out', 'ro555/x'], setup: (d) => { mkdirSync(join(d, 'ro555')); chmodSync(join(d, 'ro555'), 0o555); }, rc: 2, stderr: /EACCES|permission denied/, skip: IS_ROOT && 'root ignores directory permissions' },
  { id: 'P41 --out a read-only directory', args: [...Q, '--out', 'ro555'], setup: (d) => { mkdirSync(join(d, 'ro555')); chmodSync(join(d, 'ro555'), 0o555); }, rc: 2, stderr: /EACCES|permission denied/, skip: IS_ROOT && 'root ignores directory permissions' },
  { id: 'P42 --out with spaces and Unicode, then report', args: [madeRun('dir with spaces/ünïcødé 実験'), ['report', 'dir with spaces/ünïcødé 実験', '--no-svg']], rc: 0, stdout: /report: .*ünïcødé 実験/ },
  { id: 'P43 run --out "" (would write into the cwd)', args: [...Q, '--out', ''], files: { 'runs/keep.txt': 'mine', 'summary.json': '{"mine":1}' }, rc: 2, stderr: /--out must name a directory, got ""/ },
  { id: 'P44 suite --out ""', args: ['suite', 'ok.yaml', '--out', ''], files: { 'ok.yaml': SUITE(), 'runs/keep.txt': 'mine' }, rc: 2, stderr: /--out must name a directory/ },
  { id: 'P45 --out with a 300-character name', args: [...Q, '--out', `LP/${'a'.repeat(300)}`], rc: 2, stderr: /ENAMETOOLONG/, outputs: ['LP'] },
  { id: 'P46 --out a 4421-character path', args: [...Q, '--out', `LP2/${Array.from({ length: 17 }, () => 'd'.repeat(255)).join('/')}`], rc: 2, stderr: /ENAMETOOLONG/, outputs: ['LP2'] },
  // --config.
  { id: 'P47 --config truncated JSON', args: [...Q, '--config', 'cfg-bad.json', ...O], files: { 'cfg-bad.json': '{"runs": 2, ' }, rc: 2, stderr: /config file cfg-bad\.json is not valid JSON/ },
  { id: 'P48a --config unknown field runz', args: ['run', '--config', 'c.json', ...O], files: { 'c.json': JSON.stringify({ problem: { name: 'quartic', grid: 2 }, runz: 2 }) }, rc: 2, stderr: /runz: unknown field\. Valid fields: problem, stepper/ },
  { id: 'P48b --config problem.sampels', args: ['run', '--config', 'c.json', ...O], files: { 'c.json': JSON.stringify({ problem: { name: 'linear-ae', sampels: 50 } }) }, rc: 2, stderr: /problem\.sampels: unknown field\. Valid fields of problem: name, seed, starts, samples/ },
  { id: 'P48c --config runs as a string', args: ['run', '--config', 'c.json', ...O], files: { 'c.json': JSON.stringify({ problem: { name: 'linear-ae', samples: 50 }, runs: '2' }) }, rc: 2, stderr: /runs: must be a finite number, got "2"/ },
  // "problem": "quartic" names the problem with its defaults, like --problem (docs/running.md).
  { id: 'P49 --config problem as a string', args: ['run', '--config', 'c.json', ...O], files: { 'c.json': JSON.stringify({ problem: 'quartic', runs: 1, iterations: 1 }) }, rc: 0, stdout: /wrote out\/summary\.json/, outputs: ['out'] },
  // Suites: workers.
  { id: 'P50a suite --workers 0', args: ['suite', 'ok.yaml', '--workers', '0', ...O], files: { 'ok.yaml': SUITE() }, rc: 2, stderr: /--workers must be a positive integer/ },
  { id: 'P50b suite --workers -2', args: ['suite', 'ok.yaml', '--workers', '-2', ...O], files: { 'ok.yaml': SUITE() }, rc: 2, stderr: /--workers must be a positive integer/ },
  {
    id: 'P51 suite --workers 16 with OpenBLAS', args: ['suite', 'ok.yaml', '--workers', '16', '--kernels', 'openblas', ...O],
    files: { 'ok.yaml': SUITE().replace('grid: 2', 'grid: 4').replace('count: 4', 'count: 16') }, rc: 0, stdout: /wrote out\/summary\.json/, skip: !HAVE_OPENBLAS && 'OpenBLAS unavailable',
  },
  { id: 'P52 report --max-points 0', args: [madeRun('S00'), ['report', 'S00', '--max-points', '0']], rc: 2, stderr: /--max-points must be an integer from 4/ },
  // Data files.
  { id: 'P53 empty CSV', args: [...LAE, '--data', 'data/empty.csv', ...O], files: { 'data/empty.csv': '' }, rc: 2, stderr: /data file data\/empty\.csv is empty/ },
  { id: 'P54 header row', args: [...LAE, '--data', 'data/header.csv', ...O], files: { 'data/header.csv': Array.from({ length: 16 }, (_, i) => `x${i}`).join(',') + '\n' + GOOD }, rc: 2, stderr: /data\/header\.csv:1: column 1 is "x0", not a finite number \(the file must have no header row\)/ },
  { id: 'P55 ragged rows', args: [...LAE, '--data', 'data/ragged.csv', ...O], files: { 'data/ragged.csv': csv(1, 12) + csv(5, 16) }, rc: 2, stderr: /data\/ragged\.csv:2: row has 16 values but the first row has 12/ },
  { id: 'P56 NaN cell', args: [...LAE, '--data', 'data/nan.csv', ...O], files: { 'data/nan.csv': withRow(5, cells(3, 'NaN')) }, rc: 2, stderr: /data\/nan\.csv:6: column 4 is "NaN", not a finite number/ },
  { id: 'P57a Infinity cell', args: [...LAE, '--data', 'data/inf.csv', ...O], files: { 'data/inf.csv': withRow(9, cells(0, 'Infinity')) }, rc: 2, stderr: /data\/inf\.csv:10: column 1 is "Infinity", not a finite number/ },
  { id: 'P57b 1e999 cell', args: [...LAE, '--data', 'data/big.csv', ...O], files: { 'data/big.csv': withRow(2, cells(1, '1e999')) }, rc: 2, stderr: /data\/big\.csv:3: column 2 is "1e999", not a finite number/ },
  { id: 'P58 15 columns', args: [...LAE, '--data', 'data/c15.csv', ...O], files: { 'data/c15.csv': csv(40, 15) }, rc: 2, stderr: /data\/c15\.csv: the linear-ae problem needs 16 columns per sample, the file has 15/ },
  { id: 'P59a 17 columns (linear-ae)', args: [...LAE, '--data', 'data/c17.csv', ...O], files: { 'data/c17.csv': csv(40, 17) }, rc: 2, stderr: /the linear-ae problem needs 16 columns per sample, the file has 17/ },
  { id: 'P59b 17 columns (swish-ae)', args: [...SW, '--data', 'data/c17.csv', ...O], files: { 'data/c17.csv': csv(40, 17) }, rc: 2, stderr: /the swish-ae problem needs 16 columns per sample, the file has 17/ },
  { id: 'P60 one-row CSV', args: [...LAE, '--data', 'data/single.csv', ...O], files: { 'data/single.csv': csv(1) }, rc: 2, stderr: /data\/single\.csv: 1 sample, too few for the linear-ae problem.*Give at least 16 rows/ },
  { id: 'P61 200 identical rows', args: [...LAE, '--data', 'data/const.csv', ...O], files: { 'data/const.csv': Array(200).fill(csvRows(1, 16)[0]).join('\n') + '\n' }, rc: 2, stderr: /data\/const\.csv: the 200 samples span only 1 of 16 dimensions/ },
  { id: 'P62 CRLF line ends', args: [...SW, '--data', 'data/crlf.csv', ...O], files: { 'data/crlf.csv': GOOD.replace(/\n/g, '\r\n') }, rc: 0, stdout: /swish-ae × newton-mr: 1 runs/ },
  { id: 'P63 trailing comma', args: [...LAE, '--data', 'data/tc.csv', ...O], files: { 'data/tc.csv': csvRows(40, 16).map((l) => l + ',').join('\n') }, rc: 2, stderr: /data\/tc\.csv:1: column 17 is "", not a finite number/ },
  { id: 'P64 semicolons', args: [...LAE, '--data', 'data/semi.csv', ...O], files: { 'data/semi.csv': GOOD.replace(/,/g, ';') }, rc: 2, stderr: /data\/semi\.csv:1: column 1 is ".*;.*", not a finite number/ },
  { id: 'P65a empty cell', args: [...LAE, '--data', 'data/ec.csv', ...O], files: { 'data/ec.csv': withRow(3, cells(4, '')) }, rc: 2, stderr: /data\/ec\.csv:4: column 5 is "", not a finite number/ },
  { id: 'P65b whitespace cell', args: [...LAE, '--data', 'data/ws.csv', ...O], files: { 'data/ws.csv': withRow(3, cells(4, '   ')) }, rc: 2, stderr: /data\/ws\.csv:4: column 5 is ".*", not a finite number/ },
  { id: 'P66 1.5abc cell', args: [...LAE, '--data', 'data/text.csv', ...O], files: { 'data/text.csv': withRow(3, cells(4, '1.5abc')) }, rc: 2, stderr: /data\/text\.csv:4: column 5 is "1\.5abc", not a finite number/ },
  { id: 'P67a 0x10 cell', args: [...LAE, '--data', 'data/hex.csv', ...O], files: { 'data/hex.csv': withRow(3, cells(4, '0x10')) }, rc: 2, stderr: /data\/hex\.csv:4: column 5 is "0x10", not a finite number/ },
  { id: 'P67b 0b101 cell', args: [...LAE, '--data', 'data/bin.csv', ...O], files: { 'data/bin.csv': withRow(3, cells(4, '0b101')) }, rc: 2, stderr: /data\/bin\.csv:4: column 5 is "0b101"/ },
  { id: 'P68 binary file', args: [...LAE, '--data', 'data/binary.bin', ...O], files: { 'data/binary.bin': Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 2654435761) >>> 24)) }, rc: 2, stderr: /data\/binary\.bin:1: column 1 is .*not a finite number/ },
  { id: 'P69 missing data file', args: [...LAE, '--data', 'data/nope.csv', ...O], rc: 2, stderr: /data file not found: data\/nope\.csv/ },
  { id: 'P70 --data a directory', args: [...LAE, '--data', 'data', ...O], files: { 'data/a.csv': GOOD }, rc: 2, stderr: /data.*is a directory/ },
  { id: 'P71 BOM and blank lines', args: [...SW, '--data', 'data/bom.csv', ...O], files: { 'data/bom.csv': '\ufeff' + GOOD.replace(/\n/, '\n\n') + '\n\n' }, rc: 0, stdout: /swish-ae × newton-mr: 1 runs/ },
  { id: 'P72 quartic --data', args: [...Q, '--data', 'good.csv', ...O], files: { 'good.csv': GOOD }, rc: 2, stderr: /problem\.dataFile: unknown field\. Valid fields of problem: name, seed, starts, grid \(problem 'quartic'/ },
  // Suite files.
  { id: 'P73 suite YAML syntax error', args: ['suite', 's.yaml', ...O], files: { 's.yaml': 'name: x\nsteppers:\n{ stepper: newton-mr\n' }, rc: 2, stderr: /suite file s\.yaml is not valid YAML/ },
  { id: 'P74 suite unknown field', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE('iteratons: 3\n') }, rc: 2, stderr: /iteratons: unknown field\. Valid fields: name, problem, seed/ },
  { id: 'P75 suite problem.sampels', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE().replace('grid: 2', 'grid: 2, sampels: 3') }, rc: 2, stderr: /problem\.sampels: unknown field\. Valid fields of problem/ },
  // Problem options follow the hyperparameter rules (docs/problems.md): a numeric string is its number.
  { id: 'P76 suite grid as a string', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE().replace('grid: 2', 'grid: "3"') }, rc: 0, stdout: /ok on quartic: 9 trained starts/, outputs: ['out'] },
  { id: 'P76b suite grid as a word', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE().replace('grid: 2', 'grid: three') }, rc: 2, stderr: /problem\.grid: must be a finite number, got "three"/ },
  { id: 'P77 suite steppers as a string', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE().replace(/steppers:\n.*\n/, 'steppers: newton-mr\n') }, rc: 2, stderr: /steppers: must be a list, got "newton-mr"/ },
  { id: 'P78 suite without seed', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE().replace('seed: 1\nstarts', 'starts') }, rc: 2, stderr: /seed: is required/ },
  { id: 'P79 suite unknown stepper', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE().replace('stepper: newton-mr', 'stepper: newton-rm') }, rc: 2, stderr: /steppers\[0\]\.stepper: unknown stepper 'newton-rm'/ },
  { id: 'P80 suite duplicate labels', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE('  - { stepper: newton-mr }\n').replace('probe: { kind: none }\n  - { stepper: newton-mr }\n', '  - { stepper: newton-mr }\nprobe: { kind: none }\n') }, rc: 2, stderr: /steppers\[1\]\.label: 'newton-mr' is already used by steppers\[0\]/ },
  { id: 'P81 suite iterations -5', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE().replace('iterations: 2', 'iterations: -5') }, rc: 2, stderr: /iterations: must be ≥ 0, got -5/ },
  { id: 'P82 suite label escaping the directory', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE().replace('{ stepper: newton-mr }', '{ stepper: newton-mr, label: "../../escape" }') }, rc: 2, stderr: /steppers\[0\]\.label: must be letters, digits/ },
  { id: 'P83 suite steppers: []', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE().replace(/steppers:\n.*\n/, 'steppers: []\n') }, rc: 2, stderr: /steppers: must have at least 1 entry/ },
  { id: 'P84 suite adam lr', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE().replace('{ stepper: newton-mr }', '{ stepper: adam, hyperparameters: { lr: 0.1 } }') }, rc: 2, stderr: /steppers\[0\]\.hyperparameters: stepper 'adam': unknown hyperparameter 'lr'/ },
  { id: 'P85 suite empty file', args: ['suite', 'empty.yaml', ...O], files: { 'empty.yaml': '' }, rc: 2, stderr: /empty\.yaml.*(empty|no settings|nothing)/i },
  { id: 'P86 suite top-level list', args: ['suite', 's.yaml', ...O], files: { 's.yaml': '- just\n- a list\n' }, rc: 2, stderr: /must be an object, got \["just","a list"\]/ },
  { id: 'P87 suite duplicate key', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE('seed: 2\n') }, rc: 2, stderr: /not valid YAML: Map keys must be unique/ },
  { id: 'P88 suite JSON with a comment', args: ['suite', 'comments.json', ...O], files: { 'comments.json': '{ // x\n "name": "a" }' }, rc: 2, stderr: /suite file comments\.json is not valid JSON/ },
  { id: 'P89a suite .txt extension', args: ['suite', 'ok.txt', ...O], files: { 'ok.txt': SUITE() }, rc: 2, stderr: /suite file ok\.txt: use a \.json, \.yaml or \.yml file \(got '\.txt'\)/ },
  { id: 'P89b suite file missing', args: ['suite', 'missing.yaml', ...O], rc: 2, stderr: /missing\.yaml.*no such file/ },
  { id: 'P90 suite plugin missing', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE('plugins: [does-not-exist.js]\n') }, rc: 2, stderr: /plugin file not found: .*does-not-exist\.js/ },
  { id: 'P91a suite dataFile missing', args: ['suite', 's.yaml', ...O], files: { 's.yaml': LAE_SUITE('missing.csv') }, rc: 2, stderr: /data file not found: .*missing\.csv/ },
  { id: 'P91b suite dataFile with NaN', args: ['suite', 's.yaml', ...O], files: { 's.yaml': LAE_SUITE('nan.csv'), 'nan.csv': withRow(5, cells(3, 'NaN')) }, rc: 2, stderr: /nan\.csv:6: column 4 is "NaN"/ },
  // Plugins.
  { id: 'P92 plugin throws at import', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE('plugins: [throw-import.js]\n'), 'throw-import.js': plugin('ti', { importThrow: true }) }, rc: 2, stderr: /plugin file .*throw-import\.js failed to load: boom at import time/ },
  { id: 'P93 plugin step() throws (suite)', args: ['suite', 's.yaml', '--workers', '1', ...O], files: { 's.yaml': SUITE('plugins: [throw-step.js]\n').replace('stepper: newton-mr', 'stepper: throw-step').replace('iterations: 2', 'iterations: 5'), 'throw-step.js': plugin('throw-step', { throwAt: 3 }) }, rc: 1, stderr: /throw-step run 0 failed: step 2 threw: deliberate failure at step 3/ },
  {
    id: 'P94 plugin step() returns NaN', args: ['suite', 's.yaml', '--workers', '1', ...O], files: { 's.yaml': SUITE('plugins: [nan-step.js]\n').replace('stepper: newton-mr', 'stepper: nan-step').replace('iterations: 2', 'iterations: 5'), 'nan-step.js': plugin('nan-step', { nanAt: 3 }) }, rc: 0,
    check: (dir) => assert.match(JSON.parse(readFileSync(join(dir, 'out', 'runs', 'nan-step', 'run-000.json'), 'utf8')).stopReason, /non-finite loss or gradient after step \d \(kept the last finite point\)/),
  },
  { id: 'P95 plugin step() throws (run)', args: [...set(Q, '--iterations', '5'), '--plugin', 'throw-step.js', '--stepper', 'throw-step', ...O], files: { 'throw-step.js': plugin('throw-step', { throwAt: 3 }) }, rc: 1, stderr: /stepper 'throw-step' run 0 of 4 failed: step 2 threw: deliberate failure at step 3/ },
  { id: 'P96a plugin name clash', args: [...Q, '--plugin', 'dupname.js', ...O], files: { 'dupname.js': plugin('newton-mr') }, rc: 2, stderr: /dupname\.js: the default export is named 'newton-mr', but a different/ },
  { id: 'P96b plugin bad name', args: [...Q, '--plugin', 'badname.js', ...O], files: { 'badname.js': plugin('Bad Name!') }, rc: 2, stderr: /badname\.js/ },
  { id: 'P96c CSV as a plugin', args: [...Q, '--plugin', 'good.csv', ...O], files: { 'good.csv': GOOD }, rc: 2, stderr: /good\.csv/ },
  // Run directories: resume, --force, foreign directories.
  { id: 'P97 rerun with another config', args: [madeRun('base1'), madeRun('base1', ['--iterations', '6'])], rc: 2, stderr: /base1 holds a run with a different configuration/ },
  {
    id: 'P98 rerun with another config and --force', args: [[...set(Q, '--grid', '3'), '--out', 'base2'], madeRun('base2', ['--force'])], rc: 0,
    check: (dir) => assert.deepEqual(readdirSync(join(dir, 'base2', 'runs')).filter((f) => f.endsWith('.json')).sort(), ['run-000.json', 'run-001.json', 'run-002.json', 'run-003.json']),
  },
  // P99 (truncated record, rerun): X62 below.
  { id: 'P101 suite: summary.json deleted, summarize', args: [['suite', 'ok.yaml', '--workers', '1', '--out', 'S'], ['summarize', 'S']], files: { 'ok.yaml': SUITE() }, rc: 0, stdout: /wrote S\/summary\.json/ },
  { id: 'P103 report an empty directory', args: ['report', 'emptydir'], setup: (d) => mkdirSync(join(d, 'emptydir')), rc: 2, stderr: /emptydir is empty: nothing to report/ },
  { id: 'P104a report a missing directory', args: ['report', 'nonexist-dir'], rc: 2, stderr: /nonexist-dir: no such directory/ },
  { id: 'P104b summarize a missing directory', args: ['summarize', 'nonexist-dir'], rc: 2, stderr: /nonexist-dir: no such directory/ },
  { id: 'P105 report a directory of random files', args: ['report', 'randdir2'], files: { 'randdir2/a.bin': Buffer.from([1, 2, 3]), 'randdir2/notes.txt': 'n' }, rc: 2, stderr: /randdir2 holds no gradflat run \(no manifest\.json; found a\.bin, notes\.txt\)/ },
  { id: 'P106 report a foreign manifest.json', args: ['report', 'randdir'], files: { 'randdir/manifest.json': '{"name":"web"}' }, rc: 2, stderr: /randdir\/manifest\.json is not a gradflat manifest/ },
  { id: 'P107 summarize a foreign manifest.json', args: ['summarize', 'randdir'], files: { 'randdir/manifest.json': '{"name":"web"}' }, rc: 2, stderr: /randdir\/manifest\.json is not a gradflat manifest/ },
  { id: 'P108 --out a non-empty foreign directory', args: [...Q, '--out', 'userdir'], files: { 'userdir/thesis.tex': 'mine' }, rc: 2, stderr: /userdir: refusing to write there: it is not empty and holds no gradflat run/ },
  { id: 'P109 the same with --force (deleted user files)', args: [...Q, '--out', 'userdir', '--force'], files: { 'userdir/runs/mine.txt': 'mine', 'userdir/report/index.html': 'mine', 'userdir/summary.json': '{"mine":1}', 'userdir/thesis.tex': 'x' }, rc: 2, stderr: /userdir: refusing --force: .*would have deleted or overwritten (?=.*runs)(?=.*report)(?=.*summary\.json)/ },
  { id: 'P110 --out holding a web-app manifest.json', args: [...Q, '--out', 'webproj'], files: { 'webproj/manifest.json': '{"name":"my app","icons":[]}', 'webproj/index.html': '<html>' }, rc: 2, stderr: /webproj: .*manifest\.json is not a gradflat manifest/ },
  {
    id: 'P111 suite data edited after a run', args: [['suite', 's.yaml', '--workers', '1', '--out', 'SD'], ['suite', 's.yaml', '--workers', '1', '--out', 'SD']],
    files: { 's.yaml': LAE_SUITE('d.csv'), 'd.csv': GOOD }, rc: 2, stderr: /SD holds a run with a different configuration/, outputs: ['SD'], edits: ['d.csv'],
    run: async (dir) => {
      const first = await cli(dir, ['suite', 's.yaml', '--workers', '1', '--out', 'SD']);
      assert.equal(first.code, 0, first.stderr);
      writeFileSync(join(dir, 'd.csv'), csv(60, 16, 2));
      return cli(dir, ['suite', 's.yaml', '--workers', '1', '--out', 'SD']);
    },
  },
  { id: 'P112 resume an OpenBLAS directory with TypeScript kernels', args: [madeRun('K06', ['--kernels', 'openblas']), madeRun('K06', ['--kernels', 'typescript'])], rc: 2, stderr: /K06.*kernels/, skip: !HAVE_OPENBLAS && 'OpenBLAS unavailable' },
  // Faults: kills, descriptors, signals, memory.
  { id: 'P113 SIGKILL a run, rerun: same results as uninterrupted', args: [], rc: 0, run: (dir) => killAndResume(dir, set(Q, '--grid', '12', '--iterations', '60'), 'K') },
  { id: 'P115 SIGKILL a suite, rerun: same results as uninterrupted', args: [], rc: 0, files: { 'ok.yaml': SUITE().replace('grid: 2', 'grid: 10').replace('count: 4', 'count: 100').replace('iterations: 2', 'iterations: 60') }, run: (dir) => killAndResume(dir, ['suite', 'ok.yaml', '--workers', '1'], 'SK') },
  { id: 'P117 144 runs under ulimit -n 100 (one descriptor leaked per run)', args: [...set(Q, '--grid', '12'), ...O], shell: 'ulimit -n 100;', rc: 0, stdout: /144 runs/ },
  {
    id: 'P120 SIGINT mid-suite, then resume', args: [], rc: 0, files: { 'ok.yaml': SUITE().replace('grid: 2', 'grid: 10').replace('count: 4', 'count: 100').replace('iterations: 2', 'iterations: 100') },
    run: async (dir) => {
      const first = await cli(dir, ['suite', 'ok.yaml', '--workers', '1', ...O], { killAfterMs: 1500, signal: 'SIGINT' });
      assert.ok(first.signal === 'SIGINT' || first.code === 130 || first.code === 0, `SIGINT: exit ${first.code} ${first.signal}\n${first.stderr}`);
      return cli(dir, ['suite', 'ok.yaml', '--workers', '1', ...O]);
    },
  },
  { id: 'P121a GRADFLAT_KERNELS=bogus (info)', args: ['info'], env: { GRADFLAT_KERNELS: 'bogus' }, rc: 2, stderr: /GRADFLAT_KERNELS must be one of auto\|typescript\|openblas \(got 'bogus'\)/ },
  { id: 'P121b GRADFLAT_KERNELS=bogus (run)', args: [...Q, ...O], env: { GRADFLAT_KERNELS: 'bogus' }, rc: 2, stderr: /GRADFLAT_KERNELS must be one of/ },
  { id: 'P122 --kernels bogus', args: [...Q, '--kernels', 'bogus', ...O], rc: 2, stderr: /Invalid values:[\s\S]*Argument: kernels, Given: "bogus"/ },
  { id: 'P125 a 16 MB heap', args: [...set(Q, '--grid', '4'), ...O], env: { NODE_OPTIONS: '--max-old-space-size=16' }, rc: 0, stdout: /16 runs/ },
  { id: 'P126a reproduce --figures bogus', args: ['reproduce', '--figures', 'bogus', ...O], rc: 2, stderr: /--figures: unknown figure 'bogus'\. Figures: fig1-linear/ },
  { id: 'P126b reproduce --figures with an empty entry', args: ['reproduce', '--figures', 'fig1-linear,,fig1-linear', ...O], rc: 2, stderr: /--figures: unknown figure ''/ },
  { id: 'P127 reproduce --measure-only with nothing on disk', args: ['reproduce', '--measure-only', '--out', 'nonexist-re'], rc: 1, stderr: /nonexist-re.*(nothing|no suite|not run|holds none)/i },
  { id: 'P128 demo --out a regular file', args: ['demo', '--quick', '--out', 'afile.txt'], files: { 'afile.txt': 'mine' }, rc: 2, stderr: /afile\.txt/ },

  // Our own: more bad flags.
  { id: 'X1 --grid -1', args: [...set(Q, '--grid', '-1'), ...O], rc: 2, stderr: /option 'grid' must be ≥ 1, got -1/ },
  { id: 'X2 --grid 2.5', args: [...set(Q, '--grid', '2.5'), ...O], rc: 2, stderr: /option 'grid' must be an integer, got 2\.5/ },
  { id: 'X3 --grid abc', args: [...set(Q, '--grid', 'abc'), ...O], rc: 2, stderr: /--grid must be a number/ },
  { id: 'X4 --grid 1000 (a million runs)', args: [...set(Q, '--grid', '1000'), ...O], rc: 2, stderr: /--grid 1000 is too large: 1\.00e\+6 runs/ },
  { id: 'X5 --samples -5', args: [...set(LAE, '--samples', '-5'), ...O], rc: 2, stderr: /option 'samples' must be ≥ 1, got -5/ },
  { id: 'X6 --samples 2.5', args: [...set(LAE, '--samples', '2.5'), ...O], rc: 2, stderr: /option 'samples' must be an integer, got 2\.5/ },
  { id: 'X7 --samples 10 (fewer than 16 inputs)', args: [...set(LAE, '--samples', '10'), ...O], rc: 2, stderr: /10 samples, too few for the linear-ae problem/ },
  { id: 'X8 --train-steps abc', args: [...set(LAE, '--train-steps', 'abc'), ...O], rc: 2, stderr: /--train-steps must be a number/ },
  { id: 'X9 --train-steps 1e11', args: [...set(LAE, '--train-steps', '1e11'), ...O], rc: 2, stderr: /--train-steps 100000000000 is too large/ },
  { id: 'X10 --iterations 1e13 (step logs beyond the disk)', args: [...set(Q, '--iterations', '1e13'), ...O], rc: 2, stderr: /--iterations 10000000000000 is too large: the step logs/ },
  { id: 'X11 --l2 abc', args: [...set(SW, '--l2', 'abc'), ...O], rc: 2, stderr: /--l2 must be a number/ },
  { id: 'X12 --index-cutoff abc', args: [...set(Q, '--index-cutoff', 'abc'), ...O], rc: 2, stderr: /--index-cutoff must be a number/ },
  { id: 'X13 --engine bogus', args: [...LAE, '--engine', 'bogus', ...O], rc: 2, stderr: /Invalid values:[\s\S]*engine/ },
  { id: 'X14 --workers abc', args: ['suite', 'ok.yaml', '--workers', 'abc', ...O], files: { 'ok.yaml': SUITE() }, rc: 2, stderr: /--workers must be a positive integer/ },
  { id: 'X15 --workers 1.5', args: ['suite', 'ok.yaml', '--workers', '1.5', ...O], files: { 'ok.yaml': SUITE() }, rc: 2, stderr: /--workers must be a positive integer/ },
  { id: 'X16 report --max-points 1e9', args: [madeRun('S01'), ['report', 'S01', '--max-points', '1e9']], rc: 2, stderr: /--max-points must be an integer from 4 to 10000000/ },
  { id: 'X17 report --max-points 2.5', args: [madeRun('S02'), ['report', 'S02', '--max-points', '2.5']], rc: 2, stderr: /--max-points must be an integer/ },
  { id: 'X18 run --out "   "', args: [...Q, '--out', '   '], rc: 2, stderr: /--out must name a directory/ },
  { id: 'X19 report --out ""', args: [madeRun('S03'), ['report', 'S03', '--out', '']], rc: 2, stderr: /--out must name a directory/ },
  { id: 'X20 reproduce --out ""', args: ['reproduce', '--measure-only', '--out', ''], files: { 'runs/keep.txt': 'mine' }, rc: 2, stderr: /--out must name a directory/ },
  { id: 'X21 demo --out ""', args: ['demo', '--quick', '--out', ''], files: { 'report/index.html': 'mine' }, rc: 2, stderr: /--out must name a directory/ },
  { id: 'X22 --out . in a non-empty cwd', args: [...Q, '--out', '.'], files: { 'summary.json': '{"mine":1}', 'runs/a.txt': 'mine' }, rc: 2, stderr: /\.: refusing to write there/ },
  { id: 'X23 --out . --force in a non-empty cwd', args: [...Q, '--out', '.', '--force'], files: { 'summary.json': '{"mine":1}', 'runs/a.txt': 'mine' }, rc: 2, stderr: /refusing --force.*would have deleted or overwritten/ },
  { id: 'X24 suite --force into a foreign directory', args: ['suite', 'ok.yaml', '--out', 'mine', '--force'], files: { 'ok.yaml': SUITE(), 'mine/runs/data.csv': '1,2', 'mine/finder/x': 'mine', 'mine/timing.json': '[]' }, rc: 2, stderr: /mine: refusing --force/ },
  { id: 'X25 --force with a damaged manifest', args: [...Q, '--out', 'dm', '--force'], files: { 'dm/manifest.json': '{"gradflat": "0.1.0", "configHa', 'dm/summary.json': 'mine' }, rc: 2, stderr: /dm: refusing --force: its manifest\.json is not valid JSON/ },
  {
    id: 'X26 --force in its own directory keeps the user\'s other files', args: [madeRun('own'), madeRun('own', ['--iterations', '3', '--force'])], rc: 0,
    setup: undefined, outputs: ['own'],
    run: async (dir) => {
      const a = await cli(dir, madeRun('own'));
      assert.equal(a.code, 0, a.stderr);
      writeFileSync(join(dir, 'own', 'notes.txt'), 'mine');
      const b = await cli(dir, madeRun('own', ['--iterations', '3', '--force']));
      assert.equal(readFileSync(join(dir, 'own', 'notes.txt'), 'utf8'), 'mine');
      return b;
    },
  },
  { id: 'X27 --config not found', args: ['run', '--config', 'nope.json', ...O], rc: 2, stderr: /config file not found: nope\.json/ },
  { id: 'X28 --config an array', args: ['run', '--config', 'c.json', '--problem', 'quartic', ...O], files: { 'c.json': '[1,2]' }, rc: 2, stderr: /c\.json must hold a JSON object/ },
  { id: 'X29 --config with an unknown stepper', args: ['run', '--config', 'c.json', ...O], files: { 'c.json': JSON.stringify({ problem: { name: 'quartic', grid: 2 }, stepper: 'nope', iterations: 1 }) }, rc: 2, stderr: /unknown stepper 'nope'/ },
  { id: 'X30 --config problem without a name', args: ['run', '--config', 'c.json', ...O], files: { 'c.json': JSON.stringify({ problem: { grid: 2 } }) }, rc: 2, stderr: /--problem is required/ },
  { id: 'X31 --hp with two =', args: HP('rtol=1=2'), rc: 2, stderr: /'rtol' must be a finite number, got "1=2"/ },
  { id: 'X32 plugins --plugin missing', args: ['plugins', '--plugin', 'missing.js'], rc: 2, stderr: /plugin file not found: missing\.js/ },
  { id: 'X33 plugins lists the built-ins', args: ['plugins'], rc: 0, stdout: /newton-mr/ },
  { id: 'X34 info', args: ['info'], rc: 0, stdout: /kernels: / },
  { id: 'X35 --help', args: ['--help'], rc: 0, stdout: /gradflat <command>/ },
  { id: 'X36 no command', args: [], rc: 2, stderr: /give a command: run, suite/ },
  { id: 'X37 summarize without a directory', args: ['summarize'], rc: 2, stderr: /Not enough non-option arguments/ },
  { id: 'X38 report without a directory', args: ['report'], rc: 2, stderr: /Not enough non-option arguments/ },
  { id: 'X39 summarize a run directory', args: [madeRun('R2'), ['summarize', 'R2']], rc: 0, stdout: /wrote R2\/summary\.json/ },
  { id: 'X40 report a run directory', args: [madeRun('R3'), ['report', 'R3', '--no-svg']], rc: 0, stdout: /report: .*R3\/report\/index\.html/ },
  // Our own: suite files.
  { id: 'X41 suite unknown problem', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE().replace('name: quartic', 'name: quadric') }, rc: 2, stderr: /quadric/ },
  { id: 'X42 suite grid 100000', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE().replace('grid: 2', 'grid: 100000') }, rc: 2, stderr: /problem\.grid 100000 is too large/ },
  { id: 'X43 suite samples 1e15', args: ['suite', 's.yaml', ...O], files: { 's.yaml': LAE_SUITE('d.csv').replace('dataFile: d.csv', 'samples: 1e15') }, rc: 2, stderr: /problem\.samples 1000000000000000 is too large/ },
  { id: 'X44 suite starts.count 0', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE().replace('count: 4', 'count: 0') }, rc: 2, stderr: /starts\.count: must be ≥ 1/ },
  { id: 'X45 suite seed as a string', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE().replace('seed: 1\nstarts', 'seed: one\nstarts') }, rc: 2, stderr: /seed: must be a finite number, got "one"/ },
  { id: 'X46 suite iterations 1e13', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE().replace('iterations: 2', 'iterations: 1e13') }, rc: 2, stderr: /iterations 10000000000000 is too large: the step logs/ },
  { id: 'X47 suite one-row data file', args: ['suite', 's.yaml', ...O], files: { 's.yaml': LAE_SUITE('one.csv'), 'one.csv': csv(1) }, rc: 2, stderr: /one\.csv: 1 sample, too few for the linear-ae problem/ },
  { id: 'X48 suite identical rows', args: ['suite', 's.yaml', ...O], files: { 's.yaml': LAE_SUITE('same.csv'), 'same.csv': Array(50).fill(csvRows(1, 16)[0]).join('\n') }, rc: 2, stderr: /same\.csv: the 50 samples span only 1 of 16 dimensions/ },
  { id: 'X49 suite top-level scalar', args: ['suite', 's.yaml', ...O], files: { 's.yaml': '42\n' }, rc: 2, stderr: /must be an object, got 42/ },
  { id: 'X50 suite with tabs for indentation', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE().replace('  - { stepper', '\t- { stepper') }, rc: 2, stderr: /s\.yaml is not valid YAML/ },
  { id: 'X51 suite finishes (quartic)', args: ['suite', 'ok.yaml', '--workers', '1', ...O], files: { 'ok.yaml': SUITE() }, rc: 0, stdout: /wrote out\/summary\.json/ },
  { id: 'X52 suite plugin is a CSV', args: ['suite', 's.yaml', ...O], files: { 's.yaml': SUITE('plugins: [d.csv]\n'), 'd.csv': GOOD }, rc: 2, stderr: /d\.csv/ },
  // Our own: data.
  { id: 'X53 repeated covariance eigenvalues (linear-ae)', args: [...LAE, '--data', 'iso.csv', ...O], files: { 'iso.csv': Array.from({ length: 32 }, (_, k) => Array.from({ length: 16 }, (_, j) => (j === k >> 1 ? (k & 1 ? -4 : 4) : 0)).join(',')).join('\n') }, rc: 2, stderr: /iso\.csv: the data covariance has a repeated eigenvalue/ },
  { id: 'X54 the same data is fine for swish-ae', args: [...SW, '--data', 'iso.csv', ...O], files: { 'iso.csv': Array.from({ length: 32 }, (_, k) => Array.from({ length: 16 }, (_, j) => (j === k >> 1 ? (k & 1 ? -4 : 4) : 0)).join(',')).join('\n') }, rc: 0, stdout: /swish-ae × newton-mr: 1 runs/ },
  { id: 'X55 linearly dependent rows (swish-ae)', args: [...SW, '--data', 'dep.csv', ...O], files: { 'dep.csv': [...csvRows(8, 16), ...csvRows(8, 16), ...csvRows(8, 16)].join('\n') }, rc: 2, stderr: /dep\.csv: the 24 samples span only 8 of 16 dimensions/ },
  { id: 'X56 15 rows', args: [...LAE, '--data', 'd15.csv', ...O], files: { 'd15.csv': csv(15) }, rc: 2, stderr: /d15\.csv: 15 samples, too few/ },
  { id: 'X57 good data', args: [...SW, '--data', 'good.csv', ...O], files: { 'good.csv': GOOD }, rc: 0, stdout: /swish-ae × newton-mr: 1 runs/ },
  { id: 'X58 data file with only blank lines', args: [...LAE, '--data', 'blank.csv', ...O], files: { 'blank.csv': '\n\n\n' }, rc: 2, stderr: /blank\.csv is empty/ },
  // Our own: interrupted runs and resume.
  { id: 'X59 resume a finished run', args: [madeRun('again'), madeRun('again')], rc: 0, stderr: /resumed again: 4 finished run\(s\) kept/ },
  {
    id: 'X60 resume after a deleted run record', args: [], rc: 0, stderr: /resumed del: 3 finished run\(s\) kept/, outputs: ['del'],
    run: async (dir) => {
      assert.equal((await cli(dir, madeRun('del'))).code, 0);
      rmSync(join(dir, 'del', 'runs', 'run-002.json'));
      return cli(dir, madeRun('del'));
    },
  },
  {
    id: 'X61 truncated run record (suite summarize)', args: [], rc: 0, stdout: /wrote S\/summary\.json/, files: { 'ok.yaml': SUITE() }, outputs: ['S'],
    run: async (dir) => {
      assert.equal((await cli(dir, ['suite', 'ok.yaml', '--workers', '1', '--out', 'S'])).code, 0);
      truncateSync(join(dir, 'S', 'runs', 'newton-mr', 'run-000.json'), 10);
      writeFileSync(join(dir, 'S', 'runs', 'newton-mr', 'run-001.json'), '');
      return cli(dir, ['summarize', 'S']);
    },
  },
  {
    id: 'X62 truncated run record (resume)', args: [], rc: 0, stdout: /quartic × newton-mr: 4 runs/, outputs: ['T'],
    run: async (dir) => {
      assert.equal((await cli(dir, madeRun('T'))).code, 0);
      truncateSync(join(dir, 'T', 'runs', 'run-000.json'), 10);
      return cli(dir, madeRun('T'));
    },
  },
  {
    id: 'X63 two runs into one --out at once', args: [], rc: 0, outputs: ['same'],
    run: async (dir) => {
      const args = [...set(Q, '--grid', '10', '--iterations', '40'), '--out', 'same'];
      const [a, b] = await Promise.all([cli(dir, args), cli(dir, args)]);
      assert.ok([a, b].some((r) => r.code !== 0 && /lock|in use|another gradflat/i.test(r.stderr)), `both ran:\n${a.stderr}\n${b.stderr}`);
      return a.code === 0 ? a : b;
    },
  },
  {
    id: 'X64 stray .tmp after a failing plugin step', args: [], rc: 1, files: { 's.yaml': SUITE('plugins: [throw-step.js]\n').replace('stepper: newton-mr', 'stepper: throw-step').replace('iterations: 2', 'iterations: 5'), 'throw-step.js': plugin('throw-step', { throwAt: 3 }) },
    run: async (dir) => {
      const r = await cli(dir, ['suite', 's.yaml', '--workers', '1', ...O]);
      assert.deepEqual(walk(join(dir, 'out')).filter((f) => f.endsWith('.tmp')), []);
      return r;
    },
  },
  { id: 'X65 "gradflat: gradflat:" never doubled', args: [...Q, ...O], rc: 0, check: (_d, r) => assert.doesNotMatch(r.stderr, /gradflat: gradflat:/), env: { GRADFLAT_KERNELS: 'auto' } },
  // Integrity across machines: switches that used to be accepted silently.
  { id: 'X66 GRADFLAT_CHECKPOINT=maybe', args: [...Q, ...O], rc: 2, env: { GRADFLAT_CHECKPOINT: 'maybe' }, stderr: /\$GRADFLAT_CHECKPOINT must be off \(or 0, false, no\) to turn checkpoints off, or on \(1, true, yes\), got 'maybe'/ },
  { id: 'X68 worker --concurrency 1000', args: ['worker', '--queue', 'redis://127.0.0.1:1', '--concurrency', '1000'], rc: 2, stderr: /--concurrency 1000 is more than 4 tasks per CPU/ },
  { id: 'X69 --allow-mixed without --queue', args: ['suite', 's.yaml', '--allow-mixed', ...O], rc: 2, files: { 's.yaml': SUITE() }, stderr: /--allow-mixed only applies with --queue/ },
  { id: 'X70 --queue-timeout 0', args: ['suite', 's.yaml', '--queue', 'redis://127.0.0.1:1', '--queue-timeout', '0', ...O], rc: 2, files: { 's.yaml': SUITE() }, stderr: /--queue-timeout must be a number of seconds > 0, got 0/ },
];

// ---------------------------------------------------------------------------- the runner

function cli(dir: string, args: string[], o: { env?: Record<string, string>; shell?: string; killAfterMs?: number; signal?: NodeJS.Signals } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const env = { ...process.env, CI: 'true', GRADFLAT_KERNELS: 'typescript', ...o.env };
    delete (env as Record<string, string | undefined>).GRADFLAT_DEBUG;
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const p = o.shell
      ? spawn('/bin/sh', ['-c', `${o.shell} exec ${[process.execPath, CLI, ...args].map(quote).join(' ')}`], { cwd: dir, env })
      : spawn(process.execPath, [CLI, ...args], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const timer = o.killAfterMs !== undefined ? setTimeout(() => p.kill(o.signal ?? 'SIGKILL'), o.killAfterMs) : undefined;
    p.on('close', (code, signal) => { if (timer) clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

/** Kills `args` (with --out NAME) after a while, reruns it, and compares with an uninterrupted run into NAME-ref. */
async function killAndResume(dir: string, args: string[], name: string): Promise<Result> {
  const ref = await cli(dir, [...args, '--out', `${name}-ref`]);
  assert.equal(ref.code, 0, ref.stderr);
  const killed = await cli(dir, [...args, '--out', name], { killAfterMs: 800 });
  const resumed = await cli(dir, [...args, '--out', name]);
  if (resumed.code !== 0) return resumed;
  const strip = (s: string) => JSON.stringify(JSON.parse(s), (k, v) => (/^(wallMs|createdAt|finishedAt|seconds|ms)$/.test(k) ? undefined : v));
  assert.equal(strip(readFileSync(join(dir, name, 'summary.json'), 'utf8')), strip(readFileSync(join(dir, `${name}-ref`, 'summary.json'), 'utf8')),
    `killed (${killed.code ?? killed.signal}) and resumed differs from uninterrupted`);
  return resumed;
}

function walk(root: string, base = root): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const e of readdirSync(root, { withFileTypes: true })) {
    const p = join(root, e.name);
    if (e.isDirectory()) { out.push(relative(base, p) + '/'); out.push(...walk(p, base)); } else out.push(relative(base, p));
  }
  return out;
}

function snapshot(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of walk(dir)) {
    const p = join(dir, f);
    m.set(f, f.endsWith('/') ? 'dir' : statSync(p).isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : 'other');
  }
  return m;
}

/** The paths a case's commands may write: their --out values, a report's default folder, and the declared outputs. */
function allowedOutputs(c: Case): string[] {
  const lists = (c.args.length > 0 && Array.isArray(c.args[0]) ? c.args : [c.args]) as string[][];
  const outs = [...(c.outputs ?? [])];
  for (const a of lists) {
    const i = a.indexOf('--out');
    if (i >= 0 && a[i + 1] && a[i + 1].trim() !== '' && a[i + 1] !== '.') outs.push(a[i + 1]);
    if (a[0] === 'report' && i < 0) outs.push(join(a[1] ?? '', 'report'));
  }
  if (c.run) outs.push('out', 'K', 'K-ref', 'SK', 'SK-ref', 'S', 'T', 'same', 'SD', 'del', 'own');
  return outs;
}

const inside = (f: string, outs: string[]) => outs.some((o) => f === o || f === `${o}/` || f.startsWith(`${o}/`) || `${o}/`.startsWith(f));

async function runCase(c: Case): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-bad-'));
  try {
    for (const [f, content] of Object.entries(c.files ?? {})) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), content);
    }
    await c.setup?.(dir);
    const before = snapshot(dir);
    let r: Result;
    if (c.run) r = await c.run(dir);
    else {
      const lists = (c.args.length > 0 && Array.isArray(c.args[0]) ? c.args : [c.args]) as string[][];
      r = { code: 0, signal: null, stdout: '', stderr: '' };
      for (const [k, args] of lists.entries()) {
        r = await cli(dir, args, { env: c.env, shell: c.shell });
        if (k < lists.length - 1) assert.equal(r.code, 0, `setup command ${args.join(' ')} failed:\n${r.stderr}`);
      }
    }
    const what = `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\n--- stderr\n${r.stderr.slice(-3000)}\n--- stdout\n${r.stdout.slice(-1500)}`;
    assert.equal(r.code, c.rc, what);
    if (c.stderr) assert.match(r.stderr, c.stderr, what);
    if (c.stdout) assert.match(r.stdout, c.stdout, what);
    assert.doesNotMatch(r.stderr, /FATAL ERROR|Invalid typed array length|    at .*\(.*\.js:\d+:\d+\)/, `a crash or a stack trace:\n${what}`);
    // Nothing outside gradflat's outputs changed: the user's files are intact, nothing new elsewhere.
    const after = snapshot(dir);
    const outs = allowedOutputs(c);
    for (const [f, h] of before) {
      // A case's own files inside an --out directory (a foreign directory's) must survive too.
      if ((inside(f, outs) && !Object.keys(c.files ?? {}).includes(f)) || c.edits?.includes(f)) continue;
      assert.equal(after.get(f), h, `${f} was ${after.has(f) ? 'changed' : 'deleted'}`);
    }
    for (const f of after.keys()) if (!before.has(f)) assert.ok(inside(f, outs), `${f} was written outside gradflat's outputs (${outs.join(', ') || 'none'})`);
    c.check?.(dir, r);
  } finally {
    for (const f of walk(dir)) if (f.endsWith('/')) try { chmodSync(join(dir, f), 0o755); } catch { /* gone */ }
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('bad-input corpus', { concurrency: 4 }, () => {
  const ids = new Set<string>();
  for (const c of cases) {
    assert.ok(!ids.has(c.id), `duplicate case ${c.id}`);
    ids.add(c.id);
    test(c.id, { todo: c.todo, skip: c.skip || undefined, timeout: 120_000 }, () => runCase(c));
  }
  test(`the corpus holds ≥ 150 cases (${cases.length})`, () => assert.ok(cases.length >= 150, `${cases.length} cases`));
});
