/**
 * Runs a list of demos one after another: a heading for each, its log lines, its measured times
 * and its timeline on stdout (or, with `json`, nothing until one JSON document at the end), and a
 * report per demo for `--json` and `--trace`. A demo that throws is reported and the run goes on.
 * When the signal aborts (Ctrl-C, SIGTERM, a closed pipe), the current demo is cancelled (its pools
 * and servers closed), reported as interrupted, never as failed, and no further demo starts.
 */
import { renderTimeline, formatMs, Timeline, wallClock } from '../timeline.js';
import type { Span } from '../timeline.js';
import type { Demo, DemoContext } from './demo.js';
import { Servers } from './servers.js';

/** How a run looks and how fast the seed's seconds go. */
export interface RunOptions {
  /** Milliseconds one seed second lasts. */
  readonly second: number;
  /** Collect everything for one JSON document instead of printing. */
  readonly json: boolean;
  /** Colours in the output. */
  readonly color: boolean;
  /** Only ASCII in the timelines. */
  readonly ascii: boolean;
  /** Columns of the timelines. */
  readonly width: number;
  /** Where text goes (stdout). */
  readonly write: (text: string) => void;
  /** Cancels the current demo and stops the run. */
  readonly signal: AbortSignal;
}

/** What one demo did: the `--json` entry of a demo. */
export interface DemoReport {
  readonly name: string;
  readonly title: string;
  readonly python: string;
  readonly seed: string;
  ok: boolean;
  /** True when the run was interrupted while this demo ran and it stopped (`ok` is then false). */
  interrupted?: boolean;
  /** The error's message and stack, when it threw. */
  error?: string;
  /** Milliseconds from the start of the run to the start of the demo. */
  startMs: number;
  durationMs: number;
  /** Measured times in milliseconds, by name. */
  readonly times: Record<string, number>;
  readonly results: Record<string, unknown>;
  /** The lines it printed. */
  readonly log: string[];
  /** Its timeline, in milliseconds from its start. */
  spans: Span[];
}

/** The outcome of a run: every report, and the total time. */
export interface RunReport {
  readonly second: number;
  readonly ok: boolean;
  /** True when the signal aborted: the demos after the last one reported did not run. */
  readonly interrupted: boolean;
  readonly totalMs: number;
  readonly demos: DemoReport[];
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

function describeError(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  return String(e);
}

/** Runs `demos` in order and returns their reports; closes every server it started. */
export async function runDemos(demos: readonly Demo[], options: RunOptions): Promise<RunReport> {
  const { write, json, color } = options;
  const bold = (s: string): string => (color ? `\x1b[1m${s}\x1b[0m` : s);
  const dim = (s: string): string => (color ? `\x1b[2m${s}\x1b[0m` : s);
  const red = (s: string): string => (color ? `\x1b[31m${s}\x1b[0m` : s);
  const out = (line: string): void => {
    if (!json) write(`${line}\n`);
  };
  const servers = new Servers(options.second);
  const runStart = wallClock();
  const reports: DemoReport[] = [];
  const scale =
    options.second === 1000
      ? 'real seconds'
      : `1 seed second = ${options.second} ms; --real for real seconds`;
  out(bold(`tsio demo: the seed's asyncio examples, run and timed (${scale})`));

  try {
    for (const [index, demo] of demos.entries()) {
      if (options.signal.aborted) break;
      out('');
      out(bold(`━━ ${index + 1}/${demos.length} ${demo.name}: ${demo.title}`));
      out(`   python: ${demo.python}`);
      out(dim(`   seed:   ${demo.seed}`));
      const timeline = new Timeline();
      const report: DemoReport = {
        name: demo.name,
        title: demo.title,
        python: demo.python,
        seed: demo.seed,
        ok: true,
        startMs: round(timeline.origin - runStart),
        durationMs: 0,
        times: {},
        results: {},
        log: [],
        spans: [],
      };
      reports.push(report);
      const line = (text: string): void => {
        report.log.push(text);
        out(`   ${text}`);
      };
      const ctx: DemoContext = {
        second: options.second,
        timeline,
        signal: options.signal,
        log: (text) => line(`${dim(`[${formatMs(timeline.elapsed()).padStart(8)}]`)} ${text}`),
        note: (text) => line(text),
        time: (key, ms, meaning) => {
          report.times[key] = round(ms);
          const seed =
            options.second === 1000 ? '' : ` = ${(ms / options.second).toFixed(2)} seed s`;
          line(`${bold(`${key}: ${formatMs(ms)}`)}${seed}  ${meaning}`);
        },
        result: (key, value) => {
          report.results[key] = value;
        },
        server: (mode = 'async') => servers.url(mode),
      };
      try {
        await demo.run(ctx);
      } catch (e) {
        report.ok = false;
        if (options.signal.aborted) {
          // Whatever it threw (a CancelledError, an AbortError, a fetch failing), it was stopped.
          report.interrupted = true;
          line(red(`INTERRUPTED after ${formatMs(timeline.elapsed())}`));
        } else {
          report.error = describeError(e);
          line(red(`FAILED: ${report.error.split('\n')[0] ?? ''}`));
        }
      }
      report.durationMs = round(timeline.elapsed());
      report.spans = timeline
        .spans()
        .map((s) => ({ ...s, start: round(s.start), end: round(s.end) }));
      out('');
      out(
        renderTimeline(report.spans, {
          width: options.width,
          color,
          ascii: options.ascii,
          indent: '   ',
        }).trimEnd(),
      );
    }
  } finally {
    await servers.close();
  }

  const totalMs = round(wallClock() - runStart);
  const failed = reports.filter((r) => !r.ok && r.interrupted !== true);
  const cut = reports.find((r) => r.interrupted === true);
  const finished = reports.length - (cut === undefined ? 0 : 1);
  out('');
  if (options.signal.aborted) {
    const during = cut === undefined ? '' : ` (${cut.name} was cancelled)`;
    out(
      red(
        `interrupted after ${formatMs(totalMs)}: ${finished} of ${demos.length} demos finished${during}`,
      ),
    );
  }
  if (failed.length > 0) {
    const names = failed.map((r) => r.name).join(', ');
    out(red(`${failed.length} of ${reports.length} demos failed: ${names}`));
  } else if (!options.signal.aborted) {
    const count = `${reports.length} demo${reports.length === 1 ? '' : 's'}`;
    out(bold(`${count} ran in ${formatMs(totalMs)} (${scale}).`));
  }
  return {
    second: options.second,
    ok: failed.length === 0 && !options.signal.aborted,
    interrupted: options.signal.aborted,
    totalMs,
    demos: reports,
  };
}
