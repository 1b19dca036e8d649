import type { TidemarkEvent } from '../events.js';

export interface ConsoleSinkOptions {
  stream?: { write(chunk: string): unknown; isTTY?: boolean };
  /** Default: on when the stream is a TTY and NO_COLOR is not set. */
  color?: boolean;
  /** Show step:progress as a redrawn bar (TTY) or every 10% (otherwise). */
  progress?: boolean;
}

const codes = { red: 31, green: 32, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;

/** Pretty, human output with a progress bar; honours NO_COLOR. */
export function consoleSink(options: ConsoleSinkOptions = {}): (event: TidemarkEvent) => void {
  const stream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const color = options.color ?? (tty && !process.env.NO_COLOR);
  const paint = (c: keyof typeof codes, s: string) => (color ? `\u001b[${codes[c]}m${s}\u001b[0m` : s);
  const lastDecile = new Map<string, number>();
  let barShown = false;
  const line = (s: string) => {
    if (barShown) {
      stream.write('\r\u001b[K');
      barShown = false;
    }
    stream.write(`${s}\n`);
  };
  return (event) => {
    const where = paint('dim', event.target);
    switch (event.type) {
      case 'plan:ready': {
        const { steps, baseline, drift, external } = event.plan;
        line(
          `${where} plan: ${steps.length} to apply, ${baseline.length} to baseline, ${drift.length} drift, ${external.length} external`,
        );
        for (const s of steps) line(`  ${paint('cyan', '→')} ${s.id} ${paint('dim', s.why)}`);
        for (const b of baseline) line(`  ${paint('dim', '=')} ${b.id} ${paint('dim', b.note)}`);
        for (const d of drift) line(`  ${paint('yellow', '!')} drift ${d.kind} ${d.id}`);
        for (const x of external) line(`  ${paint('yellow', '?')} ${x.trait} needs ${x.needs}: ${x.evidence.summary}`);
        break;
      }
      case 'lock:waiting':
        line(`${where} waiting for lock held by ${event.holder} (expires ${event.expiresAt})`);
        break;
      case 'step:started':
        line(
          `${where} ${paint('cyan', `[${event.index + 1}/${event.total}]`)} ${event.direction} ${event.migration} ${paint('dim', event.title)}`,
        );
        break;
      case 'step:progress': {
        if (!options.progress && options.progress !== undefined) break;
        if (event.total !== undefined && event.total > 0) {
          const ratio = Math.min(1, event.done / event.total);
          if (tty) {
            const width = 30;
            const filled = Math.round(ratio * width);
            stream.write(
              `\r\u001b[K  ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${Math.round(ratio * 100)}% ${event.done}/${event.total}${event.note ? ` ${event.note}` : ''}`,
            );
            barShown = true;
          } else {
            const decile = Math.floor(ratio * 10);
            if (decile !== lastDecile.get(event.migration)) {
              lastDecile.set(event.migration, decile);
              line(`  ${event.migration} ${decile * 10}% (${event.done}/${event.total})`);
            }
          }
        }
        break;
      }
      case 'step:finished':
        line(`${where} ${paint('green', '✓')} ${event.migration} ${paint('dim', `${event.durationMs} ms`)}`);
        break;
      case 'step:baselined':
        line(`${where} ${paint('dim', `= ${event.migration} baselined`)}`);
        break;
      case 'step:failed':
        line(`${where} ${paint('red', '✗')} ${event.migration}: ${event.error}`);
        break;
      case 'validation':
        if (!event.ok)
          for (const i of event.issues)
            line(`  ${paint('red', 'invalid')} ${i.where ? `${i.where}: ` : ''}${i.message}`);
        break;
      case 'guard':
        line(`${where} ${paint('dim', `guard ${event.guard}: ${event.action}`)}`);
        break;
      case 'log':
        line(
          `${where} ${event.level === 'warn' ? paint('yellow', 'warn') : paint('dim', 'info')} ${event.migration ? `${event.migration}: ` : ''}${event.message}`,
        );
        break;
      case 'run:finished':
        line(
          `${where} ${event.outcome === 'failed' ? paint('red', `${event.command} failed`) : paint('green', `${event.command} ${event.outcome}`)} ${paint('dim', `${event.durationMs} ms`)}`,
        );
        break;
      default:
        break;
    }
  };
}
