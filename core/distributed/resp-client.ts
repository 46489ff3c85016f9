/**
 * A minimal Redis client (RESP2 over TCP or TLS) with the part of ioredis's interface that
 * BullMQ uses: commands as lowercase methods, `defineCommand` Lua scripts (EVALSHA, EVAL on
 * NOSCRIPT), pipelines and MULTI, `duplicate`, the connection events and `status`.
 *
 * Why: BullMQ's Redis driver (ioredis, an optional peer dependency) is not in gradflat's
 * install; this stand-in lets `--queue` work without it. When `ioredis` is installed,
 * redis.ts uses it instead. No reconnection: a dropped connection fails the command and the
 * process reports it (a worker is restarted by whoever runs it; the coordinator reattaches).
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface RespOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: boolean | Record<string, unknown>;
  connectTimeout?: number;
  /** BullMQ refuses blocking connections that retry commands. */
  maxRetriesPerRequest: null;
  lazyConnect?: boolean;
  [k: string]: unknown;
}

type Arg = string | number | Buffer;
type Reply = string | number | null | Error | Reply[];

class ReplyError extends Error {
  override name = 'ReplyError';
}

const CLOSED = 'Connection is closed.';
const NOT_COMMANDS = new Set(['then', 'catch', 'inspect', 'toJSON', 'constructor', 'nodes', 'asymmetricMatch']);

function flatten(args: unknown[]): Arg[] {
  const out: Arg[] = [];
  for (const a of args) {
    if (Array.isArray(a)) out.push(...flatten(a));
    else if (Buffer.isBuffer(a)) out.push(a);
    else if (a instanceof Uint8Array) out.push(Buffer.from(a));
    // As ioredis: a missing argument is an empty string, so script ARGV positions stay put.
    else if (a === undefined || a === null) out.push('');
    else out.push(typeof a === 'number' ? a : String(a));
  }
  return out;
}

function encode(args: Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Incremental RESP2 parser: feed bytes, get complete replies. */
class Parser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  feed(chunk: Buffer, emit: (r: Reply) => void): void {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
    for (;;) {
      const start = this.pos;
      const r = this.parse();
      if (r === undefined) {
        this.pos = start;
        return;
      }
      emit(r.v);
    }
  }

  private line(): string | undefined {
    const end = this.buf.indexOf('\r\n', this.pos);
    if (end < 0) return undefined;
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 2;
    return s;
  }

  private parse(): { v: Reply } | undefined {
    if (this.pos >= this.buf.length) return undefined;
    const type = String.fromCharCode(this.buf[this.pos++]);
    const l = this.line();
    if (l === undefined) return undefined;
    switch (type) {
      case '+': return { v: l };
      case '-': return { v: new ReplyError(l) };
      case ':': return { v: Number(l) };
      case '$': {
        const n = Number(l);
        if (n < 0) return { v: null };
        if (this.pos + n + 2 > this.buf.length) return undefined;
        const s = this.buf.toString('utf8', this.pos, this.pos + n);
        this.pos += n + 2;
        return { v: s };
      }
      case '*': {
        const n = Number(l);
        if (n < 0) return { v: null };
        const arr: Reply[] = [];
        for (let i = 0; i < n; i++) {
          const r = this.parse();
          if (r === undefined) return undefined;
          arr.push(r.v);
        }
        return { v: arr };
      }
      default: throw new Error(`unexpected RESP type byte '${type}'`);
    }
  }
}

/** ioredis shapes a few replies; BullMQ relies on these. */
function shape(command: string, r: Reply): unknown {
  if (command === 'hgetall' && Array.isArray(r)) {
    const o: Record<string, unknown> = {};
    for (let i = 0; i + 1 < r.length; i += 2) o[String(r[i])] = r[i + 1];
    return o;
  }
  return r;
}

interface Pending {
  resolve(v: Reply): void;
  reject(e: Error): void;
}

export class RespClient extends EventEmitter {
  status = 'wait';
  readonly isCluster = false;
  readonly options: RespOptions;
  private socket?: Socket;
  private readonly pending: Pending[] = [];
  private readonly offline: Array<{ data: Buffer; p: Pending }> = [];
  private readonly scripts = new Map<string, { numberOfKeys?: number; lua: string; sha: string }>();

  constructor(options: RespOptions) {
    super();
    this.options = { ...options, maxRetriesPerRequest: null };
    const self = new Proxy(this, {
      get(target, prop, receiver) {
        if (typeof prop !== 'string' || prop in target || NOT_COMMANDS.has(prop) || prop.startsWith('__')) return Reflect.get(target, prop, receiver);
        if (target.scripts.has(prop)) return (...args: unknown[]) => target.script(prop, flatten(args));
        if (/^[a-z]+$/.test(prop)) return (...args: unknown[]) => target.command(prop, flatten(args));
        return undefined;
      },
    });
    if (!options.lazyConnect) queueMicrotask(() => void self.connect().catch(() => { /* reported as 'error' */ }));
    return self;
  }

  connect(): Promise<void> {
    if (this.status !== 'wait') return Promise.resolve();
    this.status = 'connecting';
    const o = this.options;
    return new Promise((resolve, reject) => {
      const opts = { host: o.host, port: o.port };
      const socket = o.tls ? tlsConnect({ ...opts, servername: o.host, ...(typeof o.tls === 'object' ? o.tls : {}) }) : netConnect(opts);
      this.socket = socket;
      socket.setNoDelay(true);
      const timer = setTimeout(() => socket.destroy(new Error(`connect timed out after ${o.connectTimeout ?? 10000} ms`)), o.connectTimeout ?? 10000);
      const parser = new Parser();
      socket.on('data', (chunk) => parser.feed(chunk, (r) => {
        const p = this.pending.shift();
        if (!p) return;
        if (r instanceof Error) p.reject(r);
        else p.resolve(r);
      }));
      let failed: Error | undefined;
      socket.on('error', (e) => {
        failed = e;
        this.emit('error', e);
      });
      socket.on('close', () => {
        clearTimeout(timer);
        const err = new Error(CLOSED);
        for (const p of this.pending.splice(0)) p.reject(err);
        for (const q of this.offline.splice(0)) q.p.reject(err);
        if (this.status !== 'ready') reject(failed ?? err);
        this.status = 'end';
        this.emit('close');
        this.emit('end');
      });
      socket.once(o.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        this.status = 'connect';
        this.emit('connect');
        const hello: Array<Promise<unknown>> = [];
        const raw = (args: Arg[]) => new Promise<Reply>((res, rej) => {
          this.pending.push({ resolve: res, reject: rej });
          socket.write(encode(args));
        });
        if (o.password) hello.push(raw(o.username ? ['AUTH', o.username, o.password] : ['AUTH', o.password]));
        if (o.db) hello.push(raw(['SELECT', o.db]));
        Promise.all(hello).then(() => {
          this.status = 'ready';
          for (const q of this.offline.splice(0)) {
            this.pending.push(q.p);
            socket.write(q.data);
          }
          this.emit('ready');
          resolve();
        }, (e: Error) => {
          socket.destroy(e);
        });
      });
    });
  }

  private send(args: Arg[]): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const p = { resolve, reject };
      const data = encode(args);
      if (this.status === 'ready') {
        this.pending.push(p);
        this.socket!.write(data);
      } else if (this.status === 'end') reject(new Error(CLOSED));
      else {
        this.offline.push({ data, p });
        if (this.status === 'wait') void this.connect().catch(() => {});
      }
    });
  }

  async command(name: string, args: Arg[]): Promise<unknown> {
    return shape(name, await this.send([name, ...args]));
  }

  defineCommand(name: string, def: { numberOfKeys?: number; lua: string }): void {
    this.scripts.set(name, { ...def, sha: createHash('sha1').update(def.lua).digest('hex') });
  }

  private scriptArgs(name: string, args: Arg[]): { sha: string; lua: string; rest: Arg[] } {
    const s = this.scripts.get(name)!;
    return { sha: s.sha, lua: s.lua, rest: s.numberOfKeys === undefined ? args : [s.numberOfKeys, ...args] };
  }

  async script(name: string, args: Arg[]): Promise<unknown> {
    const { sha, lua, rest } = this.scriptArgs(name, args);
    try {
      return await this.send(['EVALSHA', sha, ...rest]);
    } catch (e) {
      if (!(e as Error).message.startsWith('NOSCRIPT')) throw e;
      return this.send(['EVAL', lua, ...rest]);
    }
  }

  pipeline(): unknown {
    return this.batch(false);
  }

  multi(): unknown {
    return this.batch(true);
  }

  private batch(atomic: boolean): unknown {
    const queued: Array<{ name: string; args: Arg[] }> = [];
    const client = this;
    const target = {
      exec: async (): Promise<Array<[Error | null, unknown]> | null> => {
        if (atomic) {
          const replies = await Promise.all([client.send(['MULTI']), ...queued.map((q) => client.send([q.name, ...q.args]).catch((e: Error) => e)), client.send(['EXEC'])]);
          const results = replies[replies.length - 1];
          if (results === null) return null;
          return (results as Reply[]).map((r, i) => (r instanceof Error ? [r, null] : [null, shape(queued[i].name, r)]));
        }
        const replies = await Promise.all(queued.map((q) => client.send([q.name, ...q.args]).then((r) => [null, shape(q.name, r)] as [null, unknown], (e: Error) => [e, null] as [Error, null])));
        return replies;
      },
    };
    const proxy: unknown = new Proxy(target, {
      get(t, prop) {
        if (typeof prop !== 'string') return undefined;
        if (prop in t) return Reflect.get(t, prop);
        if (NOT_COMMANDS.has(prop)) return undefined;
        if (client.scripts.has(prop)) {
          return (...args: unknown[]) => {
            const { lua, rest } = client.scriptArgs(prop, flatten(args));
            queued.push({ name: 'eval', args: [lua, ...rest] });
            return proxy;
          };
        }
        if (/^[a-z]+$/.test(prop)) return (...args: unknown[]) => {
          queued.push({ name: prop, args: flatten(args) });
          return proxy;
        };
        return undefined;
      },
      set(t, prop, value) {
        // BullMQ's adapter replaces hset/hscan/sscan/runCommand with wrappers of the originals.
        (t as Record<string | symbol, unknown>)[prop] = value;
        return true;
      },
    });
    return proxy;
  }

  duplicate(override: Partial<RespOptions> = {}): RespClient {
    const copy = new RespClient({ ...this.options, ...override });
    for (const [name, s] of this.scripts) copy.defineCommand(name, s);
    return copy;
  }

  async quit(): Promise<string> {
    if (this.status !== 'ready') {
      this.disconnect();
      return 'OK';
    }
    try {
      await this.send(['QUIT']);
    } catch { /* closing */ }
    this.disconnect();
    return 'OK';
  }

  disconnect(): void {
    if (this.status === 'wait') {
      this.status = 'end';
      this.emit('end');
      return;
    }
    this.socket?.destroy();
  }
}
