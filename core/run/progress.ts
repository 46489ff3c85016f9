/**
 * Progress of long work, on stderr. Three modes:
 *   live   — stderr is a terminal: one line rewritten in place (run, step, loss);
 *   lines  — stderr is a file or pipe (nohup, a log): one line per finished run with done/total,
 *            elapsed time and an ETA (at most one a second when runs finish faster, always the last);
 *   quiet  — --quiet, or CI=true without --progress: nothing.
 * The CLI sets the preference once (setProgressPreference); library callers may pass a mode.
 */
export interface Progress {
  update(text: string): void;
  done(text?: string): void;
  /**
   * A run finished: `done` of the `total` runs this invocation computes (resumed ones excluded).
   * Call it with done = 0 when the runs start: elapsed time and the ETA count from there.
   */
  runFinished?(done: number, total: number, what?: string): void;
}

export type ProgressMode = 'live' | 'lines' | 'quiet';

let preference: { quiet?: boolean; force?: boolean } = {};

/** `--quiet` silences progress; `--progress` shows it even in CI. */
export function setProgressPreference(p: { quiet?: boolean; force?: boolean }): void {
  preference = { ...p };
}

export function progressMode(stream: { isTTY?: boolean } = process.stderr, env: NodeJS.ProcessEnv = process.env): ProgressMode {
  if (preference.quiet) return 'quiet';
  const ci = Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0';
  if (ci && !preference.force) return 'quiet';
  return stream.isTTY ? 'live' : 'lines';
}

/** 75 s → "1m15s"; 3725 s → "1h02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The line `lines` mode prints for a finished run. */
export function finishedLine(done: number, total: number, elapsedSeconds: number, what = 'runs'): string {
  const eta = done < total ? `, ETA ${formatDuration((elapsedSeconds / done) * (total - done))}` : '';
  return `gradflat: ${what} ${done}/${total} done, ${formatDuration(elapsedSeconds)} elapsed${eta}`;
}

export function terminalProgress(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } = process.stderr, mode: ProgressMode = progressMode(stream)): Progress {
  let last = 0;
  let lastLine = 0;
  // A phase (one `total`) counts its time from runFinished(0, …), else from the end of the
  // previous phase (or this object's creation): a phase's first line then has an honest ETA.
  let phase: { total: number; what?: string; t0: number } | undefined;
  let since = Date.now();
  return {
    update(text) {
      if (mode !== 'live') return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      stream.write(`\r\x1b[2K${text.slice(0, (stream.columns ?? 100) - 1)}`);
    },
    done(text) {
      phase = undefined;
      since = Date.now();
      if (mode !== 'live') return;
      stream.write('\r\x1b[2K' + (text ? text + '\n' : ''));
    },
    runFinished(done, total, what) {
      if (mode !== 'lines') return;
      const now = Date.now();
      if (!phase || phase.total !== total || phase.what !== what || done === 0) phase = { total, what, t0: done === 0 ? now : since };
      if (done === total) since = now;
      if (done === 0 || (done < total && now - lastLine < 1000)) return;
      lastLine = now;
      stream.write(finishedLine(done, total, (now - phase.t0) / 1000, what) + '\n');
    },
  };
}
