/**
 * `tsio demo [name...]`: every example of the seed page run as a demo, in the seed's order, each
 * timed and drawn as a timeline of which task ran when. `--list` names them; `--json` prints one
 * JSON document instead; `--trace FILE` writes a Chrome/Perfetto trace of the run.
 */
import { run } from '../index.js';
import { flag, intOption, parseCommand, stringOption, UsageError } from './args.js';
import type { Command } from './command.js';
import type { Demo } from './demos/demo.js';
import { DEMOS } from './demos/index.js';
import { runDemos } from './demos/runner.js';
import { writeTrace } from './trace.js';

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
when. With no name, every demo runs (under 10 s at the default scale); with names, those run.

Options:
  --list         name the demos, one line each
  --json         print one JSON document (per demo: times, results, log, spans) and nothing else
  --trace FILE   write a Chrome/Perfetto trace of the run (open it in https://ui.perfetto.dev)
  --real         real seconds, as in the seed (the whole run then takes about a minute)
  --scale MS     milliseconds one seed second lasts (default ${DEFAULT_SECOND_MS}; 1000 = --real)
  --width N      columns of the timelines (default: the terminal's up to 120; 100 otherwise)
  --ascii        draw timelines with ASCII characters only
  -h, --help     show this text

Colours are used only when stdout is a terminal and NO_COLOR is not set.

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
      ? Math.min(120, process.stdout.isTTY ? process.stdout.columns : 100)
      : intOption('width', widthRaw, 60, 400);
  const trace = stringOption(parsed, 'trace');
  if (trace === '') throw new UsageError('option --trace needs a file name');

  const report = await run(
    (signal) =>
      runDemos(demos, {
        second,
        json,
        color: !json && useColor(),
        ascii: flag(parsed, 'ascii'),
        width,
        write: (text) => process.stdout.write(text),
        signal,
      }),
    { name: 'tsio demo' },
  );
  if (trace !== undefined) {
    await writeTrace(
      trace,
      report.demos.map((d, i) => ({
        name: `${i + 1} ${d.name}`,
        offset: d.startMs,
        spans: d.spans,
      })),
    );
    if (!json)
      process.stdout.write(`trace written to ${trace} (open it in https://ui.perfetto.dev)\n`);
  }
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return report.ok ? 0 : 1;
}

/** `tsio demo`. */
export const command: Command = {
  name: 'demo',
  summary: "run the seed's asyncio / concurrent.futures examples, timed, with a timeline",
  help: HELP,
  run: runCommand,
};
