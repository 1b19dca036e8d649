// What the fleet commands write to and how they report an exit code (the `tidemark` CLI passes its own).
export interface FleetCliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: Record<string, string | undefined>;
  setExitCode(code: number): void;
  /** Stops long-running commands (worker, dashboard); default SIGINT/SIGTERM of this process. */
  stopSignal?: AbortSignal;
}

export function processIo(): FleetCliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    setExitCode: (code) => (process.exitCode = code),
  };
}

/** Resolves on SIGTERM/SIGINT (or the io's stop signal). */
export function untilStopped(io: FleetCliIo): Promise<string> {
  return new Promise((resolve) => {
    if (io.stopSignal) {
      if (io.stopSignal.aborted) resolve('stop');
      io.stopSignal.addEventListener('abort', () => resolve('stop'), { once: true });
      return;
    }
    const on = (signal: NodeJS.Signals) => () => {
      process.off('SIGTERM', term);
      process.off('SIGINT', int);
      resolve(signal);
    };
    const term = on('SIGTERM');
    const int = on('SIGINT');
    process.once('SIGTERM', term);
    process.once('SIGINT', int);
  });
}
