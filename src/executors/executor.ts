/**
 * The `Executor` interface every tsio executor implements, its option types, and the future it
 * returns. Nothing here assumes threads: a task is a function (shipped as source) or a named module
 * task, and its arguments and result must serialise.
 */

import type { TransferListItem } from 'node:worker_threads';
import type { Future } from '../future.js';

/** An object that can be transferred to a worker thread rather than copied. */
export type Transferable = TransferListItem;
import type { Percentiles } from '../internal/histogram.js';

/** Options of one task: a separate call form, `executor.submitWith(options, fn, ...args)`. */
export interface SubmitOptions {
  /**
   * Cancels the task: a queued task is dropped; a running one has its worker-side
   * `taskSignal()` aborted, its future is cancelled at once, and a worker that has not finished
   * it within the executor's `gracePeriod` is terminated and replaced.
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * Milliseconds the task may run (time spent waiting in the queue does not count). When it
   * passes, the future fails with a `TimeoutError` and the task is stopped like an aborted one.
   * @default Infinity
   */
  readonly timeout?: number | undefined;
  /** Objects to transfer rather than copy (`ArrayBuffer`, `MessagePort`, ...). Threads only. */
  readonly transfer?: readonly Transferable[] | undefined;
}

/** Options of {@link Executor.map}. */
export interface MapOptions {
  /**
   * Milliseconds from the `map` call until every result must be available: iteration throws a
   * `TimeoutError` when the next result is not ready by then, and the tasks not done are cancelled.
   * @default Infinity
   */
  readonly timeout?: number | undefined;
  /** Items sent to a worker as one task. Large chunks make tiny items cheap. @default 1 */
  readonly chunksize?: number | undefined;
  /**
   * Chunks submitted ahead of the consumer. The input is read lazily, so an endless iterable
   * works in bounded memory. Without it, the whole input is submitted at once (Python's default).
   */
  readonly buffersize?: number | undefined;
  /** Stops the map: the pending chunks are cancelled and iteration throws `CancelledError`. */
  readonly signal?: AbortSignal | undefined;
}

/** Options of {@link Executor.shutdown}. */
export interface ShutdownOptions {
  /** Wait until the pending tasks are done and every worker has exited. @default true */
  readonly wait?: boolean | undefined;
  /** Cancel the tasks that have not started (queued or handed to a worker). @default false */
  readonly cancelFutures?: boolean | undefined;
}

/** A snapshot of an executor's state, from `executor.stats()`. */
export interface ExecutorStats {
  /** The executor's name (the `name` option). */
  readonly name: string;
  /** Live workers (threads or processes), starting ones included. */
  readonly workers: number;
  /** Live workers with nothing to do. */
  readonly idleWorkers: number;
  /** Tasks waiting for a worker. */
  readonly queued: number;
  /** Tasks handed to workers and not finished (running or about to run). */
  readonly inFlight: number;
  /** Tasks that finished with a result. */
  readonly completed: number;
  /** Tasks that finished with an exception (raised by the task, a crash or a timeout). */
  readonly failed: number;
  /** Tasks cancelled before they ran, or by their signal. */
  readonly cancelled: number;
  /** Workers that died unexpectedly (and were replaced). */
  readonly crashes: number;
  /** Running time of finished tasks, in milliseconds. */
  readonly runTime: Percentiles;
  /** Time from `submit` to the start of the task, in milliseconds. */
  readonly waitTime: Percentiles;
}

/**
 * Runs functions somewhere else (threads, processes, later machines) and returns tsio futures.
 * `ThreadPoolExecutor` and `ProcessPoolExecutor` implement it; Python's
 * `concurrent.futures.Executor`.
 *
 * @example
 * ```ts
 * async function work(executor: Executor) {
 *   const f = executor.submit((a: number, b: number) => a + b, 1, 2);
 *   console.log(await f); // 3
 *   for await (const sq of executor.map((x: number) => x * x, [1, 2, 3])) console.log(sq);
 * }
 * ```
 */
export interface Executor extends AsyncDisposable {
  /**
   * Schedules `fn(...args)` and returns its future. `fn` is a self-contained function (sent as
   * source) or a module task from `defineTask`/`importTask`. Throws at once after `shutdown`, on a
   * broken executor, or when `fn` cannot be sent.
   */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Future<Awaited<R>>;
  /** `submit` with per-task options (signal, timeout, transfer). */
  submitWith<A extends unknown[], R>(
    options: SubmitOptions,
    fn: (...args: A) => R,
    ...args: A
  ): Future<Awaited<R>>;
  /** `fn` over every item, results in input order (Python's `Executor.map`). */
  map<T, R>(
    fn: (item: T) => R,
    iterable: Iterable<T> | AsyncIterable<T>,
    options?: MapOptions,
  ): AsyncIterableIterator<Awaited<R>>;
  /** Stops accepting tasks; by default waits for the pending ones and for the workers to exit. */
  shutdown(options?: ShutdownOptions): Promise<void>;
  /** The executor's current state. */
  stats(): ExecutorStats;
}
