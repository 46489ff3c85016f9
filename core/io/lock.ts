/**
 * An exclusive lock on an output directory, so that two invocations never compute into the same
 * folder at once (both would do all the work, and their atomic writes would race). The lock is
 * DIR/.gradflat.lock, created with O_EXCL, readable by its owner only, and holding {pid, host,
 * startedAt, command} (the command with any URL password masked: `--queue redis://:PASSWORD@…`). It is
 * released when the work ends (also when it throws) and on process exit. A process killed by a
 * signal (Ctrl-C, SIGTERM, SIGKILL) leaves it behind: it is stale when its pid is dead on this
 * host, and the next invocation takes it over. No signal handlers: `gradflat run` computes
 * synchronously, so a JavaScript handler would only run after the work and Ctrl-C would no
 * longer stop it. On another host (a shared file system) liveness cannot be checked: the
 * message says what to remove.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { DirectoryBusyError, UsageError } from './errors.js';
import { maskUrlPasswords } from './secrets.js';

export const LOCK_FILE = '.gradflat.lock';

interface Holder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export interface DirectoryLock {
  dir: string;
  /** True when the directory did not exist before the lock created it. */
  created: boolean;
  release(): void;
}


// Locks held by this process, by absolute path, with a count: re-entrant within the process.
const held = new Map<string, { count: number; path: string }>();

function releaseAll(): void {
  for (const { path } of held.values()) {
    try {
      unlinkSync(path);
    } catch { /* already gone */ }
  }
  held.clear();
}

function install(): void {
  process.on('exit', releaseAll);
}

function uninstall(): void {
  process.off('exit', releaseAll);
}

/** Whether `pid` runs on this host (EPERM: it exists, under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Holder;
    return Number.isInteger(h.pid) && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Locks `dir` (created if missing) or throws DirectoryBusyError naming the holder. A file at
 * `dir` is a UsageError (an output directory was expected).
 */
export function lockDirectory(dir: string): DirectoryLock {
  // resolve('') is the current directory: an empty --out must never lock (or write to) it.
  if (dir.trim() === '') throw new UsageError('the output directory is empty (""): give a directory, e.g. --out runs/my-experiment');
  const abs = resolve(dir);
  const path = join(abs, LOCK_FILE);
  const mine = held.get(abs);
  if (mine) {
    mine.count++;
    return { dir, created: false, release: () => releaseOne(abs) };
  }
  if (existsSync(abs) && !statSync(abs).isDirectory()) throw new UsageError(`${dir} is a file, not a directory: give a directory for --out`);
  const created = !existsSync(abs);
  mkdirSync(abs, { recursive: true });
  const me: Holder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: maskUrlPasswords(process.argv.slice(1).join(' ')) };
  for (let attempt = 0; ; attempt++) {
    try {
      // 0600: the command line may hold a secret the masking does not recognise (a token in a flag).
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(me) + '\n');
      } finally {
        closeSync(fd);
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw busyOr(e, dir, path);
      const h = readHolder(path);
      // Unreadable: a holder killed between create and write, or one still writing; stale after a minute.
      const stale = h ? h.host === me.host && !alive(h.pid) : Date.now() - statMtime(path) > 60_000;
      if (!stale) throw busyOr(e, dir, path);
      try {
        unlinkSync(path);
      } catch { /* another process took it over first: the retry says so */ }
    }
  }
  if (held.size === 0) install();
  held.set(abs, { count: 1, path });
  return { dir, created, release: () => releaseOne(abs) };
}

function statMtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function busyOr(e: unknown, dir: string, path: string): Error {
  if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return e as Error;
  const h = readHolder(path);
  const who = h ? `pid ${h.pid}${h.host !== hostname() ? ` on ${h.host}` : ''} (started ${h.startedAt}${h.command ? `: ${maskUrlPasswords(h.command)}` : ''})` : 'another gradflat process';
  return new DirectoryBusyError(`${dir} is in use by ${who}; wait for it to finish, or remove ${path} if that process is gone`);
}

function releaseOne(abs: string): void {
  const h = held.get(abs);
  if (!h) return;
  if (--h.count > 0) return;
  held.delete(abs);
  try {
    unlinkSync(h.path);
  } catch { /* already gone */ }
  if (held.size === 0) uninstall();
}

/** Removes `dir` if it is empty (after a failed start in a directory the lock created). */
export function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch { /* not empty or gone: leave it */ }
}
