/** One-line progress on an interactive terminal; silent in CI and when stderr is not a TTY. */
export interface Progress {
  update(text: string): void;
  done(text?: string): void;
}

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const live = Boolean(stream.isTTY) && !process.env.CI;
  let last = 0;
  return {
    update(text) {
      if (!live) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      stream.write(`\r\x1b[2K${text.slice(0, (stream.columns ?? 100) - 1)}`);
    },
    done(text) {
      if (!live) return;
      stream.write('\r\x1b[2K' + (text ? text + '\n' : ''));
    },
  };
}
