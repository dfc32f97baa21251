/**
 * `toThread` and `runInExecutor`: Python's `asyncio.to_thread` and `loop.run_in_executor`. The
 * thread pool is loaded and created on first use, so importing tsio never loads `worker_threads`.
 */

import type { Executor } from './executors/executor.js';
import { specOf } from './executors/task-ref.js';
import { BrokenExecutorError } from './errors.js';
import { Future, type Listener } from './future.js';
import { typeError } from './internal/validate.js';

let shared: Promise<Executor> | null = null;

/** The shared thread pool of `toThread` (Python's default executor), created on first use. */
function defaultExecutor(): Promise<Executor> {
  return (shared ??= import('./executors/thread-pool.js').then(
    (m) => new m.ThreadPoolExecutor({ name: 'tsio.toThread' }),
  ));
}

const copyState: Listener = (inner, outer) => {
  (outer as Future<unknown>)._settle(inner._state, inner._value);
};

/** A future for work submitted once the pool has loaded; cancel() and running() follow it. */
class DeferredFuture<T> extends Future<T> {
  /** @internal */ _inner: Future<T> | null = null;

  override running(): boolean {
    return !this.done() && (this._inner?.running() ?? false);
  }

  override cancel(message?: string): boolean {
    if (this.done()) return false;
    if (this._inner !== null) return this._inner.cancel(message);
    return super.cancel(message);
  }

  /** @internal */
  _follow(inner: Future<T>): void {
    if (this.done()) {
      inner.cancel();
      return;
    }
    this._inner = inner;
    inner._listen(copyState, this);
  }
}

/**
 * Runs `fn(...args)` on tsio's shared thread pool and returns its future: Python's
 * `asyncio.to_thread`. `fn` must be self-contained (it is sent to the thread as source) or a
 * module task from `defineTask`. The pool (`min(32, cpus + 4)` threads, started on demand) is
 * created on first use and never keeps the process alive when idle.
 *
 * @example
 * ```ts
 * import { toThread, gather } from 'tsio';
 * const blockingSleep = (ms: number) => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); return ms; };
 * await gather([toThread(blockingSleep, 1000), toThread(blockingSleep, 1000)]); // ~1 s, not 2
 * ```
 */
export function toThread<A extends unknown[], R>(
  fn: (...args: A) => R,
  ...args: A
): Future<Awaited<R>> {
  return runInExecutor(null, fn, ...args);
}

/**
 * Runs `fn(...args)` on `executor` (any {@link Executor}), or on the shared thread pool of
 * {@link toThread} when `executor` is null or undefined: Python's `loop.run_in_executor`.
 *
 * @example
 * ```ts
 * import { runInExecutor } from 'tsio';
 * import { ProcessPoolExecutor } from 'tsio/executors';
 * await using pool = new ProcessPoolExecutor();
 * const n = await runInExecutor(pool, (x: number) => x * 2, 21); // 42
 * ```
 */
export function runInExecutor<A extends unknown[], R>(
  executor: Executor | null | undefined,
  fn: (...args: A) => R,
  ...args: A
): Future<Awaited<R>> {
  if (executor != null) {
    if (typeof (executor as Partial<Executor>).submit !== 'function') {
      throw typeError(
        'executor',
        'an Executor (with a submit method), null or undefined',
        executor,
      );
    }
    return executor.submit(fn, ...args);
  }
  specOf(fn); // a function that cannot be sent fails here, not later
  const future = new DeferredFuture<Awaited<R>>();
  defaultExecutor().then(
    (pool) => {
      if (future.done()) return;
      try {
        future._follow(pool.submit(fn, ...args));
      } catch (error) {
        // A broken shared pool is replaced for the next call, as a fresh process would have one.
        if (error instanceof BrokenExecutorError) shared = null;
        future.setException(error);
      }
    },
    (error: unknown) => {
      if (!future.done()) future.setException(error);
    },
  );
  return future;
}
