import type { Writable } from 'node:stream';
import type { TidemarkEvent } from '../events.js';

/** One JSON object per line, for log shippers and machines. */
export function jsonLinesSink(stream: Pick<Writable, 'write'> = process.stdout): (event: TidemarkEvent) => void {
  return (event) => {
    stream.write(`${JSON.stringify(event)}\n`);
  };
}
