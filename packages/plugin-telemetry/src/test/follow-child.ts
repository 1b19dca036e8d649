// `tidemark-telemetry follow` in its own process, for kill -9 tests: argv as the CLI's. FOLLOW_HOLD_COMMIT_MS
// holds each round's transaction open after its rows and offsets were written (printing "holding-commit
// <file>"), so the test can kill the process between the COPY and the COMMIT.
import { runCli } from '../cli.js';

const hold = Number(process.env.FOLLOW_HOLD_COMMIT_MS ?? 0);
process.exitCode = await runCli(
  process.argv.slice(2),
  undefined,
  hold > 0
    ? {
        beforeCommit: async (file) => {
          process.stdout.write(`holding-commit ${file}\n`);
          await new Promise((resolve) => setTimeout(resolve, hold));
        },
      }
    : {},
);
