/**
 * What two executions of the same run may legitimately differ in: wall-clock fields. Everything
 * else in a record, a step log or a summary must be bit-identical (resume, workers, queues).
 *   wallMs         RunRecord.wallMs, observed.wallMs, observed.targets.*.wallMs, summary methods' wallMs
 *   methodWallMs   each step log line of a suite run (head-to-head observer)
 *   evaluationMs   the step log's final line (the final point's evaluation)
 *   checksum       a record's checksum (core/io/checksum.ts): it covers the wall-clock fields too
 */
export const TIMING_FIELDS: readonly string[] = ['wallMs', 'methodWallMs', 'evaluationMs', 'checksum'];

/** A deep copy without the timing fields, at any depth. */
export function withoutTiming(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutTiming);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([k]) => !TIMING_FIELDS.includes(k)).map(([k, x]) => [k, withoutTiming(x)]));
  }
  return v;
}

/** An NDJSON step log, line by line, without timing fields (JSON text, so −0 and key order count). */
export function logWithoutTiming(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0).map((l) => JSON.stringify(withoutTiming(JSON.parse(l))));
}

/** A JSON file's text without timing fields. */
export function jsonWithoutTiming(text: string): string {
  return JSON.stringify(withoutTiming(JSON.parse(text)));
}

/**
 * A step log's text, byte for byte, but for the final line's evaluation time: the stricter
 * comparison for logs whose step lines carry no timing (resume must reproduce them exactly).
 */
export function logTextWithoutEvaluationTime(text: string): string {
  return text.replace(/"evaluationMs":[^,}]*,?/g, '');
}
