/**
 * What travels through Redis for a queued suite (docs/scale-out.md):
 *   queue 'gradflat-suites'       one BullMQ job per task, id `<suite hash>-<phase>-<stepper>-<run>`
 *                                 (deterministic: re-running the coordinator adds nothing twice)
 *   gradflat:blob:<sha256>        content-addressed inputs: the resolved suite, plugin files,
 *                                 the data file, the analytic truth (base64)
 *   gradflat:ckpt:<job id>        the task's last checkpoint (with its step log, gzipped)
 *   job return value              { gz, checksum }: base64 of gzip(JSON { record, log }), the two files'
 *                                 texts, and the checksum of that JSON (a damaged result is never written)
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { checksumOf } from '../io/checksum.js';
import { DamagedRecordError } from '../io/errors.js';
import type { CheckpointPolicy } from '../run/checkpoint.js';
import type { Computation } from '../run/computation.js';
import type { SuiteTask } from '../suite/task.js';
import type { RedisClient } from './redis.js';

export const QUEUE_NAME = 'gradflat-suites';
/** Starts a worker's refusal in a job's failedReason (the coordinator lists the workers that refused). */
export const REFUSED = 'computation differs';
export const JOB_FORMAT = 3;
/** Bounded retries: a task that throws is tried this often, then reported failed. */
export const JOB_ATTEMPTS = 2;
/** Checkpoints and blobs expire after a week untouched. */
const TTL_SECONDS = 7 * 24 * 3600;

export interface Blob {
  /** Where it came from on the coordinator (messages, the plugin's file name). */
  file: string;
  sha256: string;
  /**
   * A plugin from an installed npm package: not uploaded (its module imports the package's
   * other files and dependencies); each worker uses its own install of this name and version,
   * and refuses it unless its code (`content`: pluginContentSha256, the module and its relative
   * imports, as the run identity hashes them) is the coordinator's.
   */
  package?: { name: string; version: string; content: string };
}

/**
 * A plugin file with the local modules it imports (core/registry/plugin-files.ts), placed on the
 * worker as they lie on the coordinator relative to their common folder, so that `import
 * './lib/x.js'` resolves there too.
 */
export interface PluginBlob extends Blob {
  /** With imports: the plugin's path in that folder, and each imported module's. */
  path?: string;
  imports?: Array<Blob & { path: string }>;
}

export interface JobData {
  format: number;
  gradflat: string;
  suiteHash: string;
  suite: Blob;
  plugins: PluginBlob[];
  data?: Blob;
  truth?: Blob;
  kernels: string;
  /** The coordinator's computation (code, kernels, BLAS): a worker whose own differs refuses the job, unless allowMixed. */
  computation: Computation;
  allowMixed?: boolean;
  runs: Record<string, number>;
  checkpoint: CheckpointPolicy | false;
  /** The task, exactly encoded (core/run/checkpoint.ts: θ₀'s −0 entries survive). */
  task: unknown;
  label: string;
}

export interface JobResult {
  gz: string;
  /** checksumOf the gzipped JSON text. */
  checksum: string;
  /** Which worker computed it, with what (the summary's machines.json). */
  computedBy?: { machine: string; computation: Computation };
}

export const jobId = (suiteHash: string, t: Pick<SuiteTask, 'phase' | 'stepper' | 'run'>) => `${suiteHash}-${t.phase}-${t.stepper}-${t.run}`;
export const checkpointKey = (id: string) => `gradflat:ckpt:${id}`;
const blobKey = (sha: string) => `gradflat:blob:${sha}`;

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Stores `content` under its hash (once) and returns the reference. */
export async function putBlob(redis: RedisClient, file: string, content: Buffer): Promise<Blob> {
  const hash = sha256(content);
  await redis.set(blobKey(hash), content.toString('base64'), 'EX', TTL_SECONDS);
  return { file, sha256: hash };
}

/** The blob's content, checked against its hash. */
export async function getBlob(redis: RedisClient, blob: Blob): Promise<Buffer> {
  const text = await redis.get(blobKey(blob.sha256));
  if (typeof text !== 'string') throw new Error(`${blob.file}: its content (sha256 ${blob.sha256.slice(0, 12)}…) is not in Redis any more; run the coordinator again to upload it`);
  const content = Buffer.from(text, 'base64');
  if (sha256(content) !== blob.sha256) throw new Error(`${blob.file}: the content in Redis does not match its sha256 ${blob.sha256.slice(0, 12)}…`);
  return content;
}

export async function saveCheckpoint(redis: RedisClient, id: string, text: string): Promise<void> {
  await redis.set(checkpointKey(id), text, 'EX', TTL_SECONDS);
}

/** The final record's and the step log's file texts, as the worker wrote them (so DIR gets the same bytes). */
export function encodeResult(record: string, log: string, computedBy?: JobResult['computedBy']): JobResult {
  const json = JSON.stringify({ record, log });
  return { gz: gzipSync(json).toString('base64'), checksum: checksumOf(json), ...(computedBy && { computedBy }) };
}

/** The result's two texts; DamagedRecordError (`what` names it) when it is missing, unreadable or not as the worker stored it. */
export function decodeResult(r: JobResult | null | undefined, what: string): { record: string; log: string } {
  if (!r || typeof r.gz !== 'string' || typeof r.checksum !== 'string') throw new DamagedRecordError(what, 'missing or without a checksum');
  let json: string;
  try {
    json = gunzipSync(Buffer.from(r.gz, 'base64')).toString('utf8');
  } catch (e) {
    throw new DamagedRecordError(what, `unreadable (${(e as Error).message})`);
  }
  if (checksumOf(json) !== r.checksum) throw new DamagedRecordError(what, 'altered: its content does not match its checksum');
  const out = JSON.parse(json) as { record: string; log: string };
  if (typeof out.record !== 'string' || typeof out.log !== 'string') throw new DamagedRecordError(what, 'not a record and a step log');
  return out;
}
