/**
 * Every error class tsio throws, with its stable `code`.
 *
 * `instanceof` works across two installed copies of tsio: each instance carries the codes of its
 * class chain under a registry symbol, and each class checks that list.
 *
 * @module
 */

const CODES: unique symbol = Symbol.for('tsio.error.codes') as never;

type Branded = { [CODES]?: readonly string[] };

function codesOf(target: Function): string[] {
  const codes: string[] = [];
  for (let c: unknown = target; typeof c === 'function'; c = Object.getPrototypeOf(c)) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string' && Object.prototype.hasOwnProperty.call(c, 'code'))
      codes.push(code);
  }
  return codes;
}

function brand(instance: Error, target: Function, code: string): void {
  Object.defineProperty(instance, CODES, { value: Object.freeze(codesOf(target)) });
  Object.defineProperty(instance, 'code', {
    value: code,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  Object.defineProperty(instance, 'name', {
    value: target.name,
    enumerable: false,
    writable: true,
    configurable: true,
  });
}

function hasCode(value: unknown, code: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const codes = (value as Branded)[CODES];
  return Array.isArray(codes) && codes.includes(code);
}

/**
 * Base class of every tsio error (except {@link TaskGroupError}, which extends `AggregateError`).
 *
 * @example
 * ```ts
 * try { await q.get(); } catch (e) { if (e instanceof TsioError) console.log(e.code); }
 * ```
 */
export class TsioError extends Error {
  static readonly code: string = 'ERR_TSIO';
  declare readonly code: string;

  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    brand(this, new.target, (new.target as unknown as { code: string }).code);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, (this as unknown as { code: string }).code);
  }
}

/**
 * The operation was cancelled: the reason of every tsio abort signal, the rejection of a cancelled
 * future or task, Python's `asyncio.CancelledError`.
 *
 * @example
 * ```ts
 * const t = createTask(() => sleep(1000));
 * t.cancel('no longer needed');
 * await t.then(undefined, (e) => e instanceof CancelledError); // true
 * ```
 */
export class CancelledError extends TsioError {
  static override readonly code: string = 'ERR_TSIO_CANCELLED';
  constructor(message?: string, options?: ErrorOptions) {
    super(message ?? 'The operation was cancelled', options);
  }
}

/**
 * A deadline passed: from {@link waitFor}, {@link timeout}, {@link asCompleted}. Python's
 * `TimeoutError`.
 *
 * @example
 * ```ts
 * await waitFor(sleep(1000), 10).catch((e) => e instanceof TimeoutError); // true
 * ```
 */
export class TimeoutError extends TsioError {
  static override readonly code: string = 'ERR_TSIO_TIMEOUT';
  constructor(message?: string, options?: ErrorOptions) {
    super(message ?? 'The operation timed out', options);
  }
}

/**
 * An object was used in a state that does not allow the call: the result of a pending future,
 * releasing an unlocked lock, `createTask` on a finished `TaskGroup`, too many `taskDone()` calls.
 *
 * @example
 * ```ts
 * new Future().result(); // throws InvalidStateError: Result is not set.
 * ```
 */
export class InvalidStateError extends TsioError {
  static override readonly code: string = 'ERR_TSIO_INVALID_STATE';
}

/**
 * A {@link Barrier} was broken (by `abort()` or `reset()`) while or before waiting. As in asyncio, a
 * waiter whose signal aborts just leaves: that does not break the barrier.
 *
 * @example
 * ```ts
 * const b = new Barrier(2); b.abort();
 * await b.wait().catch((e) => e instanceof BrokenBarrierError); // true
 * ```
 */
export class BrokenBarrierError extends TsioError {
  static override readonly code: string = 'ERR_TSIO_BROKEN_BARRIER';
  constructor(message?: string, options?: ErrorOptions) {
    super(message ?? 'The barrier is broken', options);
  }
}

/**
 * `getNowait()` on an empty queue.
 *
 * @example
 * ```ts
 * new Queue().getNowait(); // throws QueueEmptyError
 * ```
 */
export class QueueEmptyError extends TsioError {
  static override readonly code: string = 'ERR_TSIO_QUEUE_EMPTY';
  constructor(message?: string, options?: ErrorOptions) {
    super(message ?? 'The queue is empty', options);
  }
}

/**
 * `putNowait()` on a full queue.
 *
 * @example
 * ```ts
 * const q = new Queue<number>(1); q.putNowait(1); q.putNowait(2); // throws QueueFullError
 * ```
 */
export class QueueFullError extends TsioError {
  static override readonly code: string = 'ERR_TSIO_QUEUE_FULL';
  constructor(message?: string, options?: ErrorOptions) {
    super(message ?? 'The queue is full', options);
  }
}

/**
 * `put` on a queue that was shut down, or `get` on one that was shut down and is empty (Python
 * 3.13's `QueueShutDown`).
 *
 * @example
 * ```ts
 * const q = new Queue(); q.shutdown();
 * await q.get().catch((e) => e instanceof QueueShutDownError); // true
 * ```
 */
export class QueueShutDownError extends TsioError {
  static override readonly code: string = 'ERR_TSIO_QUEUE_SHUT_DOWN';
  constructor(message?: string, options?: ErrorOptions) {
    super(message ?? 'The queue is shut down', options);
  }
}

/**
 * A channel end is closed: `send` on a {@link Connection} whose own end or other end was closed,
 * `recv` once the other end was closed (or its worker crashed) and every message sent before was
 * read. Python's `EOFError` from `Connection.recv()` and `BrokenPipeError`/`OSError` from `send()`.
 * A `for await` loop over a connection ends instead of throwing it.
 *
 * @example
 * ```ts
 * const [a, b] = Pipe();
 * b.close();
 * await a.recv().catch((e) => e instanceof ChannelClosedError); // true
 * ```
 */
export class ChannelClosedError extends TsioError {
  static override readonly code: string = 'ERR_TSIO_CHANNEL_CLOSED';
  constructor(message?: string, options?: ErrorOptions) {
    super(message ?? 'The channel is closed', options);
  }
}

/**
 * A shared channel or lock can no longer be trusted: a worker that held it crashed (or was
 * terminated for its timeout or signal), possibly in the middle of an operation. Every waiting and
 * later operation on a `SharedQueue` fails with it; a `SharedLock` whose holder died fails its
 * waiters and later `acquire`s with it. Python has no equivalent: its queues and locks hang.
 *
 * @example
 * ```ts
 * try { await q.get(); } catch (e) { if (e instanceof BrokenChannelError) restartPipeline(); }
 * ```
 */
export class BrokenChannelError extends TsioError {
  static override readonly code: string = 'ERR_TSIO_BROKEN_CHANNEL';
  constructor(message?: string, options?: ErrorOptions) {
    super(message ?? 'The channel is broken', options);
  }
}

/**
 * One or more children of a {@link TaskGroup} (or its body) failed. `errors` holds them in the
 * order they happened; cancellations are not included. Python's `ExceptionGroup` from a TaskGroup.
 *
 * @example
 * ```ts
 * try {
 *   await TaskGroup.run(async (tg) => { tg.createTask(async () => { throw new Error('boom'); }); });
 * } catch (e) {
 *   if (e instanceof TaskGroupError) console.log(e.errors); // [Error: boom]
 * }
 * ```
 */
export class TaskGroupError extends AggregateError {
  static readonly code: string = 'ERR_TSIO_TASK_GROUP';
  declare readonly code: string;

  constructor(errors: Iterable<unknown>, message?: string, options?: ErrorOptions) {
    const list = [...errors];
    super(
      list,
      message ??
        `${list.length} ${list.length === 1 ? 'error' : 'errors'} in the TaskGroup: ${list
          .map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)))
          .join('; ')}`,
      options,
    );
    brand(this, new.target, (new.target as unknown as { code: string }).code);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, (this as unknown as { code: string }).code);
  }
}

/**
 * A worker died while running this task: it called `process.exit()`, threw outside the task (an
 * uncaught exception from a timer), ran out of memory, or was killed. Only the task it was running
 * fails with this error; tasks handed to the same worker but not started are run by another worker.
 * `exitCode` and `signal` say how the worker ended; `cause` is the worker's own error when known.
 * This deliberately differs from Python, where such a crash breaks the whole pool.
 *
 * @example
 * ```ts
 * const f = pool.submit(() => process.exit(1));
 * await f.then(undefined, (e) => e instanceof WorkerCrashedError); // true
 * ```
 */
export class WorkerCrashedError extends TsioError {
  static override readonly code: string = 'ERR_TSIO_WORKER_CRASHED';
  /** The worker's exit code, when it exited (`null` when it was killed by a signal). */
  exitCode: number | null = null;
  /** The signal that killed a child process (`null` for threads and plain exits). */
  signal: string | null = null;
  constructor(message?: string, options?: ErrorOptions) {
    super(message ?? 'The worker running this task crashed', options);
  }
}

/**
 * The executor cannot run tasks any more: its initializer failed, or a new worker died before it
 * was ready (it could not start: a bad `resourceLimits`, a loader that fails to load). Every queued
 * and later task fails with it; `cause` is the underlying error. Python's
 * `concurrent.futures.BrokenExecutor`.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof BrokenExecutorError) recreatePool(); }
 * ```
 */
export class BrokenExecutorError extends TsioError {
  static override readonly code: string = 'ERR_TSIO_BROKEN_EXECUTOR';
  constructor(message?: string, options?: ErrorOptions) {
    super(message ?? 'The executor is broken', options);
  }
}

/**
 * A thread pool's initializer failed: Python's `BrokenThreadPool`.
 *
 * @example
 * ```ts
 * const pool = new ThreadPoolExecutor({ initializer: () => { throw new Error('no db'); } });
 * await pool.submit(() => 1).then(undefined, (e) => e instanceof BrokenThreadPoolError); // true
 * ```
 */
export class BrokenThreadPoolError extends BrokenExecutorError {
  static override readonly code: string = 'ERR_TSIO_BROKEN_THREAD_POOL';
}

/**
 * A process pool's initializer failed: Python's `BrokenProcessPool`.
 *
 * @example
 * ```ts
 * await pool.submit(() => 1).then(undefined, (e) => e instanceof BrokenProcessPoolError);
 * ```
 */
export class BrokenProcessPoolError extends BrokenExecutorError {
  static override readonly code: string = 'ERR_TSIO_BROKEN_PROCESS_POOL';
}

/**
 * True when `value` is a cancellation: a tsio {@link CancelledError} (from any copy of tsio).
 *
 * @example
 * ```ts
 * try { await task; } catch (e) { if (isCancelledError(e)) return; throw e; }
 * ```
 */
export function isCancelledError(value: unknown): value is CancelledError {
  return hasCode(value, CancelledError.code);
}
