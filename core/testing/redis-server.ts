/**
 * A real redis-server for tests, on a free loopback port, with no persistence. Tests that need
 * one skip with a clear message when Debian's redis-server is not installed, unless
 * GRADFLAT_REQUIRE_REDIS=1 (CI), where its absence is a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { checkReachable, parseQueueUrl } from '../distributed/redis.js';

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

export function redisServerMissing(): string | undefined {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = 'redis-server is not installed (Debian: apt-get install redis-server)';
    if (process.env.GRADFLAT_REQUIRE_REDIS === '1') throw new Error(`${why}, and GRADFLAT_REQUIRE_REDIS=1`);
    return `${why}: skipped`;
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * A fresh redis-server; `opts.password` sets `requirepass` (the URL then carries it), `opts.args`
 * adds further configuration (`--databases`, ...).
 */
export async function startRedis(opts: { password?: string; args?: string[]; port?: number } = {}): Promise<TestRedis> {
  const port = opts.port ?? await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no',
    ...(opts.password ? ['--requirepass', opts.password] : []), ...(opts.args ?? [])], { stdio: 'ignore' });
  const url = `redis://${opts.password ? `:${encodeURIComponent(opts.password)}@` : ''}127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await checkReachable(parseQueueUrl(url));
      break;
    } catch (e) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`redis-server on port ${port} did not start: ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    stop: () => new Promise<void>((resolve) => {
      // Stopped already (a test stops the server mid-way, then cleans up): killed, exitCode stays null.
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}
