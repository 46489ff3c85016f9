/**
 * Run records read back from disk (resume, summaries, reports, the paper tables), through one
 * zod schema. Records are written by `writeJsonAtomic`, which stores NaN and ±Infinity as the
 * strings "NaN", "Infinity", "-Infinity" (core/io/json.ts: JSON would write a silent null);
 * reading restores them as numbers, so a resumed run or a summary sees exactly the numbers the
 * run computed (a string "Infinity" would otherwise drop out of every quartile). A record that
 * does not fit names the file and the field; one whose checksum does not match is damaged.
 */
import { PAPER_CLASSES, POINT_CLASSES, type PaperClass, type PointClass } from '../analysis/flatness.js';
import type { RunRecord } from './run-one.js';
import { configErrorOf, integerField, z } from '../io/fields.js';
import { DamagedRecordError } from '../io/errors.js';
import { checkChecksumField } from '../io/checksum.js';

const ENCODED: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** A number as written by toJsonSafe: finite, or one of the strings for NaN and ±Infinity. */
export const storedNumber = z.union([
  z.number(),
  z.enum(['NaN', 'Infinity', '-Infinity']).transform((s) => ENCODED[s]),
], { error: (iss) => iss.input === undefined ? 'is required' : `must be a number (or "NaN"/"Infinity"/"-Infinity"), got ${iss.input === undefined ? 'nothing' : JSON.stringify(iss.input)}` });

/** Every encoded non-finite number inside `v` restored (for the free-form parts of a record). */
export function reviveNonFinite(v: unknown): unknown {
  if (typeof v === 'string') return v in ENCODED ? ENCODED[v] : v;
  if (Array.isArray(v)) return v.map(reviveNonFinite);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reviveNonFinite(x)]));
  return v;
}

/** A string field (a missing one says 'is required'). */
const text = z.string({ error: (iss) => (iss.input === undefined ? 'is required' : `must be a string, got ${JSON.stringify(iss.input)}`) });

const revived = z.unknown().transform(reviveNonFinite);
const counters = z.looseObject({ loss: storedNumber, gradient: storedNumber, hvp: storedNumber, gvp: storedNumber.optional(), statistics: storedNumber.optional() })
  .transform((c) => ({ gvp: 0, statistics: 0, ...c }));

// Fields not named here (newer or per-solver ones) are kept, their non-finite numbers restored too.
const pointReport = z.object({
  loss: storedNumber, gradNormSq: storedNumber, r_solverA: storedNumber, rH_solverA: storedNumber,
  solverExit: text, solverIterations: storedNumber, Anorm_solver: storedNumber,
  r_frobenius: storedNumber.optional(), rH_frobenius: storedNumber.optional(), hessianFrobenius: storedNumber.optional(),
  hessianSpectralNorm: storedNumber.optional(), index: storedNumber.optional(), negativeEigenvalues: storedNumber.optional(),
  indexCutoff: storedNumber, minEigenvalue: storedNumber.optional(), maxEigenvalue: storedNumber.optional(),
  rayleigh: storedNumber, hgRatio: storedNumber, class: z.enum(POINT_CLASSES as [PointClass, ...PointClass[]]),
  classPaper: z.enum(PAPER_CLASSES as [PaperClass, ...PaperClass[]]).optional(),
}).catchall(revived);

/** The schema of a run record (core/run/run-one.ts: RunRecord); unknown extra fields are kept. */
export const runRecordSchema = z.object({
  run: integerField(0),
  kernels: text.optional(),
  provenance: revived.optional(),
  gradflat: text.optional(),
  start: z.looseObject({ loss: storedNumber, gradNormSq: storedNumber }).optional(),
  steps: integerField(0),
  stopReason: text,
  wallMs: storedNumber,
  work: counters,
  minGradNormSq: storedNumber.optional(),
  maxR: storedNumber.optional(),
  final: pointReport,
  truth: revived.optional(),
  firstBelow: z.array(revived).optional(),
  theta: z.array(storedNumber).optional(),
  observed: revived.optional(),
  probeWork: counters.optional(),
}).catchall(revived);


/** Parses a run record's JSON text; `file` names it in errors. */
export function parseRunRecord(text: string, file: string): RunRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DamagedRecordError(file, `not valid JSON (${(e as Error).message}): a damaged or unfinished run record`);
  }
  // Records carry a checksum of their content (record-file.ts); one without (older, or written by hand) is read as it is.
  const sum = checkChecksumField(raw);
  if (sum.damaged) throw new DamagedRecordError(file, `altered: ${sum.damaged}`);
  const r = runRecordSchema.safeParse(sum.value);
  if (!r.success) {
    const err = configErrorOf(r.error);
    throw new DamagedRecordError(file, `not a gradflat run record: ${err.message}`);
  }
  return r.data as unknown as RunRecord;
}
