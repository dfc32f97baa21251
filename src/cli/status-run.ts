/**
 * One run of `tsio status`, with memory bounded by the concurrency, not by the number of URLs:
 *
 * - URLs are read from the input (files and stdin a line at a time) only when a permit of the
 *   admission window is free: `--concurrency` of them, or a lookahead more with `--per-host`
 *   (see {@link admissionWindow}); the window permit goes back when the URL has finished.
 * - A global and a per-host semaphore (`Semaphore.hold`, in `HostLimits`) bound what runs at
 *   once; each URL becomes a task (`createTask`, as in the seed) when its permits are granted.
 * - Each result is counted (counters and a histogram), turned into its output text, written, and
 *   forgotten: at once in completion order (the seed's `as_completed`), or when its turn comes in
 *   input order (the seed's `gather`), where only the results that finished ahead of an earlier,
 *   slower URL wait (see `InputOrder`).
 * - Output back pressure stops the reading: a slow reader of stdout cannot make results pile up.
 *
 * SIGINT cancels every task and every waiting URL and stops reading; what finished is printed
 * with the summary (exit code 130).
 */
import { setMaxListeners } from 'node:events';
import { setImmediate } from 'node:timers/promises';
import { Agent } from 'undici';
import {
  CancelledError,
  Future,
  Semaphore,
  createTask,
  isCancelledError,
  type Task,
} from '../index.js';
import {
  checkUrl,
  invalidUrlResult,
  parseHttpUrl,
  type CheckContext,
  type StatusResult,
} from './fetch-status.js';
import { Attempts } from './attempts.js';
import { HostLimits } from './host-limits.js';
import { InputOrder } from './input-order.js';
import { createWriter, type ResultWriter } from './output.js';
import { ProgressBar } from './progress.js';
import type { StatusOptions } from './status-options.js';
import { SummaryCollector } from './status-summary.js';
import { TextSink } from './text-sink.js';
import { UrlInput } from './url-input.js';

/** The output streams and the interruption signal {@link runStatus} works with. */
export interface StatusIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Aborting it interrupts the run (SIGINT): every task is cancelled. */
  readonly signal?: AbortSignal;
}

/**
 * URLs read ahead of the running ones with `--per-host`, so that while the next URLs wait for a
 * busy host, URLs of other hosts further on can use the free permits: at least this many, and
 * at least `LOOKAHEAD_PER_PERMIT` times `--concurrency`.
 */
const LOOKAHEAD_MIN = 1000;
const LOOKAHEAD_PER_PERMIT = 10;

/** The reading loop yields to the event loop after this many URLs. */
const YIELD_EVERY = 256;

/**
 * `--order input` keeps the results that finished before an earlier URL, up to a limit: this
 * many, or `INPUT_ORDER_PER_PERMIT` times `--concurrency` when that is more. Past it, reading
 * waits for the earliest URL to finish. (Only a URL that takes much longer than the others lets
 * the rest get that far ahead.)
 */
export const INPUT_ORDER_MAX = 10_000;
const INPUT_ORDER_PER_PERMIT = 100;

/** The most URLs read and not yet written in `--order input` (see {@link INPUT_ORDER_MAX}). */
export function inputOrderMax(options: Pick<StatusOptions, 'concurrency' | 'perHost'>): number {
  return Math.max(
    admissionWindow(options),
    INPUT_ORDER_MAX,
    INPUT_ORDER_PER_PERMIT * options.concurrency,
  );
}

/**
 * How many URLs may be read and not finished at once: `--concurrency` without a per-host limit
 * (a URL is read only when it can start), more with one (see {@link LOOKAHEAD_MIN}). This, not
 * the number of URLs, bounds what a run holds in memory.
 */
export function admissionWindow(options: Pick<StatusOptions, 'concurrency' | 'perHost'>): number {
  if (options.perHost === 0) return options.concurrency;
  return options.concurrency + Math.max(LOOKAHEAD_MIN, LOOKAHEAD_PER_PERMIT * options.concurrency);
}

/**
 * Checks the URLs of `input` (a {@link UrlInput}, read as the run goes, or a list) with parsed
 * `options` and resolves with the exit code: 0 all ok, 1 any failed, 130 interrupted
 * (`io.signal` aborted). Closes `input`.
 */
export async function runStatus(
  input: UrlInput | readonly string[],
  options: StatusOptions,
  io: StatusIO,
): Promise<number> {
  const urls = input instanceof UrlInput ? input : await UrlInput.open({ args: input, files: [] });
  if (io.signal?.aborted) {
    urls.close();
    return 130;
  }
  return new StatusRun(urls, options, io).run();
}

/** One run of `tsio status`: the state {@link runStatus} works with. */
class StatusRun {
  readonly #input: UrlInput;
  readonly #options: StatusOptions;
  readonly #io: StatusIO;
  readonly #summary = new SummaryCollector();
  readonly #limits: HostLimits;
  readonly #agent: Agent;
  readonly #ctx: CheckContext;
  /** Permits to read a URL: given back when it has finished (see {@link admissionWindow}). */
  readonly #window: Semaphore;
  /** URLs read and not finished (waiting for their permits or running), with their index. */
  readonly #admitted = new Map<Future<StatusResult>, number>();
  /** Tasks running now (at most --concurrency), for the progress bar. */
  #active = 0;
  readonly #bar: ProgressBar | null;
  readonly #out: TextSink;
  readonly #err: TextSink;
  readonly #writer: ResultWriter;
  /** `--order input`: results that finished before their turn wait here. */
  readonly #inOrder: InputOrder<string> | null;
  /**
   * `--order input`: permits for URLs read and not written yet (waiting, running, or finished
   * ahead of their turn): at most {@link INPUT_ORDER_MAX} of them, so that a URL that takes long
   * holds up the reading instead of letting the results behind it pile up without end.
   */
  readonly #unwritten: Semaphore | null;
  /**
   * Aborted when the run stops early (SIGINT or an unexpected error): no URL is read from then
   * on, and every running check (its request, its backoff wait) ends with a CancelledError.
   */
  readonly #stop = new AbortController();
  #interrupted = false;
  #inputComplete = true;
  /** An unexpected error of a task or of the input: stops the run and is thrown at the end. */
  #fatal: { error: unknown } | null = null;
  /** Set when the last URL is read: resolved once every admitted URL has finished. */
  #idle: Future<void> | null = null;

  constructor(input: UrlInput, options: StatusOptions, io: StatusIO) {
    this.#input = input;
    this.#options = options;
    this.#io = io;
    this.#limits = new HostLimits(options.concurrency, options.perHost);
    this.#window = new Semaphore(admissionWindow(options));
    // Each check waiting out a retry backoff listens to it (up to --concurrency): not a leak.
    setMaxListeners(0, this.#stop.signal);
    this.#agent = new Agent({
      // Never more sockets per origin than requests that may be in flight to it.
      connections: options.perHost > 0 ? options.perHost : options.concurrency,
      keepAliveTimeout: 10_000,
    });
    this.#ctx = {
      dispatcher: this.#agent,
      attempts: new Attempts(this.#stop.signal),
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      backoffMs: options.backoffMs,
      maxRetryAfterMs: options.maxRetryAfterMs,
      method: options.method,
      maxRedirects: options.maxRedirects,
      ok: options.ok,
      onRequest: () => {
        this.#summary.requests++;
      },
      noHead: new Set(),
    };
    const summary = this.#summary;
    this.#bar =
      (options.progress ?? io.stderr.isTTY === true)
        ? new ProgressBar(io.stderr, () => ({
            done: summary.finished,
            total: input.size(),
            ok: summary.okCount,
            failed: summary.failedCount,
            inFlight: this.#active,
          }))
        : null;
    const bar = this.#bar;
    const clearBar = bar === null ? undefined : () => bar.clear();
    this.#out = new TextSink(io.stdout, clearBar);
    this.#err = new TextSink(io.stderr, clearBar);
    this.#writer = createWriter(options.format, this.#out, this.#err);
    const writer = this.#writer;
    if (options.order === 'input') {
      const unwritten = new Semaphore(inputOrderMax(options));
      this.#unwritten = unwritten;
      this.#inOrder = new InputOrder<string>((text) => {
        if (text !== null) writer.write(text);
        unwritten.release();
      });
    } else {
      this.#unwritten = null;
      this.#inOrder = null;
    }
  }

  async run(): Promise<number> {
    const io = this.#io;
    const onInterrupt = (): void => {
      this.#interrupted = true;
      this.#stopEarly('interrupted');
    };
    io.signal?.addEventListener('abort', onInterrupt, { once: true });
    const startedAt = performance.now();
    let completed = false;
    try {
      this.#writer.begin();
      this.#bar?.start();
      await this.#admitAll();
      if (this.#admitted.size > 0) {
        this.#idle = new Future<void>();
        await this.#idle;
      }
      if (this.#fatal !== null) throw this.#fatal.error;
      this.#inOrder?.flush();
      const wallMs = performance.now() - startedAt;
      this.#bar?.stop();
      this.#writer.end(
        this.#summary.summary(
          this.#input.known,
          wallMs,
          this.#interrupted,
          this.#options.ok.text,
          this.#inputComplete,
        ),
      );
      await this.#out.flush();
      await this.#err.flush();
      completed = true;
    } finally {
      io.signal?.removeEventListener('abort', onInterrupt);
      this.#bar?.stop();
      // Only after a failure is anything left: stop it before the agent goes.
      this.#stopEarly('tsio status is ending');
      this.#ctx.attempts.close();
      // close() lets idle keep-alive sockets go; destroy() also aborts what is still running.
      await (completed && !this.#interrupted ? this.#agent.close() : this.#agent.destroy());
    }
    if (this.#interrupted) return 130;
    return this.#summary.failedCount > 0 ? 1 : 0;
  }

  /**
   * Reads the URLs one by one, each once a window permit is free and stdout has room (its back
   * pressure stops the reading, so unwritten output cannot pile up), and schedules it.
   */
  async #admitAll(): Promise<void> {
    const stop = this.#stop.signal;
    for (let index = 0; ; index++) {
      try {
        await this.#unwritten?.acquire({ signal: stop });
        await this.#window.acquire({ signal: stop });
      } catch {
        return; // stopped early
      }
      await this.#out.drain();
      let raw: string | null;
      try {
        raw = stop.aborted ? null : await this.#input.next();
      } catch (e) {
        this.#fail(e);
        raw = null;
      }
      if (raw === null) {
        this.#window.release();
        this.#unwritten?.release();
        return;
      }
      this.#schedule(index, raw);
      // URLs that need no permit for long (invalid ones, read from a buffered chunk) would keep
      // this loop in microtasks: let I/O and the garbage collector's tasks have a turn.
      if (index % YIELD_EVERY === YIELD_EVERY - 1) await setImmediate();
    }
  }

  /** One URL: an invalid one is a result at once; a valid one waits for its permits, then runs. */
  #schedule(index: number, raw: string): void {
    const url = parseHttpUrl(raw);
    if (typeof url === 'string') {
      this.#window.release();
      this.#finished(index, invalidUrlResult(index, raw, url));
      return;
    }
    // Only the host is kept while the URL waits; it is parsed again when it runs.
    const future = this.#limits.run(url.host, () => this.#start(index, raw));
    this.#admitted.set(future, index);
    future.addDoneCallback(this.#settled);
  }

  /**
   * The seed's `asyncio.create_task(fetch_status(url))`, once the URL's permits are granted. The
   * task's body takes no signal (so the task makes no AbortController of its own: in Node 20
   * they are costly to make by the hundred thousand): the run's stop signal cancels every check
   * at once, through `ctx.attempts`.
   */
  #start(index: number, raw: string): Task<StatusResult> {
    const stop = this.#stop.signal;
    if (stop.aborted) throw new CancelledError('interrupted');
    this.#active++;
    const task = createTask(() => checkUrl(index, raw, new URL(raw), this.#ctx));
    task.addDoneCallback(this.#forget);
    return task;
  }

  readonly #forget = (): void => {
    this.#active--;
  };

  /** An admitted URL is done (finished, cancelled or failed): its window permit goes back. */
  readonly #settled = (future: Future<StatusResult>): void => {
    const index = this.#admitted.get(future)!;
    this.#admitted.delete(future);
    this.#window.release();
    if (future.cancelled()) {
      this.#inOrder?.put(index, null);
    } else if (future.exception() !== undefined) {
      this.#inOrder?.put(index, null);
      if (!isCancelledError(future.exception())) this.#fail(future.exception());
    } else {
      this.#finished(index, future.result());
    }
    if (this.#admitted.size === 0) this.#idle?.setResult();
  };

  /** A result: counted, and written now (completion order) or when its turn comes (input order). */
  #finished(index: number, result: StatusResult): void {
    this.#summary.add(result);
    const text = this.#writer.format(result);
    if (this.#inOrder === null) this.#writer.write(text);
    else this.#inOrder.put(index, text);
  }

  #fail(error: unknown): void {
    this.#fatal ??= { error };
    this.#stopEarly('tsio status is ending');
  }

  /**
   * Stops the run: no more URLs are read (the input is let go), waiting URLs leave the queues,
   * running checks are cancelled through the stop signal (their requests abort), and a URL
   * granted a permit from now on stops at once (see `#start`).
   */
  #stopEarly(message: string): void {
    if (!this.#stop.signal.aborted) {
      this.#inputComplete = this.#input.counted;
      this.#stop.abort(new CancelledError(message));
    }
    this.#input.close();
    for (const future of this.#admitted.keys()) future.cancel(message);
  }
}
