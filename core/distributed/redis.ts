/**
 * The queue's Redis: URL parsing (redis://, rediss://, password in the URL or
 * $GRADFLAT_REDIS_URL), the connections BullMQ is given, and a fast, clear error when Redis
 * cannot be reached (BullMQ's own connections retry forever).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { UsageError } from '../io/errors.js';

export interface QueueUrl {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls: boolean;
  /** The URL with any password replaced by '***', for messages. */
  display: string;
}

export function resolveQueueUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const url = flag ?? env.GRADFLAT_REDIS_URL;
  if (!url) throw new UsageError('no Redis URL: give --queue redis://HOST:PORT (or rediss:// for TLS) or set GRADFLAT_REDIS_URL');
  return url;
}

export function parseQueueUrl(text: string): QueueUrl {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`'${text}' is not a Redis URL: use redis://[:PASSWORD@]HOST:PORT[/DB] or rediss://... for TLS`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UsageError(`'${u.protocol}' is not a Redis URL scheme: use redis:// or rediss:// (TLS)`);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : undefined;
  if (db !== undefined && !(Number.isInteger(db) && db >= 0)) throw new UsageError(`Redis URL ${text}: the path must be a database number, e.g. /0`);
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const shown = new URL(text);
  if (shown.password) shown.password = '***';
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: u.port ? Number(u.port) : 6379,
    username: password ? username : undefined, password,
    db, tls: u.protocol === 'rediss:', display: shown.toString(),
  };
}

export type RedisClient = Redis;

/** How long Redis may stay unreachable before a coordinator or worker gives up (--queue-timeout). */
export const DEFAULT_QUEUE_TIMEOUT_MS = 300_000;

/** Runs `f`, giving up on it (silently) after `ms`: closing connections to a Redis that is gone never returns. */
export async function within(ms: number, f: () => Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([f().catch(() => {}), new Promise<void>((r) => { timer = setTimeout(r, ms); timer.unref(); })]);
  clearTimeout(timer);
}

/**
 * A connection (ioredis, BullMQ's own driver) for BullMQ's Queue and Worker or for gradflat's
 * keys. maxRetriesPerRequest null: BullMQ refuses blocking connections that give up on commands.
 */
export function redisClient(url: QueueUrl, extra: Partial<RedisOptions> = {}): RedisClient {
  return new Redis({
    host: url.host, port: url.port, username: url.username, password: url.password, db: url.db, ...(url.tls && { tls: {} }),
    connectTimeout: 5000, maxRetriesPerRequest: null, ...extra,
  });
}

/**
 * What the queue runs on Redis, probed before any work: BullMQ reads INFO, names its
 * connections (CLIENT SETNAME), runs its Lua scripts (EVALSHA, falling back to EVAL) on
 * `bull:gradflat-suites:*` keys, appends events to a stream (XADD) and waits on sorted sets
 * (BZPOPMIN); gradflat keeps blobs and checkpoints under `gradflat:*` (SET, GET, DEL). A user
 * that may not run one of them is refused now, naming it, not after BullMQ has logged the same
 * refusal in a loop.
 */
const PROBE_KEYS = ['gradflat:access-check', 'bull:gradflat-suites:access-check', 'bull:gradflat-suites:access-check-events'];
const PROBE_SCRIPT = "redis.call('set', KEYS[2], '1', 'EX', 10); redis.call('xadd', KEYS[3], 'MAXLEN', '1', '*', 'k', 'v'); redis.call('del', KEYS[2], KEYS[3]); return 1";

async function probeCommands(c: Redis): Promise<void> {
  await c.info('server');
  await c.client('SETNAME', 'gradflat-access-check');
  await c.set(PROBE_KEYS[0], '1', 'EX', 10);
  await c.get(PROBE_KEYS[0]);
  await c.del(PROBE_KEYS[0]);
  // Directly first, so that a refusal names the command (inside a script it would not).
  await c.set(PROBE_KEYS[1], '1', 'EX', 10);
  await c.xadd(PROBE_KEYS[2], 'MAXLEN', '1', '*', 'k', 'v');
  await c.del(PROBE_KEYS[1], PROBE_KEYS[2]);
  await c.eval(PROBE_SCRIPT, 3, ...PROBE_KEYS);
  try {
    await c.evalsha('0'.repeat(40), 0);
  } catch (e) {
    if (!/NOSCRIPT/.test((e as Error).message)) throw e;
  }
  await c.bzpopmin(PROBE_KEYS[1], 0.01);
}

/** A NOPERM reply as a UsageError naming the user and what it may not do; anything else is returned as it is. */
export function permissionError(e: unknown, url: QueueUrl): unknown {
  const m = e instanceof Error ? e.message : String(e);
  // Inside a Lua script a refusal reads "ERR The user executing the script can't run this command".
  if (!/^NOPERM|user executing the script can't/.test(m)) return e;
  const user = url.username ?? 'default';
  const command = /'([^']+)' command/.exec(m)?.[1];
  const what = command ? `run the '${command}' command` : /keys?/.test(m) ? "use the queue's keys (gradflat:* and bull:*)" : 'run a command the queue needs';
  return new UsageError(`Redis user '${user}' at ${url.display} may not ${what} (${m}). The queue needs INFO, CLIENT SETNAME, EVAL/EVALSHA, XADD, BZPOPMIN, SET/GET/DEL and the keys gradflat:* and bull:*: ` +
    `grant them, e.g. ACL SETUSER ${user} +@all -@dangerous +info +client ~gradflat:* ~bull:*, or use a user that has them`);
}

/** Why a connection failed, in words; a TLS URL's failure is named as TLS (a plain server answers a TLS handshake with silence). */
function failureText(err: Error, url: QueueUrl): string {
  const why = err.message || (err as { code?: string }).code || String(err);
  if (url.tls) return `the TLS connection failed (${why}): is ${url.host}:${url.port} a TLS port (redis-server --tls-port)? For a plain port use redis://`;
  return why;
}

/**
 * Connects once, PINGs, selects the database and probes the commands the queue needs: a clear
 * UsageError (exit 2) naming the URL (password hidden) when any of it fails.
 */
export async function checkReachable(url: QueueUrl): Promise<void> {
  // One attempt, no reconnection: the point is to fail fast with a clear message. The database
  // is selected below, by hand: a bad index must be an error, not a silent database 0.
  const c = redisClient(url, { lazyConnect: true, connectTimeout: 3000, retryStrategy: () => null, maxRetriesPerRequest: 0, db: undefined, enableReadyCheck: false });
  // The socket's error (ECONNREFUSED, a TLS or AUTH failure) says more than the rejection ("Connection is closed.").
  let cause: Error | undefined;
  c.on('error', (e: Error) => { cause ??= e; });
  try {
    try {
      await c.connect();
      await c.ping();
    } catch (e) {
      const err = permissionError(cause ?? e, url);
      if (err instanceof UsageError) throw err;
      throw new UsageError(`cannot reach Redis at ${url.display}: ${failureText(err as Error, url)}. Start redis-server there (or fix --queue / GRADFLAT_REDIS_URL; a password goes in the URL: redis://:PASSWORD@HOST:PORT)`);
    }
    if (url.db !== undefined) {
      try {
        await c.select(url.db);
      } catch (e) {
        throw permissionError(e, url) instanceof UsageError ? permissionError(e, url) as UsageError
          : new UsageError(`Redis at ${url.display} has no database ${url.db} (${(e as Error).message}): give a database number below the server's 'databases' setting (16 by default), e.g. /0`);
      }
    }
    try {
      await probeCommands(c);
    } catch (e) {
      const err = permissionError(e, url);
      throw err instanceof UsageError ? err : new UsageError(`Redis at ${url.display} refused a command the queue needs: ${(e as Error).message}`);
    }
  } finally {
    c.disconnect();
  }
}

/**
 * Watches a process's Redis connections while it waits on them: when they have been down for
 * `graceMs`, one line says so (URL masked, how long, why), again every `everyMs`, and after
 * `timeoutMs` `failed` rejects with what to do. BullMQ's connections retry forever on their own:
 * this is the bound.
 */
export function watchConnections(clients: readonly Redis[], url: QueueUrl, opts: { timeoutMs: number; log: (line: string) => void; graceMs?: number; everyMs?: number }): { failed: Promise<never>; stop(): void } {
  const down = new Map<Redis, number>();
  let lastError = '';
  let reject: (e: Error) => void = () => {};
  const failed = new Promise<never>((_, r) => { reject = r; });
  failed.catch(() => {});
  const listeners: Array<() => void> = [];
  for (const c of clients) {
    const onError = (e: Error) => { lastError = e.message || (e as { code?: string }).code || String(e); };
    const onDown = () => { if (!down.has(c)) down.set(c, Date.now()); };
    const onReady = () => { down.delete(c); };
    c.on('error', onError);
    c.on('close', onDown);
    c.on('reconnecting', onDown);
    c.on('ready', onReady);
    listeners.push(() => {
      c.off('error', onError);
      c.off('close', onDown);
      c.off('reconnecting', onDown);
      c.off('ready', onReady);
    });
  }
  let told = 0;
  const grace = opts.graceMs ?? 2000, every = opts.everyMs ?? 30_000;
  const timer = setInterval(() => {
    if (down.size === 0) {
      if (told) opts.log(`Redis at ${url.display} is back`);
      told = 0;
      return;
    }
    const since = Math.min(...down.values());
    const waited = Date.now() - since;
    if (waited >= opts.timeoutMs) {
      reject(new Error(`Redis at ${url.display} has been unreachable for ${Math.round(waited / 1000)} s (${lastError || 'no answer'}): start it again and rerun the same command (finished runs are kept); --queue-timeout SECONDS sets how long to wait`));
      return;
    }
    if (waited >= grace && (told === 0 || Date.now() - told >= every)) {
      opts.log(`Redis at ${url.display} unreachable for ${Math.round(waited / 1000)} s (${lastError || 'no answer'}); waiting for it up to ${Math.round(opts.timeoutMs / 1000)} s (--queue-timeout)`);
      told = Date.now();
    }
  }, 500);
  timer.unref();
  return { failed, stop: () => { clearInterval(timer); for (const off of listeners) off(); } };
}
