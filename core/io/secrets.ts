/**
 * Passwords given inside URLs (`--queue redis://:PASSWORD@host`, `rediss://user:PASSWORD@…`)
 * must not reach anything gradflat writes or prints: lock files, manifests, logs, errors. Every
 * text that may hold a command line or a URL goes through `maskUrlPasswords` first.
 */

// scheme://[user]:password@ — the password runs up to the last '@' before the next whitespace (a
// password may itself hold '@' or '/' when the user did not percent-encode it). Masking too much
// of an odd URL is harmless; leaving a password is not.
const CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@]*):(\S*)@(?=[^\s@]*(?:\s|$))/gi;

/** `text` with the password of every URL in it replaced by '***' (user names are kept: they say who connected). */
export function maskUrlPasswords(text: string): string {
  return text.replace(CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:***@`);
}
