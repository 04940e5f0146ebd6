/**
 * The command-line entry point: `npx tsx src/node/cli.ts <command> ...` (or `npm run cli -- ...`).
 * Commands:
 *   dump-log <segment.log> [--records]   print a segment's batches (and records); see dump-log.ts
 * Wrong arguments print the usage on stderr and exit with code 2.
 */
import { DUMP_LOG_USAGE, dumpLogCommand, type CliIo } from "./dump-log";

const USAGE = ["Usage: cli <command> [arguments]", "", "Commands:", DUMP_LOG_USAGE.replace(/^/gm, "  ")].join(
  "\n",
);

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "dump-log") return dumpLogCommand(rest, io);
  if (command === "--help" || command === "-h" || command === "help") {
    io.stdout(USAGE);
    return 0;
  }
  io.stderr(
    command === undefined ? "cli: no command given" : `cli: unknown command ${JSON.stringify(command)}`,
  );
  io.stderr(USAGE);
  return 2;
}

const io: CliIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};

// `dump-log ... | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `cli: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 70;
  },
);
