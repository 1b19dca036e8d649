// `tidemark status | head -1`: the reader goes away and the next write fails with EPIPE, an 'error' event
// that would crash the process with a stack. A closed pipe only ends the output: the command runs to its end
// (an `up` is never cut mid-step because a pager quit) and exits with its own code.
import type { Writer } from './output.js';

const GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

export function quietPipe(stream: NodeJS.WriteStream): Writer {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!GONE.has(error.code ?? '')) throw error;
    closed = true;
  });
  return {
    write(chunk: string) {
      if (closed || stream.destroyed) return false;
      return stream.write(chunk);
    },
    get isTTY() {
      return stream.isTTY === true;
    },
  };
}
