/** Child processes in tests: waiting for their exit and for a condition, and collecting their stderr. */
import { spawn, type ChildProcess } from 'node:child_process';

// A child killed by a signal keeps exitCode null: signalCode says it has exited already.
export const exited = (c: ChildProcess) => new Promise<number | null>((res) => (c.exitCode !== null || c.signalCode !== null ? res(c.exitCode) : c.once('exit', (code) => res(code))));

export async function until(what: string, cond: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `node script ...args` with stderr collected (and stdout too); `children` gets it, for the test's cleanup. */
export function startNode(script: string, args: string[], env: NodeJS.ProcessEnv, children: ChildProcess[]): { c: ChildProcess; err: () => string; out: () => string } {
  const c = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '', out = '';
  c.stderr!.on('data', (d) => { err += String(d); });
  c.stdout!.on('data', (d) => { out += String(d); });
  children.push(c);
  return { c, err: () => err, out: () => out };
}
