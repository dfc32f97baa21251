/**
 * `tsio demo [name...]`: every example of the seed page run as a demo, in the seed's order, each
 * timed and drawn as a timeline of which task ran when. `--list` names them; `--json` prints one
 * JSON document instead; `--trace FILE` writes a Chrome/Perfetto trace of the run.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { CancelledError, run } from '../index.js';
import { flag, intOption, parseCommand, stringOption, UsageError } from './args.js';
import { onBrokenPipe, pipeBroken } from './broken-pipe.js';
import type { Command } from './command.js';
import type { Demo } from './demos/demo.js';
import { DEMOS } from './demos/index.js';
import { runDemos } from './demos/runner.js';
import { autoWidth, MIN_WIDTH } from './timeline.js';
import { traceText } from './trace.js';

/** Milliseconds one seed second lasts by default: the whole run takes seconds, not minutes. */
export const DEFAULT_SECOND_MS = 100;

const OPTIONS = {
  list: { type: 'boolean' },
  json: { type: 'boolean' },
  trace: { type: 'string' },
  real: { type: 'boolean' },
  scale: { type: 'string' },
  width: { type: 'string' },
  ascii: { type: 'boolean' },
} as const;

const HELP = `Usage: tsio demo [options] [name...]

Runs the examples of the seed page (asyncio-basics.txt) in tsio, in the seed's order: each prints
what it does, the Python original's idea, the times it measured and a timeline of which task ran
when. With no name, every demo runs (about 10 s at the default scale); with names, those run.

Options:
  --list         name the demos, one line each
  --json         print one JSON document (per demo: times, results, log, spans) and nothing else
  --trace FILE   write a Chrome/Perfetto trace of the run (open it in https://ui.perfetto.dev)
  --real         real seconds, as in the seed (the whole run then takes about a minute)
  --scale MS     milliseconds one seed second lasts (default ${DEFAULT_SECOND_MS}; 1000 = --real)
  --width N      columns of the timelines (default: the terminal's up to 120; 100 otherwise)
  --ascii        draw timelines with ASCII characters only
  -h, --help     show this text

Colours are used only when stdout is a terminal and NO_COLOR is not set. Ctrl-C (or SIGTERM)
cancels the current demo, closes its pools and servers, prints the report so far (with --json the
document, marked "interrupted") and writes the trace, then exits 130 (143).

Examples:
  tsio demo                          every demo, one seed second = ${DEFAULT_SECOND_MS} ms
  tsio demo --list
  tsio demo clients tasks            sequential against gathered requests, then create_task
  tsio demo clients --real           the seed's own 3 s against 2 s
  tsio demo cpu --json | jq '.demos[0].results'
  tsio demo --trace run.json         then open run.json in ui.perfetto.dev
`;

function listText(): string {
  const width = Math.max(...DEMOS.map((d) => d.name.length)) + 2;
  return DEMOS.map((d) => `${d.name.padEnd(width)}${d.title}\n`).join('');
}

/** The demos named in `names` (all of them for none), in the order given, each once. */
export function selectDemos(names: readonly string[]): Demo[] {
  if (names.length === 0) return [...DEMOS];
  const chosen: Demo[] = [];
  for (const name of names) {
    const demo = DEMOS.find((d) => d.name === name);
    if (demo === undefined) {
      throw new UsageError(
        `unknown demo ${JSON.stringify(name)}; the demos are: ${DEMOS.map((d) => d.name).join(', ')}`,
      );
    }
    if (!chosen.includes(demo)) chosen.push(demo);
  }
  return chosen;
}

/** Why a file cannot be opened for writing, in a few words. */
function fileProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'its directory does not exist';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of its path is not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

/** Opens the `--trace` file before the run, so that a path that cannot be written is a usage error. */
async function openTrace(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'w');
  } catch (e) {
    throw new UsageError(`cannot write the trace to ${JSON.stringify(file)}: ${fileProblem(e)}`);
  }
}

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof EXIT_CODES;

function useColor(): boolean {
  const noColor = process.env['NO_COLOR'];
  return process.stdout.isTTY && (noColor === undefined || noColor === '');
}

async function runCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseCommand(argv, OPTIONS);
  if (parsed.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const json = flag(parsed, 'json');
  if (flag(parsed, 'list')) {
    if (json) {
      const list = DEMOS.map(({ name, title, python, seed }) => ({ name, title, python, seed }));
      process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    } else {
      process.stdout.write(listText());
    }
    return 0;
  }
  const demos = selectDemos(parsed.positionals);
  const scaleRaw = stringOption(parsed, 'scale');
  if (scaleRaw !== undefined && flag(parsed, 'real')) {
    throw new UsageError('--real and --scale cannot be used together (--real is --scale 1000)');
  }
  const second = flag(parsed, 'real')
    ? 1000
    : scaleRaw === undefined
      ? DEFAULT_SECOND_MS
      : intOption('scale', scaleRaw, 10, 1000);
  const widthRaw = stringOption(parsed, 'width');
  const width =
    widthRaw === undefined
      ? autoWidth(process.stdout.isTTY ? process.stdout.columns : undefined)
      : intOption('width', widthRaw, MIN_WIDTH, 400);
  const trace = stringOption(parsed, 'trace');
  if (trace === '') throw new UsageError('option --trace needs a file name');
  const traceFile = trace === undefined ? undefined : await openTrace(trace);

  // SIGINT, SIGTERM and a closed stdout (EPIPE) cancel the current demo: the runner closes its
  // pools and servers and reports; then the JSON and the trace are written. (The library's run()
  // would exit in its own finally, before any of that.) A second signal exits at once.
  const controller = new AbortController();
  let stoppedBy: StopSignal | null = null;
  const onSignal = (name: StopSignal): void => {
    if (stoppedBy !== null) process.exit(EXIT_CODES[name]);
    stoppedBy = name;
    controller.abort(new CancelledError(`Received ${name}`));
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const restorePipe = onBrokenPipe(() => {
    if (!controller.signal.aborted) controller.abort(new CancelledError('Output closed (EPIPE)'));
  });
  const write = (text: string): void => {
    if (!pipeBroken()) process.stdout.write(text);
  };

  try {
    const report = await run(
      () =>
        runDemos(demos, {
          second,
          json,
          color: !json && useColor(),
          ascii: flag(parsed, 'ascii'),
          width,
          write,
          signal: controller.signal,
        }),
      { name: 'tsio demo', handleSignals: false },
    );
    if (json) write(`${JSON.stringify(report, null, 2)}\n`);
    let traceFailed = false;
    if (traceFile !== undefined && trace !== undefined) {
      const sections = report.demos.map((d, i) => ({
        name: `${i + 1} ${d.name}`,
        offset: d.startMs,
        spans: d.spans,
      }));
      try {
        await traceFile.writeFile(traceText(sections));
        if (!json) write(`trace written to ${trace} (open it in https://ui.perfetto.dev)\n`);
      } catch (e) {
        traceFailed = true;
        process.stderr.write(
          `tsio demo: could not write the trace to ${JSON.stringify(trace)}: ${fileProblem(e)}\n`,
        );
      }
    }
    if (stoppedBy !== null) return EXIT_CODES[stoppedBy];
    if (pipeBroken()) return 0; // the reader went away: not an error
    return report.ok && !traceFailed ? 0 : 1;
  } finally {
    await traceFile?.close().catch(() => undefined);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    restorePipe();
  }
}

/** `tsio demo`. */
export const command: Command = {
  name: 'demo',
  summary: "run the seed's asyncio / concurrent.futures examples, timed, with a timeline",
  help: HELP,
  run: runCommand,
};
