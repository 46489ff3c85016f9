/**
 * Run checkpoints: a run saves everything its remaining steps depend on — the
 * stepper's state (θ, gradient, extra), the harness's running values (steps, min ‖g‖², max r,
 * first iterates below the cutoffs, oracle work so far), the observer's state (probe RNG
 * position included) and the step log's length — so that a killed run resumes from the last
 * checkpoint and ends bit-identical to an uninterrupted one (wall-clock fields aside).
 *
 * Encoding: JSON whose numbers are exact (ECMAScript writes the shortest decimal that reads
 * back to the same double), with the cases JSON loses written out: typed arrays as base64 of
 * their little-endian bytes, −0, NaN, ±Infinity and undefined as tagged objects. Anything else
 * (a class instance, a function, a Map) is refused with the path where it was met.
 *
 * Policy (docs/checkpoints.md): a checkpoint is written after a step when `everySteps` steps
 * (0: never by count) or `everySeconds` seconds (0: never by time) have passed since the last
 * one; it is removed once the run's final record has been written.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';
import { UsageError } from '../io/errors.js';

export interface CheckpointPolicy {
  /** Checkpoint every this many steps (0: not by count). */
  everySteps: number;
  /** Checkpoint when this many seconds passed since the last one (0: not by time). */
  everySeconds: number;
}

/**
 * Defaults: by time only, every 30 s. A checkpoint costs one θ-sized write and an fsync (about
 * a millisecond for n ≤ 10⁴); every 30 s bounds both that cost and the work a kill loses.
 */
export const DEFAULT_CHECKPOINT_POLICY: Readonly<CheckpointPolicy> = Object.freeze({ everySteps: 0, everySeconds: 30 });

/**
 * The policy from $GRADFLAT_CHECKPOINT_STEPS / $GRADFLAT_CHECKPOINT_SECONDS over the defaults;
 * `false` when $GRADFLAT_CHECKPOINT=off (0, false, no); another word than on/off is an error.
 */
export function checkpointPolicyFromEnv(env: NodeJS.ProcessEnv = process.env, base: CheckpointPolicy = DEFAULT_CHECKPOINT_POLICY): CheckpointPolicy | false {
  // Any other word is refused: `false` or `no` silently leaving checkpoints on is the opposite of what was asked.
  const switchValue = (env.GRADFLAT_CHECKPOINT ?? '').trim().toLowerCase();
  if (['off', '0', 'false', 'no'].includes(switchValue)) return false;
  if (!['', 'on', '1', 'true', 'yes'].includes(switchValue)) {
    throw new UsageError(`$GRADFLAT_CHECKPOINT must be off (or 0, false, no) to turn checkpoints off, or on (1, true, yes), got '${env.GRADFLAT_CHECKPOINT}'`);
  }
  const read = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const v = Number(raw);
    if (!(Number.isFinite(v) && v >= 0)) throw new UsageError(`$${name} must be a number ≥ 0 (0 turns that trigger off), got '${raw}'`);
    return v;
  };
  return { everySteps: Math.floor(read('GRADFLAT_CHECKPOINT_STEPS', base.everySteps)), everySeconds: read('GRADFLAT_CHECKPOINT_SECONDS', base.everySeconds) };
}

/** Where a run's checkpoint lives: a file next to its step log, or (queued jobs) Redis. */
export interface CheckpointStore {
  load(): string | undefined;
  save(text: string): void;
  clear(): void;
  /** For messages. */
  readonly where: string;
}

/** `runs/run-NNN.ndjson` → `runs/run-NNN.checkpoint` (not *.json: readers of run directories skip it). */
export function checkpointPathFor(logPath: string): string {
  return logPath.replace(/\.ndjson$/, '') + '.checkpoint';
}

export function fileCheckpointStore(path: string): CheckpointStore {
  return {
    where: path,
    load: () => (existsSync(path) ? readFileSync(path, 'utf8') : undefined),
    save: (text) => writeFileAtomic(path, text),
    clear: () => rmSync(path, { force: true }),
  };
}

/** Decides when to checkpoint; `now` is injectable for tests. */
export class CheckpointClock {
  private lastSteps: number;
  private lastMs: number;

  constructor(private readonly policy: CheckpointPolicy, steps: number, private readonly now: () => number = () => performance.now()) {
    this.lastSteps = steps;
    this.lastMs = now();
  }

  due(steps: number): boolean {
    const p = this.policy;
    return (p.everySteps > 0 && steps - this.lastSteps >= p.everySteps) || (p.everySeconds > 0 && this.now() - this.lastMs >= p.everySeconds * 1000);
  }

  mark(steps: number): void {
    this.lastSteps = steps;
    this.lastMs = this.now();
  }
}

const TYPED = {
  Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array, Uint8ClampedArray,
} as const;
type TypedName = keyof typeof TYPED;
type AnyTyped = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array | Uint8ClampedArray;

/** Little-endian bytes whatever the machine's byte order, so a checkpoint moves between machines. */
function typedToBase64(a: AnyTyped): string {
  const size = a.BYTES_PER_ELEMENT;
  const bytes = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  if (size === 1 || LITTLE_ENDIAN) return bytes.toString('base64');
  const copy = Buffer.from(bytes);
  for (let i = 0; i < copy.length; i += size) copy.subarray(i, i + size).reverse();
  return copy.toString('base64');
}

function base64ToTyped(name: TypedName, b64: string): AnyTyped {
  const Ctor = TYPED[name];
  const bytes = Buffer.from(b64, 'base64');
  const size = Ctor.BYTES_PER_ELEMENT;
  if (bytes.length % size !== 0) throw new Error(`a ${name} of ${bytes.length} bytes is not a whole number of elements`);
  if (size > 1 && !LITTLE_ENDIAN) for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  // Copy into a fresh, aligned buffer of exactly the right length.
  const out = new Ctor(bytes.length / size);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Encodes plain data exactly (see the module comment). */
export function encodeExact(value: unknown, path = '$'): unknown {
  if (value === undefined) return { $undefined: true };
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return { $number: '-0' };
    return Number.isFinite(value) ? value : { $number: String(value) };
  }
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name as TypedName;
    if (!(name in TYPED)) throw new Error(`cannot checkpoint ${path}: a ${value.constructor.name} (only plain data and typed arrays can be stored)`);
    return { $typed: name, base64: typedToBase64(value as AnyTyped) };
  }
  if (Array.isArray(value)) return value.map((v, i) => encodeExact(v, `${path}[${i}]`));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new Error(`cannot checkpoint ${path}: a ${(value as object).constructor?.name ?? 'class instance'} (a state must be plain data: numbers, strings, arrays, plain objects, typed arrays)`);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = encodeExact(v, `${path}.${k}`);
    return out;
  }
  throw new Error(`cannot checkpoint ${path}: a ${typeof value} (a state must be plain data)`);
}

export function decodeExact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeExact);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.$undefined === true) return undefined;
    if (typeof o.$number === 'string') return o.$number === '-0' ? -0 : Number(o.$number);
    if (typeof o.$typed === 'string' && typeof o.base64 === 'string') {
      if (!(o.$typed in TYPED)) throw new Error(`checkpoint holds an unknown array type '${o.$typed}'`);
      return base64ToTyped(o.$typed as TypedName, o.base64);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = decodeExact(v);
    return out;
  }
  return value;
}

export function encodeCheckpoint(value: unknown): string {
  return JSON.stringify(encodeExact(value));
}

export function decodeCheckpoint(text: string): unknown {
  return decodeExact(JSON.parse(text));
}

/** Identifies the run a checkpoint belongs to: a checkpoint of any other run is ignored. */
export function runFingerprint(parts: Record<string, string | number | undefined>, theta0: Float64Array): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(parts));
  h.update(Buffer.from(typedToBase64(theta0), 'base64'));
  return h.digest('hex').slice(0, 32);
}
