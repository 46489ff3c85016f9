#!/usr/bin/env node
/**
 * The gradflat command line: a thin yargs layer over functions a library user can call
 * directly (runExperiment, runDemo, the plugin registry).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { registry } from '../core/registry/registry.js';
import { selectKernels, type KernelPreference } from '../core/linalg/select-kernels.js';
import { checkExperimentConfig, configFileShape, packageVersion, runExperiment, type ExperimentConfig } from '../core/run/experiment.js';
import { availableParallelism } from 'node:os';
import { THREADS_MIN_SAMPLES, THREADS_MIN_WORK } from '../engines/mlp/mlp-oracle.js';
import { formatSummaryTable } from '../core/run/summary-table.js';
import { checkOutDirectory } from '../core/run/run-directory.js';
import { buildProblemAsync, problemsOf } from '../core/registry/catalog.js';
import { nonFiniteWarning } from '../core/analysis/flatness.js';
import { builtinProblems, registerBuiltins } from '../builtins.js';
import { runDemo } from '../studies/demo.js';
import { loadPluginFiles } from '../core/registry/load.js';
import { resolvePluginRef } from '../core/registry/plugin-ref.js';
import { loadSuite, withProbeSolver } from '../core/suite/config.js';
import { PROBE_SOLVERS } from '../core/newton/exact-direction.js';
import { INDEX_METHODS, type IndexMethod } from '../core/analysis/index-estimate.js';
import { ENGINES, prepareEngine, type Engine } from '../engines/select.js';
import { tfjsInfoLine } from '../engines/tfjs/info.js';
import { runSuite, summarizeSuiteDirectory } from '../core/suite/suite.js';
import { CONTROL_FIGURE_IDS, FIGURE_IDS, reproduce, type FigureId } from '../studies/reproduce.js';
import { exitCodeOf, RunDirectoryGiven, UsageError } from '../core/io/errors.js';
import { maskUrlPasswords } from '../core/io/secrets.js';
import { setProgressPreference } from '../core/run/progress.js';
import { summarizeRunDirectory } from '../core/run/summarize-run.js';

registerBuiltins();

// Masked: a queue URL's password may reach a message through a library's error text.
const notice = (msg: string) => process.stderr.write(`gradflat: ${maskUrlPasswords(msg)}\n`);

/** `--plugin FILE` (run, plugins): a JavaScript module registering steppers, loaded before any stepper is looked up. */
const probeSolverOption = {
  choices: PROBE_SOLVERS, describe: "solver of final-point (and Newton-probe) solves Hp = −g: minres-qlp (paper), minres-qlp-reorth, or exact (p = −H⁺g, n ≤ 2000; see docs/conventions.md)",
} as const;
const pluginOption = { type: 'string', array: true, requiresArg: true, describe: 'JavaScript file, or installed npm package, that registers steppers and/or problems (repeatable; see docs/plugins.md)' } as const;

function parseAssignments(list: unknown, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of ([] as unknown[]).concat(list ?? [])) {
    const s = String(item);
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} expects key=value, got '${s}'`);
    out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
}

function readConfigFile(path: string): Partial<ExperimentConfig> {
  if (!existsSync(path)) throw new UsageError(`config file not found: ${path}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const r = configFileShape.safeParse(raw);
  if (!r.success) {
    const iss = r.error.issues[0];
    throw new UsageError(`config file ${path}${iss.path.length ? ':' : ''} ${iss.message}`);
  }
  // The object as parsed from JSON, not zod's copy (which would drop a "__proto__" key the config check must see).
  const file = raw as Partial<ExperimentConfig>;
  // "problem": "linear-ae" names the problem with its defaults, like --problem.
  return typeof r.data.problem === 'string' ? { ...file, problem: { name: r.data.problem } } as Partial<ExperimentConfig> : file;
}

/** $GRADFLAT_QUEUE_LOCK_MS: BullMQ's lock and stalled-check interval (default 30 s; tests shorten it). */
function queueLockMs(): number | undefined {
  const v = process.env.GRADFLAT_QUEUE_LOCK_MS;
  return v ? Number(v) : undefined;
}

/** --queue-timeout SECONDS: how long Redis may be unreachable (default 300 s). */
const queueTimeoutOption = { type: 'number', describe: 'seconds Redis may stay unreachable before giving up with exit 1 (default 300)' } as const;
function queueTimeoutMs(seconds: number | undefined): number | undefined {
  if (seconds === undefined) return undefined;
  if (!(Number.isFinite(seconds) && seconds > 0)) throw new UsageError(`--queue-timeout must be a number of seconds > 0, got ${seconds}`);
  return seconds * 1000;
}

async function queueExecutorFor(flag: string, workers: number | undefined, allowMixed: boolean, timeoutMs: number | undefined, force: boolean) {
  const { checkReachable, parseQueueUrl, resolveQueueUrl } = await import('../core/distributed/redis.js');
  const { queueExecutor } = await import('../core/distributed/coordinator.js');
  const url = resolveQueueUrl(flag || undefined);
  // Before any work (exit 2, fix --queue): the executor checks again when the tasks are ready.
  await checkReachable(parseQueueUrl(url));
  return queueExecutor(url, { workers: workers ?? 0, lockMs: queueLockMs(), log: notice, allowMixed, timeoutMs, force });
}

const cli = yargs(hideBin(process.argv))
  .scriptName('gradflat')
  .usage('$0 <command> [options]')
  // No default here: left unset, selectKernels reads GRADFLAT_KERNELS itself (one rule for CLI and library).
  .option('quiet', { type: 'boolean', describe: 'no progress on stderr (errors and warnings still show)' })
  .option('progress', { type: 'boolean', describe: 'show progress even when CI is set (a line per finished run when stderr is not a terminal)' })
  .middleware((argv) => setProgressPreference({ quiet: Boolean(argv.quiet), force: Boolean(argv.progress) }))
  .option('kernels', { choices: ['auto', 'typescript', 'openblas'] as const, describe: 'dense kernels: OpenBLAS/LAPACKE via FFI when present, else pure TypeScript (default: $GRADFLAT_KERNELS or auto)' })
  .check((argv) => {
    // yargs turns `--runs abc` into NaN; say so instead of failing later with a puzzling value.
    for (const flag of ['runs', 'grid', 'iterations', 'seed', 'samples', 'l2', 'train-steps', 'index-cutoff']) {
      const v = argv[flag];
      if (Array.isArray(v)) throw new UsageError(`--${flag} is given ${v.length} times (${v.join(', ')}): give it once`);
      if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v))) throw new UsageError(`--${flag} must be a number`);
    }
    // `--out ""` would mean the current directory (every command with --out).
    if (argv.out !== undefined) checkOutDirectory(argv.out);
    return true;
  })
  .command('run', 'run one stepper from many starting points on one problem', (y) => y
    .option('problem', { type: 'string', describe: `problem: ${builtinProblems.map((p) => p.name).join(', ')}, or one a plugin file registers (see \`gradflat problems\`)` })
    .option('option', { type: 'string', array: true, describe: "problem option key=value (repeatable; see `gradflat problems`), e.g. --option hidden=64,32" })
    .option('stepper', { type: 'string', describe: 'registered stepper (see `gradflat plugins`; default newton-mr)' })
    .option('plugin', pluginOption)
    .option('hp', { type: 'string', array: true, describe: 'hyperparameter key=value (repeatable), e.g. --hp rtol=5e-4' })
    .option('runs', { type: 'number', describe: 'starting points (autoencoders; default 10)' })
    .option('grid', { type: 'number', describe: 'quartic: m×m grid of starts (default 20)' })
    .option('iterations', { type: 'number', describe: 'maximum steps per run (default 100)' })
    .option('seed', { type: 'number', describe: 'seeds data, initialisation and starting points (default 1)' })
    .option('samples', { type: 'number', describe: 'generated data size (default 10000)' })
    .option('l2', { type: 'number', describe: 'ℓ2 strength λ (swish-ae default 1e-4)' })
    .option('data', { type: 'string', describe: 'headerless CSV, one sample per row, instead of generated data' })
    .option('train-steps', { type: 'number', describe: 'GD steps per training run that supplies starts (default 400)' })
    .option('index-cutoff', { type: 'number', describe: 'eigenvalues < −cutoff count as negative (default 1e-5)' })
    .option('probe-solver', probeSolverOption)
    .option('index-method', { choices: INDEX_METHODS, describe: 'final-point Morse index: dense spectrum, lanczos-slq estimate with interval (HVPs only), or auto (default: dense up to n = 2000)' })
    .option('engine', { choices: ENGINES, describe: 'MLP problems: f64 (gradflat float64, default) or tfjs (TensorFlow.js, float32; see docs/precision.md)' })
    .option('config', { type: 'string', describe: 'JSON file with an ExperimentConfig (flags override it)' })
    .option('out', { type: 'string', demandOption: true, describe: 'output directory' })
    .option('force', { type: 'boolean', default: false, describe: 'overwrite a directory written with another config' }),
  async (argv) => {
    await loadPluginFiles(argv.plugin ?? [], registry);
    // Precedence: flag, then config file, then default.
    const file = argv.config ? readConfigFile(argv.config) : {};
    const problemName = argv.problem ?? file.problem?.name;
    if (!problemName) throw new UsageError(`--problem is required (one of ${problemsOf(registry).names().join(', ')})${argv.config ? `: give it as a flag, or in ${argv.config} as "problem": "linear-ae" or "problem": {"name": "linear-ae", ...}` : ''}`);
    const seed = argv.seed ?? file.seed ?? file.problem?.seed ?? 1;
    const config: ExperimentConfig = {
      ...file,
      problem: {
        ...file.problem,
        ...parseAssignments(argv.option, '--option'),
        name: problemName,
        seed,
        ...(argv.samples !== undefined && { samples: argv.samples }),
        ...(argv.l2 !== undefined && { l2: argv.l2 }),
        ...(argv.data !== undefined && { dataFile: argv.data }),
        ...(argv.grid !== undefined && { grid: argv.grid }),
        ...(argv['train-steps'] !== undefined && { starts: { ...file.problem?.starts, steps: argv['train-steps'] } }),
        ...(argv.engine !== undefined && { engine: argv.engine as Engine }),
      },
      stepper: argv.stepper ?? file.stepper ?? 'newton-mr',
      hyperparameters: { ...file.hyperparameters, ...parseAssignments(argv.hp, '--hp') },
      runs: argv.runs ?? file.runs ?? 10,
      iterations: argv.iterations ?? file.iterations ?? 100,
      seed,
      ...(argv['index-cutoff'] !== undefined && { indexCutoff: argv['index-cutoff'] }),
      ...(argv['probe-solver'] !== undefined && { probe: { ...file.probe, solver: argv['probe-solver'] } }),
      ...(argv['index-method'] !== undefined && { indexMethod: argv['index-method'] as IndexMethod }),
    };
    checkExperimentConfig(config, registry);
    const kernels = selectKernels(argv.kernels as KernelPreference | undefined, notice);
    await prepareEngine(config.problem.engine as Engine | undefined);
    // Built here, awaited: a plugin's problem may build asynchronously (e.g. loading a saved model).
    const problem = await buildProblemAsync(config.problem, kernels, {}, registry);
    let result;
    try {
      result = runExperiment(config, argv.out, kernels, { force: argv.force, pluginFiles: (argv.plugin ?? []).map((f) => resolvePluginRef(f)), problem });
    } finally {
      problem.oracle.dispose?.();
    }
    if (result.resumed) process.stderr.write(`gradflat: resumed ${argv.out}: ${result.resumed} finished run(s) kept\n`);
    process.stdout.write(formatSummaryTable(result) + `\nwrote ${argv.out}/summary.json\n`);
    const diverged = nonFiniteWarning(result.records.filter((r) => r.final.class === 'non-finite').length, result.records.length, 'runs');
    if (diverged) notice(diverged);
  })
  .command('suite <file>', 'run a suite: several steppers from the same (optionally gradient-flat) starting points, in parallel', (y) => y
    .positional('file', { type: 'string', demandOption: true, describe: 'suite file (.json, .yaml or .yml; see docs/suites.md)' })
    .option('out', { type: 'string', describe: 'output directory (default runs/<suite name>)' })
    .option('plugin', pluginOption)
    .option('workers', { type: 'number', describe: 'worker threads running runs in parallel (default: number of CPUs); results do not depend on it' })
    .option('force', { type: 'boolean', default: false, describe: 'start over in a directory written with another suite' })
    .option('report', { type: 'boolean', default: false, describe: 'write the HTML report (figures) to OUT/report at the end (see `gradflat report`)' })
    .option('probe-solver', probeSolverOption)
    .option('queue', { type: 'string', describe: 'run the tasks as BullMQ jobs on this Redis (redis://[:PASSWORD@]HOST:PORT, rediss:// for TLS; empty: $GRADFLAT_REDIS_URL) for `gradflat worker`s; with --workers N this process runs N too (docs/scale-out.md)' })
    .option('queue-timeout', queueTimeoutOption)
    .option('allow-mixed', { type: 'boolean', default: false, describe: 'with --queue: let workers whose code, kernels, BLAS CPU kernel or plugin package files differ from this machine\'s compute runs (refused otherwise); OUT/machines.json records who computed what' })
    .check((argv) => {
      if (argv.workers !== undefined && !(Number.isInteger(argv.workers) && argv.workers >= 1)) throw new UsageError('--workers must be a positive integer');
      return true;
    }),
  async (argv) => {
    const suite = withProbeSolver(await loadSuite(argv.file, registry, argv.plugin ?? []), argv['probe-solver']);
    await prepareEngine(suite.problem.engine as Engine | undefined);
    const out = argv.out ?? `runs/${suite.name}`;
    const kernels = selectKernels(argv.kernels as KernelPreference | undefined, notice);
    if (argv['allow-mixed'] && argv.queue === undefined) throw new UsageError('--allow-mixed only applies with --queue (workers on other machines)');
    const executor = argv.queue === undefined ? undefined : await queueExecutorFor(argv.queue, argv.workers, argv['allow-mixed'], queueTimeoutMs(argv['queue-timeout']), argv.force);
    const result = await runSuite(suite, out, kernels, { registry, force: argv.force, workers: argv.workers, executor });
    if (result.resumed) process.stderr.write(`gradflat: resumed ${out}: ${result.resumed} finished run(s) kept\n`);
    process.stdout.write(`${result.text}\nwrote ${out}/summary.json\n`);
    const diverged = nonFiniteWarning(result.summary.methods.reduce((k, m) => k + m.classes['non-finite'], 0),
      result.summary.methods.reduce((k, m) => k + m.completedRuns, 0), 'method runs');
    if (diverged) notice(diverged);
    if (argv.report) {
      const { writeReport } = await import('../core/report/write-report.js');
      const report = await writeReport([out], join(out, 'report'));
      process.stdout.write(`report: ${report.index}\n`);
    }
  })
  .command('worker', 'run queued suite tasks (`gradflat suite --queue`) from Redis until stopped (SIGTERM/Ctrl-C: running tasks go back to the queue)', (y) => y
    .option('queue', { type: 'string', describe: 'the Redis URL of the queue (default $GRADFLAT_REDIS_URL)' })
    .option('concurrency', { type: 'number', default: 1, describe: 'tasks run at a time (one thread each)' })
    .option('queue-timeout', queueTimeoutOption)
    .check((argv) => {
      if (!(Number.isInteger(argv.concurrency) && argv.concurrency >= 1)) throw new UsageError('--concurrency must be a positive integer');
      // Each task is one CPU-bound thread with its own problem in memory: past the CPUs they only compete, and the memory adds up.
      const cpus = availableParallelism();
      if (argv.concurrency > 4 * cpus) throw new UsageError(`--concurrency ${argv.concurrency} is more than 4 tasks per CPU on this machine (${cpus} CPU(s)); each task is a thread computing on one CPU, with its own copy of the problem in memory. Use at most ${4 * cpus} (${cpus} is usually fastest)`);
      return true;
    }),
  async (argv) => {
    const { resolveQueueUrl, parseQueueUrl } = await import('../core/distributed/redis.js');
    const { startQueueWorker } = await import('../core/distributed/worker.js');
    const url = resolveQueueUrl(argv.queue || undefined);
    const worker = await startQueueWorker(url, { concurrency: argv.concurrency, lockMs: queueLockMs(), log: notice, timeoutMs: queueTimeoutMs(argv['queue-timeout']) });
    notice(`worker: taking tasks from ${parseQueueUrl(url).display} (${argv.concurrency} at a time); SIGTERM or Ctrl-C stops`);
    try {
      await Promise.race([worker.failed, new Promise<void>((resolve) => {
        const stop = () => void worker.close().then(resolve);
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      })]);
    } catch (e) {
      await worker.close();
      throw e;
    }
    notice('worker: stopped (running tasks went back to the queue with their checkpoints)');
    // Whatever Redis does: a stopped worker exits now (ioredis may hold sockets it keeps retrying).
    process.exit(0);
  })
  .command('report <dirs..>', 'write an HTML report (figures as Vega-Lite specs and static SVG) of run or suite directories; opens offline', (y) => y
    .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'directories written by `gradflat run` or `gradflat suite` (several: compared)' })
    .option('out', { type: 'string', describe: 'output folder (default: DIR/report for one directory, report/ for several)' })
    .option('max-points', { type: 'number', describe: 'points per run in step figures (default: about 40,000 per figure, 40–1000 per run)' })
    .option('svg', { type: 'boolean', default: true, describe: 'also render static SVGs (--no-svg skips them)' })
    .option('title', { type: 'string', describe: 'page title' })
    .option('plugin', { ...pluginOption, describe: 'JavaScript file that registers steppers, so that quartic trajectories of its steppers are replayed (repeatable)' }),
  async (argv) => {
    const dirs = (argv.dirs ?? []).map(String);
    const out = argv.out ?? (dirs.length === 1 ? join(dirs[0], 'report') : 'report');
    const maxPoints = argv['max-points'];
    // The upper bound keeps one run's step figure under ~2 GB of HTML (about 200 bytes a point).
    if (maxPoints !== undefined && !(Number.isInteger(maxPoints) && maxPoints >= 4 && maxPoints <= 1e7)) throw new UsageError(`--max-points must be an integer from 4 to 10000000 (a run's step figure needs about 200 bytes a point), got ${maxPoints}`);
    // Loaded here: vega and vega-lite take half a second to import, which other commands need not pay.
    const { writeReport } = await import('../core/report/write-report.js');
    await loadPluginFiles(argv.plugin ?? [], registry);
    const r = await writeReport(dirs, out, { maxPointsPerRun: maxPoints, svg: argv.svg, title: argv.title, registry });
    for (const m of r.missing) process.stderr.write(`gradflat: missing: ${m}\n`);
    for (const n of r.notes) process.stderr.write(`gradflat: note: ${n}\n`);
    process.stdout.write(`wrote ${r.figures.length} figures (specs${argv.svg ? ', SVG' : ''}) in ${(r.ms / 1000).toFixed(1)} s; index.html ${(r.bytes.index / 1e6).toFixed(2)} MB, ${(r.bytes.total / 1e6).toFixed(2)} MB in all\nreport: ${r.index}\n`);
  })
  .command('summarize <dir>', 'per-method tables of a suite directory (finished or not); writes summary.json', (y) => y
    .positional('dir', { type: 'string', demandOption: true, describe: 'the --out directory of `gradflat suite`' }),
  (argv) => {
    const damaged = (path: string, reason: string) => process.stderr.write(`gradflat: note: ${path} is damaged (${reason}): counted as unfinished; running the same command again reruns it\n`);
    try {
      const { text } = summarizeSuiteDirectory(argv.dir, damaged);
      process.stdout.write(`${text}\nwrote ${argv.dir}/summary.json\n`);
    } catch (e) {
      if (!(e instanceof RunDirectoryGiven)) throw e;
      // A `gradflat run` directory: its summary is rebuilt from the run records (it may have been deleted).
      const result = summarizeRunDirectory(argv.dir, e.manifest as Parameters<typeof summarizeRunDirectory>[1], damaged);
      process.stdout.write(formatSummaryTable(result) + `\nwrote ${argv.dir}/summary.json\n`);
    }
  })
  .command('reproduce', "run [GF]'s Figs. 1–5 as suites (quick or full) and tabulate paper vs measured", (y) => y
    .option('full', { type: 'boolean', default: false, describe: 'the paper-size suites (hours on 2 cores); default: the quick ones' })
    .option('figures', { type: 'string', describe: `comma-separated subset of ${FIGURE_IDS.join(', ')}` })
    .option('out', { type: 'string', describe: 'output directory (default runs/reproduce-quick or runs/reproduce-full)' })
    .option('workers', { type: 'number', describe: 'worker threads per suite (default: number of CPUs)' })
    .option('force', { type: 'boolean', default: false, describe: 'start over in directories written with other suites' })
    .option('measure-only', { type: 'boolean', default: false, describe: 'tabulate the runs already on disk, running nothing (a suite stopped part-way shows as k of n runs)' })
    .option('report', { type: 'boolean', default: false, describe: "also write each figure's HTML report (figures) to OUT/<figure>/report" })
    .option('control', { type: 'boolean', default: false, describe: `the control experiment: ${CONTROL_FIGURE_IDS.join(', ')} from the same starts with solver=exact (suites/*.exact*.yaml); writes control.md (default out runs/reproduce-control-quick or -full)` }),
  async (argv) => {
    const variant = argv.full ? 'full' : 'quick';
    const control = argv.control;
    const ids: readonly FigureId[] = control ? CONTROL_FIGURE_IDS : FIGURE_IDS;
    const figures = argv.figures?.split(',').map((f) => f.trim()) as FigureId[] | undefined;
    for (const f of figures ?? []) if (!ids.includes(f)) throw new UsageError(`--figures: unknown figure '${f}'${control ? ' for --control' : ''}. Figures: ${ids.join(', ')}`);
    const out = argv.out ?? `runs/reproduce-${control ? 'control-' : ''}${variant}`;
    const kernels = selectKernels(argv.kernels as KernelPreference | undefined, notice);
    const results = await reproduce(out, kernels, { variant, figures, workers: argv.workers, force: argv.force, measureOnly: argv['measure-only'], control, registry, log: (l) => process.stderr.write(`gradflat: ${l}\n`) });
    const table = control ? 'control' : 'reproduction';
    process.stdout.write(readFileSync(`${out}/${table}.md`, 'utf8') + `wrote ${out}/${table}.md and ${table}.json\n`);
    if (argv.report) {
      const { writeReport } = await import('../core/report/write-report.js');
      for (const r of results.filter((x) => !figures || figures.includes(x.figure))) {
        process.stdout.write(`report: ${(await writeReport([r.dir], join(r.dir, 'report'))).index}\n`);
      }
    }
  })
  .command('demo', 'the default job: quartic grid + linear autoencoder with Newton-MR, and a report', (y) => y
    .option('out', { type: 'string', default: 'runs/demo', describe: 'output directory' })
    .option('quick', { type: 'boolean', default: false, describe: 'smaller (for smoke tests)' })
    .option('force', { type: 'boolean', default: false, describe: 'start over in a directory written with another config' }),
  (argv) => {
    const kernels = selectKernels(argv.kernels as KernelPreference | undefined, notice);
    const path = runDemo(argv.out, kernels, { quick: argv.quick, force: argv.force, log: (s) => process.stdout.write(s + '\n') });
    process.stdout.write(`\nreport: ${path}\n`);
  })
  .command('plugins', 'list registered steppers with their hyperparameters and defaults', (y) => y.option('plugin', pluginOption), async (argv) => {
    await loadPluginFiles(argv.plugin ?? [], registry);
    for (const p of registry.list()) {
      process.stdout.write(`${p.name} — ${p.description}\n`);
      for (const line of registry.describe(p.name)) process.stdout.write(`    ${line}\n`);
    }
  })
  .command('check <plugins..>', 'conformance check of plugin files: steppers (determinism, resume, no mutation, counted work, hyperparameters) and problems (gradient and H·v against finite differences, symmetry, deterministic starts); exit 1 on a failure', (y) => y
    .positional('plugins', { type: 'string', array: true, demandOption: true, describe: 'plugin files, package folders or installed npm packages (see docs/plugins.md)' })
    .option('problem', { type: 'string', describe: 'steppers: check on this registered problem instead of the built-in check function (n = 6); needed for a stepper that requires an oracle capability' })
    .option('option', { type: 'string', array: true, describe: 'problem option key=value (repeatable): of the problems checked, and of --problem' })
    .option('hp', { type: 'string', array: true, describe: 'stepper hyperparameter key=value (repeatable; default: the declared defaults)' })
    .option('steps', { type: 'number', describe: 'steps per trajectory (default 6)' })
    .option('starts', { type: 'number', describe: 'starting points (default 2)' })
    .check((argv) => {
      for (const k of ['steps', 'starts'] as const) {
        const v = argv[k];
        if (v !== undefined && !(Number.isInteger(v) && v >= (k === 'steps' ? 2 : 1))) throw new UsageError(`--${k} must be an integer ≥ ${k === 'steps' ? 2 : 1}`);
      }
      return true;
    }),
  async (argv) => {
    const { checkPlugin } = await import('../core/check/check.js');
    const options = parseAssignments(argv.option, '--option');
    const r = await checkPlugin((argv.plugins ?? []).map(String), {
      registry,
      problemOptions: options,
      ...(argv.problem && { problem: { seed: 1, ...options, name: argv.problem } }),
      hyperparameters: parseAssignments(argv.hp, '--hp'),
      steps: argv.steps,
      starts: argv.starts,
      kernels: selectKernels(argv.kernels as KernelPreference | undefined, notice),
    });
    process.stdout.write(r.text);
    if (!r.passed) process.exitCode = 1;
  })
  .command('new <kind> <name>', 'scaffold a TypeScript plugin package: a working minimal stepper or problem, gradflat as a peer dependency, a test running the conformance check, a README', (y) => y
    .positional('kind', { type: 'string', choices: ['stepper', 'problem'] as const, demandOption: true, describe: 'what the package registers' })
    .positional('name', { type: 'string', demandOption: true, describe: 'the plugin and package name (lowercase letters, digits, dashes)' })
    .option('dir', { type: 'string', describe: 'where to write it (default ./NAME; must be empty or absent)' }),
  async (argv) => {
    const { scaffold } = await import('./scaffold.js');
    const r = scaffold(argv.kind as 'stepper' | 'problem', String(argv.name), packageVersion(), argv.dir);
    process.stdout.write(`wrote ${r.dir}:\n${r.files.map((f) => `  ${f}`).join('\n')}\nnext: cd ${argv.dir ?? argv.name} && npm install && npm test   (docs/plugins.md)\n`);
  })
  .command('schema <kind>', 'print the JSON Schema of suite files (for editor completion: docs/suites.md)', (y) => y
    .positional('kind', { type: 'string', choices: ['suite'], demandOption: true, describe: 'which file format' }),
  async () => {
    const { suiteJsonSchemaText } = await import('../core/suite/schema.js');
    process.stdout.write(suiteJsonSchemaText());
  })
  .command('problems', 'list registered problems with their options and defaults', (y) => y.option('plugin', pluginOption), async (argv) => {
    await loadPluginFiles(argv.plugin ?? [], registry);
    const problems = problemsOf(registry);
    for (const p of problems.list()) {
      process.stdout.write(`${p.name} — ${p.description}\n`);
      for (const line of problems.describe(p.name)) process.stdout.write(`    ${line}\n`);
    }
  })
  .command('info', 'which kernels, threads and versions are active', () => {}, async (argv) => {
    const kernels = selectKernels(argv.kernels as KernelPreference | undefined, notice);
    const threadsEnv = process.env.GRADFLAT_THREADS;
    process.stdout.write([
      `gradflat ${packageVersion()}, node ${process.version}, ${availableParallelism()} CPU(s)`,
      `kernels: ${kernels.name}${kernels.name === 'typescript' ? ' (OpenBLAS/LAPACKE not loaded or not chosen)' : ' (OpenBLAS cblas_dgemm, LAPACKE dsyevd, one BLAS thread)'}`,
      `MLP worker threads: up to 2 for problems with N ≥ ${THREADS_MIN_SAMPLES} and N·n ≥ ${THREADS_MIN_WORK.toExponential(0)}${threadsEnv ? ` (GRADFLAT_THREADS=${threadsEnv})` : ''}; results do not depend on the thread count`,
      await tfjsInfoLine(),
    ].join('\n') + '\n');
  })
  .demandCommand(1, 'give a command: run, suite, worker, summarize, report, reproduce, demo, plugins, problems, check, new, schema or info')
  .strict()
  .fail((msg, err, y) => {
    // Errors thrown by .check() and by command handlers: classified where they were thrown.
    if (err) throw err;
    y.showHelp();
    process.stderr.write(`\ngradflat: ${msg}\n`);
    process.exit(2);
  })
  .help();

try {
  await cli.parseAsync();
} catch (err) {
  // One clear line, not a stack trace (GRADFLAT_DEBUG shows the stack). The code follows from
  // the error's class (core/io/errors.ts; docs/running.md, "Exit codes").
  process.stderr.write(`gradflat: error: ${maskUrlPasswords((err as Error).message)}\n`);
  if (process.env.GRADFLAT_DEBUG) process.stderr.write(`${maskUrlPasswords(String((err as Error).stack))}\n`);
  process.exitCode = exitCodeOf(err);
  // A connection still retrying in the background (a Redis that is gone) must not keep a failed command alive.
  setTimeout(() => process.exit(), 3000).unref();
}
