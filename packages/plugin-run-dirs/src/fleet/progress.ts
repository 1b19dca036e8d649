// A one-line progress bar on a TTY (redrawn in place) that stays out of the per-run log lines: each log
// line clears the bar, prints, and the bar is drawn again below it.
export interface ProgressBar {
  tick(counts: Record<string, number>, done: number): void;
  log(line: string): void;
  end(): void;
}

export function progressBar(
  total: number,
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
  logTo: NodeJS.WritableStream,
  enabled = Boolean(out.isTTY),
): ProgressBar {
  const started = Date.now();
  let last = '';
  const clear = () => {
    if (enabled && last) out.write('\r\x1b[2K');
  };
  const draw = () => {
    if (enabled && last) out.write(last);
  };
  return {
    tick(counts, done) {
      if (!enabled) return;
      const width = 24;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      const secs = (Date.now() - started) / 1000;
      const rate = secs > 0 ? done / secs : 0;
      const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
      const summary = Object.entries(counts)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(' ');
      clear();
      last = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} runs ${summary} ${rate.toFixed(1)} runs/s eta ${eta}s`;
      draw();
    },
    log(line) {
      clear();
      logTo.write(`${line}\n`);
      draw();
    },
    end() {
      clear();
      last = '';
    },
  };
}
