/**
 * TensorFlow.js for gradflat: loading it (lazily: a float64-only run never pays its ~0.5 s load)
 * and choosing its backend.
 *
 * Backends, in order of preference for 'auto':
 *   'tensorflow'  @tensorflow/tfjs-node (libtensorflow), used when it can be loaded. gradflat never
 *                 depends on it (its install script downloads libtensorflow, which fails on machines
 *                 without network); a user who has it installed gets it automatically.
 *   'wasm'        @tensorflow/tfjs-backend-wasm (a dependency of gradflat: its .wasm files ship in
 *                 the npm package, nothing is downloaded at install). Measured 4.6–9.0× faster per
 *                 HVP than 'cpu' on the paper's networks (docs/precision.md), so 'auto' takes it. Its
 *                 start-up is asynchronous, so only `selectTfjsBackend()` (async) can choose it; it
 *                 can still be missing or fail to start (e.g. under `node --jitless`, which has no
 *                 WebAssembly), and then 'auto' falls back to 'cpu'.
 *   'cpu'         the pure-JavaScript backend of @tensorflow/tfjs; always there.
 *
 * The choice is per process. `selectTfjsBackend()` (async; the CLI calls it before building a
 * tfjs problem) makes it. Code that builds a tfjs oracle without having called it gets
 * `ensureTfjsBackend()`: with no preference given (no argument, GRADFLAT_TFJS_BACKEND unset) it
 * keeps the backend already initialised in this process — the user's `tf.setBackend(...)`, or
 * the one tfjs picked for the user's first tensor — and only when there is none does it choose
 * synchronously: tfjs-node when it loads, else 'cpu' (never 'wasm': call `selectTfjsBackend()`
 * first to get it). gradflat never loads tfjs while it is imported: a float64-only process never
 * loads it at all.
 * Environment: GRADFLAT_TFJS_BACKEND=auto|tensorflow|wasm|cpu sets the preference (an explicit
 * argument wins); 'tensorflow' and 'wasm' are errors when unavailable, never silently replaced.
 *
 * Every backend computes in float32 (tfjs-node and wasm have no float64 kernels), so every tfjs
 * oracle says so in its provenance.
 */
import { createRequire } from 'node:module';
import type * as TF from '@tensorflow/tfjs';
import { UsageError } from '../../core/io/errors.js';
import { envField, z } from '../../core/io/fields.js';

export type Tf = typeof TF;
export const TFJS_BACKEND_PREFERENCES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type TfjsBackendPreference = (typeof TFJS_BACKEND_PREFERENCES)[number];

/** The module names tried for the native backend (a test substitutes a fake). */
export const TFJS_NODE_MODULES: readonly string[] = ['@tensorflow/tfjs-node'];
export const TFJS_WASM_MODULE = '@tensorflow/tfjs-backend-wasm';

export interface TfjsBackendStatus {
  /** The active tfjs backend: 'tensorflow', 'wasm' or 'cpu'. */
  backend: string;
  tfjsVersion: string;
  /** How the choice was made, and why faster backends were not used (one line). */
  reason: string;
  /** What the float32 computation runs on, for oracle provenance. */
  description: string;
}

const require = createRequire(import.meta.url);
let tfModule: Tf | null = null;
let status: TfjsBackendStatus | null = null;

/** @tensorflow/tfjs, loaded on first use (synchronously: it is a CommonJS package). */
export function loadTfjs(): Tf {
  if (tfModule === null) tfModule = require('@tensorflow/tfjs') as Tf;
  return tfModule;
}

/** $GRADFLAT_TFJS_BACKEND's preference; unset or empty: 'auto' (or null with `unsetAsNull`). */
function environmentPreference(unsetAsNull: true): TfjsBackendPreference | null;
function environmentPreference(unsetAsNull?: false): TfjsBackendPreference;
function environmentPreference(unsetAsNull = false): TfjsBackendPreference | null {
  const v = envField('GRADFLAT_TFJS_BACKEND', z.string().toLowerCase().pipe(z.enum(TFJS_BACKEND_PREFERENCES)),
    (raw) => `GRADFLAT_TFJS_BACKEND must be one of ${TFJS_BACKEND_PREFERENCES.join('|')} (got '${raw}')`);
  return v ?? (unsetAsNull ? null : 'auto');
}

function checkPreference(p: string): TfjsBackendPreference {
  if (!(TFJS_BACKEND_PREFERENCES as readonly string[]).includes(p)) {
    throw new UsageError(`unknown tfjs backend preference '${p}' (expected ${TFJS_BACKEND_PREFERENCES.join('|')})`);
  }
  return p as TfjsBackendPreference;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0].slice(0, 200);
}

const DESCRIPTIONS: Record<string, string> = {
  tensorflow: 'tfjs-node (libtensorflow), float32',
  wasm: 'tfjs WebAssembly backend (XNNPACK), float32',
  cpu: 'tfjs pure-JavaScript CPU backend, float32',
};

function describeBackend(name: string): string {
  return DESCRIPTIONS[name] ?? `tfjs backend '${name}', float32`;
}

/** The cpu backend greets Node users once with advice to install tfjs-node; `gradflat info` says that instead. */
function quietCpuGreeting(tf: Tf): void {
  const be = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (be && typeof be.firstUse === 'boolean') be.firstUse = false;
}

function activate(tf: Tf, name: string, reason: string): TfjsBackendStatus {
  // setBackend runs a synchronous factory at once (cpu, tensorflow); its promise only reports it.
  void tf.setBackend(name);
  if (tf.getBackend() !== name) throw new Error(`tfjs backend '${name}' did not initialise`);
  return record(tf, name, reason);
}

/** Records `name` (already active) as this process's choice. */
function record(tf: Tf, name: string, reason: string): TfjsBackendStatus {
  if (name === 'cpu') quietCpuGreeting(tf);
  status = { backend: name, tfjsVersion: tf.version.tfjs, reason, description: describeBackend(name) };
  return status;
}

/** Why the last `selectTfjsBackend('wasm')` failed (shown when a tfjs oracle then asks for wasm), or null. */
let wasmFailure: string | null = null;

/** A backend registered by the native module, in this process's tfjs engine (shared by every copy of tfjs-core). */
function nativeRegistered(tf: Tf): boolean {
  return tf.findBackendFactory('tensorflow') != null;
}

interface Probe { ok: boolean; reason: string }

/** Tries the native backend with `load` (require or dynamic import) for each candidate module. */
function afterNativeLoad(tf: Tf, name: string, err: unknown): Probe {
  if (err !== undefined) {
    const code = (err as { code?: string })?.code;
    const missing = code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
    return { ok: false, reason: missing ? `${name} is not installed` : `${name} is installed but failed to load: ${firstLine(err)}` };
  }
  if (!nativeRegistered(tf)) return { ok: false, reason: `${name} loaded but registered no 'tensorflow' backend with this copy of tfjs` };
  return { ok: true, reason: `${name} loaded` };
}

/**
 * The active backend, choosing one synchronously if none was chosen yet. With no preference (no
 * argument and no $GRADFLAT_TFJS_BACKEND) a backend already initialised in this process is kept
 * (the user's `tf.setBackend`, or the one tfjs initialised for an earlier op): gradflat does not
 * move the user's tfjs to another backend behind their back. Otherwise the preference decides
 * ('auto' = tfjs-node when it loads, else 'cpu'). 'wasm' cannot start synchronously: asking for
 * it here (when it is not already running) is an error that says to call `selectTfjsBackend()`
 * first, and includes why an earlier `selectTfjsBackend('wasm')` failed, if one did.
 */
export function ensureTfjsBackend(preference?: TfjsBackendPreference): TfjsBackendStatus {
  const tf = loadTfjs();
  const current = initialisedBackend(tf);
  if (status !== null && current === status.backend && (preference === undefined || preference === 'auto' || preference === status.backend)) return status;
  const explicit = preference !== undefined ? checkPreference(preference) : environmentPreference(true);
  if (current !== null && (explicit === null || explicit === current)) {
    return record(tf, current, explicit === null
      ? 'already initialised in this process (tf.setBackend or an earlier tfjs op): kept'
      : `${current} requested, already initialised`);
  }
  return chooseTfjsBackendSync(explicit ?? 'auto');
}

/**
 * The backend this process's tfjs engine has initialised and is using, or null when none is
 * (without initialising one: tf.getBackend() would). A backend still starting asynchronously
 * (tf.setBackend('wasm') not yet awaited) is an error: it cannot be used synchronously.
 */
function initialisedBackend(tf: Tf): string | null {
  const engine = tf.engine() as unknown as { backendName?: string | null; backendInstance?: unknown; pendingBackendInit?: unknown; registry?: Record<string, unknown> };
  const name = engine.backendName;
  if (name == null) return null;
  if (engine.pendingBackendInit != null) {
    throw new Error(`the tfjs backend '${name}' is still starting: await tf.setBackend('${name}') (or tf.ready()) before building a gradflat oracle`);
  }
  if (engine.backendInstance == null || engine.registry?.[name] !== engine.backendInstance) return null;
  return name;
}

/** `ensureTfjsBackend`'s choice, made afresh (no cached status); `nodeModules` for tests. */
export function chooseTfjsBackendSync(preference?: TfjsBackendPreference, nodeModules: readonly string[] = TFJS_NODE_MODULES): TfjsBackendStatus {
  const tf = loadTfjs();
  const pref = checkPreference(preference ?? environmentPreference());
  if (pref === 'wasm') {
    if (wasmFailure !== null) throw new UsageError(`the tfjs backend 'wasm' was requested but is unavailable: ${wasmFailure}. Use 'auto' or 'cpu' (GRADFLAT_TFJS_BACKEND).`);
    throw new Error("the tfjs 'wasm' backend starts asynchronously: call `await selectTfjsBackend('wasm')` before building a tfjs oracle (the CLI does), or choose 'auto' or 'cpu'");
  }
  const reasons: string[] = [];
  if (pref === 'auto' || pref === 'tensorflow') {
    for (const name of nodeModules) {
      let err: unknown;
      try { require(name); } catch (e) { err = e ?? new Error('unknown error'); }
      const p = afterNativeLoad(tf, name, err);
      if (p.ok) return activate(tf, 'tensorflow', p.reason);
      reasons.push(p.reason);
    }
    if (pref === 'tensorflow') throw new UsageError(`the tfjs backend 'tensorflow' was requested but is unavailable: ${reasons.join('; ')}. Install @tensorflow/tfjs-node, or use 'auto' or 'cpu'.`);
    reasons.push('wasm is chosen only by selectTfjsBackend() (asynchronous)');
  }
  return activate(tf, 'cpu', pref === 'cpu' ? 'cpu requested' : reasons.join('; '));
}

/**
 * Chooses this process's tfjs backend (default: $GRADFLAT_TFJS_BACKEND, else 'auto'): with 'auto', tfjs-node if a dynamic
 * import of it succeeds, else the WASM backend if it is installed and starts, else 'cpu'. An
 * explicit 'tensorflow' or 'wasm' that is unavailable throws with the reason. Calling it again
 * switches backends (oracles built before keep working but run on the new backend). Every
 * backend computes in float32 (docs/precision.md).
 */
export async function selectTfjsBackend(
  preference?: TfjsBackendPreference,
  options: { nodeModules?: readonly string[]; wasmModule?: string } = {},
): Promise<TfjsBackendStatus> {
  const tf = loadTfjs();
  const pref = checkPreference(preference ?? environmentPreference());
  const reasons: string[] = [];
  if (pref === 'auto' || pref === 'tensorflow') {
    for (const name of options.nodeModules ?? TFJS_NODE_MODULES) {
      let err: unknown;
      try { await import(name); } catch (e) { err = e ?? new Error('unknown error'); }
      const p = afterNativeLoad(tf, name, err);
      if (p.ok) {
        await tf.setBackend('tensorflow');
        return activate(tf, 'tensorflow', p.reason);
      }
      reasons.push(p.reason);
    }
    if (pref === 'tensorflow') throw new UsageError(`the tfjs backend 'tensorflow' was requested but is unavailable: ${reasons.join('; ')}. Install @tensorflow/tfjs-node, or use 'auto' or 'cpu'.`);
  }
  if (pref === 'auto' || pref === 'wasm') {
    const name = options.wasmModule ?? TFJS_WASM_MODULE;
    let why = '';
    try {
      await import(name);
      if (tf.findBackendFactory('wasm') == null) why = `${name} loaded but registered no 'wasm' backend with this copy of tfjs`;
      else if (!(await tf.setBackend('wasm'))) why = `${name}: the wasm backend failed to start`;
    } catch (e) {
      const code = (e as { code?: string })?.code;
      why = code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND' ? `${name} is not installed` : `${name} failed: ${firstLine(e)}`;
    }
    if (why === '') {
      await tf.ready();
      wasmFailure = null;
      return activate(tf, 'wasm', [...reasons, 'wasm backend started'].join('; '));
    }
    if (pref === 'wasm') wasmFailure = why;
    reasons.push(why);
    if (pref === 'wasm') throw new UsageError(`the tfjs backend 'wasm' was requested but is unavailable: ${why}. Use 'auto' or 'cpu'.`);
  }
  return activate(tf, 'cpu', pref === 'cpu' ? 'cpu requested' : reasons.join('; '));
}

/** The backend chosen so far in this process, or null (no tfjs oracle built, no selection made). */
export function tfjsBackendStatus(): TfjsBackendStatus | null {
  if (status === null || tfModule === null) return null;
  return tfModule.getBackend() === status.backend ? status : { ...status, backend: tfModule.getBackend(), reason: 'switched outside gradflat', description: describeBackend(tfModule.getBackend()) };
}

/**
 * Runs `fn` in a tfjs scope that disposes every tensor it made except those marked with tf.keep,
 * and returns fn's (non-tensor) value: tf.tidy for results that are numbers or Float64Arrays.
 */
export function scoped<T>(tf: Tf, fn: () => T): T {
  const engine = tf.engine();
  engine.startScope();
  try {
    return fn();
  } finally {
    engine.endScope();
  }
}
