// Where the CLI writes: a result for people (tables on stdout) or for machines (one JSON document on stdout);
// events on stderr (pretty with a progress bar, or JSON lines with --log-json). Everything passes redact().
import { consoleSink, redact, type Plan, type TidemarkEvent } from '@tidemark/core';

export interface Writer {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface OutputOptions {
  json: boolean;
  logJson: boolean;
  color: boolean;
}

const COLORS = { red: 31, green: 32, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;
export type Color = keyof typeof COLORS;

function isEmpty(plan: Plan): boolean {
  return plan.steps.length === 0 && plan.baseline.length === 0 && plan.drift.length === 0 && plan.external.length === 0;
}

export const redactReplacer = (_key: string, value: unknown): unknown =>
  typeof value === 'string' ? redact(value) : value;

export class Output {
  readonly json: boolean;
  readonly logJson: boolean;
  readonly color: boolean;

  constructor(
    readonly stdout: Writer,
    readonly stderr: Writer,
    options: OutputOptions,
  ) {
    this.json = options.json;
    this.logJson = options.logJson;
    this.color = options.color;
  }

  paint(color: Color, text: string): string {
    return this.color ? `\u001b[${COLORS[color]}m${text}\u001b[0m` : text;
  }

  /** A line for people; silent in --json mode. */
  print(line = ''): void {
    if (!this.json) this.stdout.write(`${redact(line)}\n`);
  }

  warn(line: string): void {
    this.stderr.write(`${redact(line)}\n`);
  }

  document(doc: unknown): void {
    this.stdout.write(`${JSON.stringify(doc, redactReplacer, 2)}\n`);
  }

  /**
   * The event listener for a run: JSON lines with --log-json; in --json mode nothing else (stdout holds one
   * document); otherwise the pretty console sink, but only for commands that run steps (`live`).
   */
  sink(live: boolean): ((event: TidemarkEvent) => void) | undefined {
    if (this.logJson) return (event) => this.stderr.write(`${JSON.stringify(event, redactReplacer)}\n`);
    if (this.json || !live) return undefined;
    const stream = { write: (chunk: string) => this.stderr.write(redact(chunk)), isTTY: this.stderr.isTTY === true };
    const pretty = consoleSink({ stream, color: this.color, progress: true });
    // An empty plan ("0 to apply, 0 to baseline, 0 drift, 0 external") says what the command's summary line
    // on stdout already says: a start with nothing to do stays one line.
    return (event) => {
      if (event.type === 'plan:ready' && isEmpty(event.plan)) return;
      pretty(event);
    };
  }
}
