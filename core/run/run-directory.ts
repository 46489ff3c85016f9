/**
 * A run directory's identity: the manifest and its config hash. The hash covers everything
 * that changes results — the resolved config (defaults filled, keys sorted) and the contents
 * of any data file — so resuming never mixes runs of two different experiments. The manifest
 * is written when the directory is created and left alone on resume.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from '../io/atomic.js';
import { UsageError } from '../io/errors.js';
import { z } from '../io/fields.js';
import { LOCK_FILE } from '../io/lock.js';
import { identityDiff } from './identity-diff.js';
import { computationDifferences, describeComputation, type Computation } from './computation.js';
import { canonicalJson } from '../io/json.js';

export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function configHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}

/**
 * What a run directory's outputs are. `--force` removes exactly these, and only in a directory
 * whose manifest.json gradflat wrote: a user's own `runs/` or `summary.json` elsewhere is never touched.
 */
const OUTPUTS = ['manifest.json', 'starts.json', 'truth.json', 'summary.json', 'runs', 'report.md', 'finder', 'flat-starts.json', 'summary.txt', 'training.json', 'report', 'timing.json'];

/** Removes gradflat's outputs from `out` (--force; a start that failed before any run). */
export function discardOutputs(out: string): void {
  for (const f of OUTPUTS) rmSync(join(out, f), { recursive: true, force: true });
}

/** An atomic write's temporary file (core/io/atomic.ts): `.NAME.PID.THREAD.tmp`. */
const TEMP_FILE = /^\..+\.(\d+)\.\d+\.tmp$/;

/** Temporary files of atomic writes a killed writer left behind. */
export function removeStaleTemps(dir: string, pid?: number): void {
  const pattern = TEMP_FILE;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.isDirectory()) removeStaleTemps(join(dir, e.name), pid);
    else if (pattern.test(e.name) && (pid === undefined || Number(pattern.exec(e.name)![1]) === pid)) rmSync(join(dir, e.name), { force: true });
  }
}

/** A field read as absent when it is not of its type: each reader words its own refusal of a manifest. */
const ifValid = <T extends z.ZodType>(s: T) => s.optional().catch(undefined);

/**
 * A manifest as read back: the one schema that resume (here), `summarize` and `report` read
 * manifests through. Other fields (what each command writes beside its identity) are kept.
 */
export const manifestSchema = z.looseObject({
  configHash: ifValid(z.string()),
  gradflat: ifValid(z.string()),
  /** 'suite' for `gradflat suite`; absent for `gradflat run`. */
  kind: z.unknown().optional(),
  /** What the hash covers: the resolved suite or run config, the problem, the kernels. */
  identity: ifValid(z.looseObject({ suite: z.unknown().optional(), config: z.unknown().optional(), kernels: z.unknown().optional(), problem: ifValid(z.looseObject({ name: ifValid(z.string()) })) })),
  kernels: z.unknown().optional(),
  /** Facts about the problem (name, parameters, ...). */
  problem: ifValid(z.looseObject({ name: z.unknown().optional(), parameters: z.unknown().optional(), description: z.unknown().optional() })),
});

export type Manifest = z.output<typeof manifestSchema>;

/** The manifest in parsed JSON `m`; undefined when `m` is not an object. */
export function parseManifest(m: unknown): Manifest | undefined {
  const r = manifestSchema.safeParse(m);
  return r.success ? r.data : undefined;
}

/** A manifest written by openRunDirectory: the identity hash, with the gradflat version or the identity itself. */
const writtenByGradflat = (m: Manifest | undefined): m is Manifest & { configHash: string } =>
  m?.configHash !== undefined && (m.gradflat !== undefined || m.identity !== undefined);

/** True for a manifest written by openRunDirectory (see writtenByGradflat). */
export function isGradflatManifest(m: unknown): boolean {
  return writtenByGradflat(parseManifest(m));
}

/** Linux's limits on one file name and on a whole path (bytes); output files add a few levels below `out`. */
const NAME_MAX = 255;
const PATH_MAX = 4096 - 256;

/** `--out ""` would resolve to the current directory: refuse it before any path is built from it. */
export function checkOutDirectory(out: unknown, flag = '--out'): string {
  if (typeof out !== 'string' || out.trim() === '') {
    throw new UsageError(`${flag} must name a directory, got ${JSON.stringify(out)}: an empty name would mean the current directory. Give a new or empty directory, e.g. --out runs/my-experiment`);
  }
  // Checked here rather than met as ENAMETOOLONG / ENOTDIR half-way through a run.
  const long = out.split(/[\\/]/).find((part) => Buffer.byteLength(part) > NAME_MAX);
  if (long !== undefined) throw new UsageError(`${flag}: the name '${long.slice(0, 40)}…' is ${Buffer.byteLength(long)} bytes long, more than file systems allow in one name (${NAME_MAX}; ENAMETOOLONG). Use a shorter name`);
  if (Buffer.byteLength(resolve(out)) > PATH_MAX) throw new UsageError(`${flag}: the path is ${Buffer.byteLength(resolve(out))} bytes long, more than the system allows (${PATH_MAX}; ENAMETOOLONG). Use a shorter path`);
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`${flag} ${out} is a file, not a directory: give a new or empty directory`);
  return out;
}

type DirectoryState =
  | { kind: 'new' }
  | { kind: 'gradflat'; configHash: string; identity?: Record<string, unknown>; kernels?: unknown }
  | { kind: 'foreign'; why: string; entries: string[] };

function inspect(out: string): DirectoryState {
  if (!existsSync(out)) return { kind: 'new' };
  // The lock and a killed writer's temporary file (Ctrl-C while the manifest was being written) are gradflat's, not the user's.
  const entries = readdirSync(out).filter((f) => f !== LOCK_FILE && !TEMP_FILE.test(f));
  if (entries.length === 0) return { kind: 'new' };
  const manifestPath = join(out, 'manifest.json');
  if (!existsSync(manifestPath)) return { kind: 'foreign', why: 'it is not empty and holds no gradflat run (no manifest.json)', entries };
  let m: Manifest | undefined;
  try {
    m = parseManifest(JSON.parse(readFileSync(manifestPath, 'utf8')));
  } catch {
    return { kind: 'foreign', why: `its manifest.json is not valid JSON (not written by gradflat, or damaged)`, entries };
  }
  if (!writtenByGradflat(m)) return { kind: 'foreign', why: `its manifest.json is not a gradflat manifest (it has no 'configHash')`, entries };
  return { kind: 'gradflat', configHash: m.configHash, identity: m.identity, kernels: m.kernels };
}

/**
 * Opens `out` for the experiment identified by `identity`: creates it, resumes it when the
 * hash matches, refuses when it does not (unless `force`, which clears the old outputs).
 * A directory gradflat did not write (no gradflat manifest, not empty) is refused even with
 * `force`: the files there that share an output's name may be the user's. The caller holds the
 * directory's lock (core/io/lock.ts).
 */
export function openRunDirectory(out: string, identity: Record<string, unknown>, manifest: Record<string, unknown>, force: boolean): { hash: string; resuming: boolean } {
  checkOutDirectory(out);
  const hash = configHash(identity);
  const manifestPath = join(out, 'manifest.json');
  const state = inspect(out);
  if (state.kind === 'foreign') {
    const clash = state.entries.filter((e) => OUTPUTS.includes(e));
    const listed = (l: string[]) => l.slice(0, 6).join(', ') + (l.length > 6 ? ', ...' : '');
    throw new UsageError(force
      ? `${out}: refusing --force: ${state.why}, so gradflat cannot tell its own outputs from your files` +
        `${clash.length > 0 ? ` (it would have deleted or overwritten ${listed(clash)})` : ` (found ${listed(state.entries)})`}. ` +
        'Use a new or empty --out directory, or move those files away.'
      : `${out}: refusing to write there: ${state.why} (found ${listed(state.entries)}). ` +
        'Use a new or empty --out directory.');
  }
  if (state.kind === 'gradflat') {
    const oldKernels = state.identity?.kernels ?? state.kernels;
    // The computation (core/run/computation.ts: code, kernels, BLAS) as the directory recorded it:
    // the same configuration computed differently is said as such, not as another configuration.
    const oldComputation = state.identity?.computation as Computation | undefined;
    const withOld = (kernels: unknown) => ({ ...identity, kernels, ...(identity.computation !== undefined && { computation: oldComputation }) });
    // The same experiment but for the kernels (directories made before the kernels were part of
    // the run's identity lack them there): resuming would mix two kernel sets' round-off.
    const sameElse = [hash, configHash(withOld(oldKernels)), configHash({ ...identity, kernels: undefined })].includes(state.configHash);
    const sameKernels = identity.kernels === undefined || oldKernels === identity.kernels;
    if (sameElse && sameKernels && !force) {
      if (hash === state.configHash || configHash({ ...identity, kernels: undefined }) === state.configHash) return { hash, resuming: true };
      const now = identity.computation as Computation;
      throw new UsageError(`${out} was computed with ${oldComputation ? describeComputation(oldComputation) : 'an earlier gradflat that did not record its code'}, and this invocation computes with ${describeComputation(now)}` +
        `${oldComputation ? ` (${computationDifferences(oldComputation, now).join(', ')} differ)` : ''}: resuming would mix runs computed by two builds or CPU kernels (their numbers can differ). ` +
        'Resume with the build and environment that computed it (same gradflat files, same OPENBLAS_CORETYPE), use another --out directory, or --force to start over there.');
    }
    if (!force && sameElse) {
      throw new UsageError(`${out} was computed with the ${String(oldKernels)} dense kernels, and this invocation uses ${String(identity.kernels)}: ` +
        `resuming would mix runs of two kernel sets (their round-off differs). Resume with --kernels ${String(oldKernels)} (or GRADFLAT_KERNELS=${String(oldKernels)}), ` +
        `use another --out directory, or --force to start over there with ${String(identity.kernels)}.`);
    }
    if (!force) {
      const diff = state.identity ? identityDiff(state.identity, identity) : [];
      throw new UsageError(`${out} holds a run with a different configuration (hash ${state.configHash}, now ${hash})${diff.length ? `: ${diff.join('; ')}` : ''}. ` +
        'Use another --out directory, or --force to delete its gradflat outputs and start over there.');
    }
    discardOutputs(out);
  }
  writeJsonAtomic(manifestPath, { ...manifest, configHash: hash, identity, createdAt: new Date().toISOString() });
  return { hash, resuming: false };
}
