#!/usr/bin/env node
/**
 * The `tsio` command: `tsio demo`, `tsio serve`, `tsio status`. Each subcommand lives in its own
 * module, loaded only when it is run. Exit codes: 0 success, 1 failure (a URL failed, a demo threw),
 * 2 usage error.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';
import { brokenPipe, pipeBroken } from './broken-pipe.js';
import type { Command } from './command.js';

const COMMANDS: Record<string, () => Promise<Command>> = {
  demo: async () => (await import('./demo.js')).command,
  serve: async () => (await import('./serve.js')).command,
  status: async () => (await import('./status.js')).command,
};

const SUMMARIES: Record<string, string> = {
  demo: "run the seed's asyncio / concurrent.futures examples, timed, with a timeline",
  serve: "the seed's FastAPI server: GET / and GET /timeit/:seconds",
  status: "the seed's fetch_status grown into a tool: HTTP status of many URLs",
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const HELP = `Usage: tsio <command> [options]

Python's asyncio and concurrent.futures for Node.js, shown through the programs of the seed page.

Commands:
${Object.keys(COMMANDS)
  .map((name) => `  ${name.padEnd(8)}${SUMMARIES[name]}`)
  .join('\n')}

Options:
  -h, --help     show this text (or 'tsio <command> --help' for a command)
  -v, --version  print tsio's version

Examples:
  tsio demo                 run every demo (about 10 s)
  tsio serve --port 8000    serve http://127.0.0.1:8000/timeit/2
  tsio status https://example.com -f urls.txt --format json
`;

/** Runs `tsio` with `argv` (without node and the script) and resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load === undefined) {
    process.stderr.write(
      `tsio: unknown command ${JSON.stringify(name)}; expected one of ${Object.keys(COMMANDS).join(', ')}\n` +
        `Run 'tsio --help' for usage.\n`,
    );
    return 2;
  }
  const command = await load();
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tsio ${name}: ${e.message}\nRun 'tsio ${name} --help' for usage.\n`);
      return 2;
    }
    throw e;
  }
}

// A reader that goes away (`tsio status ... | head`) is not an error: the process exits at once,
// unless the command installed a hook to stop its work first (`onBrokenPipe`, used by `demo`).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || (e.code === 'ERR_STREAM_DESTROYED' && pipeBroken())) {
      brokenPipe();
      return;
    }
    throw e;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`tsio: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
