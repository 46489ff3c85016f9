/**
 * Checksums of the state gradflat reads back (checkpoints, run records, queued results), so that
 * a file changed on disk or in Redis — a flipped bit, a half-copied file, a hand edit — is known
 * as damaged and never used: a run resumed from a corrupted θ would end elsewhere, silently.
 * SHA-256 of the content's exact text; a mismatch means "damaged", whatever the cause.
 */
import { createHash } from 'node:crypto';

export const CHECKSUM_PREFIX = 'sha256:';

export function checksumOf(text: string | Buffer): string {
  return CHECKSUM_PREFIX + createHash('sha256').update(text).digest('hex');
}

/**
 * Sealed JSON: BODY written as `{"checksum":"sha256:<hex>","body":BODY}`, the
 * body's text kept verbatim, so the check hashes exactly the bytes that were written (no
 * re-serialisation in between).
 */
const SEAL_HEAD = '{"checksum":"sha256:';
const SEAL_HEX = 64;
const SEAL_MID = '","body":';

export function sealJson(body: string): string {
  return `${SEAL_HEAD}${createHash('sha256').update(body).digest('hex')}${SEAL_MID}${body}}`;
}

/** The body of a sealed text, or why it cannot be trusted. */
export function unsealJson(text: string): { body: string } | { damaged: string } {
  if (!text.startsWith(SEAL_HEAD)) return { damaged: 'it carries no checksum (damaged, or written by an older gradflat)' };
  const hex = text.slice(SEAL_HEAD.length, SEAL_HEAD.length + SEAL_HEX);
  const start = SEAL_HEAD.length + SEAL_HEX;
  if (text.slice(start, start + SEAL_MID.length) !== SEAL_MID || !text.endsWith('}')) return { damaged: 'its checksum header is damaged' };
  const body = text.slice(start + SEAL_MID.length, -1);
  if (createHash('sha256').update(body).digest('hex') !== hex) return { damaged: 'its content does not match its checksum: changed or corrupted since it was written' };
  return { body };
}

/**
 * A JSON document with a `checksum` field appended: the SHA-256 of its text as
 * `JSON.stringify(value, null, 2)` without that field. Readers that ignore the field read the
 * document as before (run records stay plain JSON for every other tool).
 */
export function withChecksumField(value: Record<string, unknown>): string {
  const body = JSON.stringify(value, null, 2);
  return JSON.stringify({ ...value, checksum: checksumOf(body) }, null, 2) + '\n';
}

/**
 * Checks a document parsed from `withChecksumField`'s text and returns it without the field;
 * `damaged` says why it cannot be trusted. A document without the field (written before
 * checksums, or by hand) is returned as it is, `checked` false.
 */
export function checkChecksumField(raw: unknown): { value: unknown; checked: boolean; damaged?: string } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || !('checksum' in raw)) return { value: raw, checked: false };
  const { checksum, ...rest } = raw as Record<string, unknown>;
  // JSON.parse then JSON.stringify reproduces the text it read (key order, and numbers as the
  // shortest decimal that reads back to the same double), so the hash sees what was hashed.
  if (typeof checksum !== 'string' || checksum !== checksumOf(JSON.stringify(rest, null, 2))) {
    return { value: rest, checked: true, damaged: 'its content does not match its checksum: changed or corrupted since it was written' };
  }
  return { value: rest, checked: true };
}
