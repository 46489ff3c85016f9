/**
 * The harness side of run checkpoints (checkpoint.ts has the format and the policy): what
 * runOne saves, and how a saved checkpoint is checked before a run resumes from it. A
 * checkpoint that does not belong to this run (another stepper, start, version...) or whose
 * step log is shorter than it says is ignored with a warning: the run starts over, which is
 * always correct, only slower. A checkpoint carries a checksum of its content (core/io/checksum.ts):
 * one changed since it was written (a flipped base64 character of θ) is damaged, never resumed from.
 */
import { existsSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sealJson, unsealJson } from '../io/checksum.js';
import type { OracleCounters } from '../oracle/oracle.js';
import type { StepperState } from '../stepper/stepper.js';
import {
  CheckpointClock, decodeCheckpoint, encodeCheckpoint, runFingerprint, type CheckpointPolicy, type CheckpointStore,
} from './checkpoint.js';

export const CHECKPOINT_VERSION = 1;

export interface RunCheckpointOptions {
  store: CheckpointStore;
  policy: CheckpointPolicy;
  /**
   * Carry the step log's text inside the checkpoint (queued jobs: the next worker may run on
   * another machine, where the log written so far does not exist).
   */
  portableLog?: boolean;
}

/** What runOne saves; on resume, everything the rest of the run depends on. */
export interface SavedRun {
  steps: number;
  state: StepperState;
  start: { loss: number; gradNormSq: number };
  minGradNormSq: number;
  maxR?: number;
  firstBelow: Array<[number, { iteration: number; theta: Float64Array }]>;
  /** The method's oracle calls since the run began (probes are the observer's, in its own state). */
  work: OracleCounters;
  observer?: unknown;
}

interface StoredCheckpoint extends SavedRun {
  v: number;
  fingerprint: string;
  /** Wall time spent before the checkpoint (timing only). */
  elapsedMs: number;
  /** The step log's length in bytes at the checkpoint; the log is cut back to it on resume. */
  logBytes: number;
  /** portableLog: the log's first logBytes bytes, gzipped. */
  logGzip?: Uint8Array;
}

export interface OpenedCheckpoint {
  resumed?: SavedRun & { elapsedMs: number };
  due(steps: number): boolean;
  save(run: SavedRun): void;
}

/** What a checkpoint needs of the run it belongs to (run-one.ts's RunContext is one). */
export interface CheckpointedRun {
  oracle: { readonly dim: number };
  observer?: { checkpoint?(): unknown; restore?(data: unknown): void };
  checkpoint?: RunCheckpointOptions;
  iterations: number;
  targetGradNormSq?: number;
  label?: string;
  problemName: string;
  stepperName: string;
  version: string;
}

/**
 * Loads and checks this run's checkpoint (cutting the step log back to it), and returns the
 * saver. Undefined when the run cannot be checkpointed: an observer without checkpoint/restore.
 */
export function openRunCheckpoint(ctx: CheckpointedRun, run: number, theta0: Float64Array, logPath: string): OpenedCheckpoint | undefined {
  const opts = ctx.checkpoint!;
  if (ctx.observer && !(ctx.observer.checkpoint && ctx.observer.restore)) return undefined;
  const fingerprint = runFingerprint({
    v: CHECKPOINT_VERSION, gradflat: ctx.version, stepper: ctx.stepperName, label: ctx.label, problem: ctx.problemName,
    run, iterations: ctx.iterations, target: ctx.targetGradNormSq, dim: ctx.oracle.dim,
  }, theta0);
  const resumed = loadChecked(opts, fingerprint, logPath);
  const t0 = performance.now() - (resumed?.elapsedMs ?? 0);
  const clock = new CheckpointClock(opts.policy, resumed?.steps ?? 0);
  return {
    resumed,
    due: (steps) => clock.due(steps),
    save(saved) {
      const logBytes = existsSync(logPath) ? statSync(logPath).size : 0;
      const stored: StoredCheckpoint = {
        v: CHECKPOINT_VERSION, fingerprint, elapsedMs: performance.now() - t0, logBytes, ...saved,
        ...(opts.portableLog && { logGzip: new Uint8Array(gzipSync(readFileSync(logPath).subarray(0, logBytes))) }),
      };
      opts.store.save(sealJson(encodeCheckpoint(stored)));
      clock.mark(saved.steps);
    },
  };
}

function loadChecked(opts: RunCheckpointOptions, fingerprint: string, logPath: string): (SavedRun & { elapsedMs: number }) | undefined {
  const text = opts.store.load();
  if (text === undefined) return undefined;
  const ignore = (why: string) => {
    process.emitWarning(`ignoring the checkpoint ${opts.store.where}: ${why}; the run starts over from its first step`);
    opts.store.clear();
    return undefined;
  };
  const sealed = unsealJson(text);
  if ('damaged' in sealed) return ignore(`it is damaged: ${sealed.damaged}`);
  let c: StoredCheckpoint;
  try {
    c = decodeCheckpoint(sealed.body) as StoredCheckpoint;
  } catch (e) {
    return ignore(`it cannot be read (${(e as Error).message})`);
  }
  if (c.v !== CHECKPOINT_VERSION) return ignore(`it has format version ${c.v}, this gradflat writes ${CHECKPOINT_VERSION}`);
  if (c.fingerprint !== fingerprint) return ignore('it belongs to another run (stepper, start, iterations or gradflat version differ)');
  if (c.logGzip) {
    mkdirSync(dirname(logPath), { recursive: true });
    writeFileSync(logPath, gunzipSync(c.logGzip));
  } else {
    const size = existsSync(logPath) ? statSync(logPath).size : -1;
    if (size < c.logBytes) return ignore(`its step log ${logPath} has ${Math.max(size, 0)} bytes, fewer than the ${c.logBytes} it recorded`);
    truncateSync(logPath, c.logBytes);
  }
  const { v: _v, fingerprint: _f, logBytes: _b, logGzip: _g, ...saved } = c;
  return saved;
}
