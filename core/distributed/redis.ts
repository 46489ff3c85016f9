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

/** Connects once and PINGs; a clear error naming the URL (password hidden) when that fails. */
export async function checkReachable(url: QueueUrl): Promise<void> {
  // One attempt, no reconnection: the point is to fail fast with a clear message.
  const c = redisClient(url, { lazyConnect: true, connectTimeout: 3000, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  // The socket's error (ECONNREFUSED, a TLS or AUTH failure) says more than the rejection ("Connection is closed.").
  let cause: Error | undefined;
  c.on('error', (e: Error) => { cause ??= e; });
  try {
    await c.connect();
    await c.ping();
  } catch (e) {
    const err = cause ?? (e as Error);
    const why = err.message || (err as { code?: string }).code || String(err);
    throw new UsageError(`cannot reach Redis at ${url.display}: ${why}. Start redis-server there (or fix --queue / GRADFLAT_REDIS_URL; a password goes in the URL: redis://:PASSWORD@HOST:PORT)`);
  } finally {
    c.disconnect();
  }
}
