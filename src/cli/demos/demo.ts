/**
 * What one `tsio demo` is, and what it is given to run: a seed example, run and timed, with a
 * timeline of what ran when.
 */
import type { ServeMode } from '../serve.js';
import type { Timeline } from '../timeline.js';

/** What a demo gets from the runner. */
export interface DemoContext {
  /** Milliseconds one "second" of the seed lasts in this run (1000 with `--real`). */
  readonly second: number;
  /** Where the demo records its spans; its origin is the start of the demo. */
  readonly timeline: Timeline;
  /** Aborted when the run is interrupted. */
  readonly signal: AbortSignal;
  /** Prints a line under the demo's heading, prefixed with the time since the demo started. */
  log(line: string): void;
  /** Prints a line as it is (no time prefix). */
  note(line: string): void;
  /**
   * Records a measured time (ms) under `key` (for `--json`) and prints it with what it means and
   * its length in seed seconds.
   */
  time(key: string, ms: number, meaning: string): void;
  /** Records a result for `--json` (not printed). */
  result(key: string, value: unknown): void;
  /**
   * The base URL (`http://127.0.0.1:PORT`) of an in-process `tsio serve` in `mode`, scaled to
   * {@link DemoContext.second}, started on first use and closed when the run ends.
   */
  server(mode?: ServeMode): Promise<string>;
}

/** One runnable example of the seed. */
export interface Demo {
  /** Short kebab-case name: `tsio demo <name>`. */
  readonly name: string;
  /** One line for `--list` and the heading. */
  readonly title: string;
  /** The Python original's idea in one line. */
  readonly python: string;
  /** Where it is in the seed page (`asyncio-basics.txt`). */
  readonly seed: string;
  /** Runs it; throwing marks the demo failed (the run goes on with the next one). */
  run(ctx: DemoContext): Promise<void>;
}

/**
 * What a function run in a pool worker returns so its bar can be drawn: its value, its start and
 * end on the clock of `wallClock()` (read inside the worker) and which worker ran it.
 */
export interface Timed<T> {
  readonly value: T;
  readonly start: number;
  readonly end: number;
  /** `thread <threadId>` or `process <pid>`. */
  readonly worker: string;
}
