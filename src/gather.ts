import { CancelledError, isCancelledError } from './errors.js';
import { Future, type Listener, STATE, isFuture } from './future.js';
import { checkIterable, checkOptions, checkSignal, isThenable } from './internal/validate.js';

/** Options of {@link gather}. */
export interface GatherOptions {
  /**
   * Return exceptions (a cancelled child's `CancelledError` included) as values in the results
   * instead of rejecting with the first one. @default false
   */
  returnExceptions?: boolean | undefined;
  /** Aborting it cancels the gather (and so its children). */
  signal?: AbortSignal | undefined;
}

/** The results of a gather over `T`: a tuple for a tuple input, an array otherwise. */
export type GatherResults<T extends readonly unknown[]> = {
  -readonly [K in keyof T]: Awaited<T[K]>;
};

/** As {@link GatherResults}, with each slot possibly an exception. */
export type GatherSettled<T extends readonly unknown[]> = {
  -readonly [K in keyof T]: Awaited<T[K]> | Error;
};

/**
 * The future {@link gather} returns. Its `cancel()` cancels every unfinished child that can be
 * cancelled (futures and tasks; plain promises cannot be) and returns true if it cancelled any.
 *
 * @example
 * ```ts
 * const all = gather([createTask((signal) => sleep(1000, 'a', { signal })), createTask(() => 'b')]);
 * all.cancel(); // true: the sleeping task is cancelled, and `await all` rejects with CancelledError
 * ```
 */
export class GatheringFuture<T> extends Future<T> {
  /** @internal */ _children: unknown[];
  /** @internal */ _cancelRequested = false;
  /** @internal */ _cancelMessage: string | undefined = undefined;
  /** @internal */ _detach: (() => void) | null = null;

  /** @internal */
  constructor(children: unknown[]) {
    super();
    this._children = children;
  }

  override cancel(message?: string): boolean {
    if (this._state !== STATE.PENDING) return false;
    // Children complete synchronously inside their cancel(), and their listeners may finish this
    // gather at once: the request must be recorded before, and withdrawn if nothing was cancelled.
    const wasRequested = this._cancelRequested;
    this._cancelRequested = true;
    this._cancelMessage = message;
    let cancelled = false;
    for (const child of this._children) {
      if (isFuture(child) && !child.done() && child.cancel(message)) cancelled = true;
    }
    if (!cancelled) this._cancelRequested = wasRequested;
    return cancelled;
  }

  /** @internal */
  override _settle(state: 0 | 1 | 2 | 3, value: unknown): void {
    const detach = this._detach;
    this._detach = null;
    detach?.();
    super._settle(state, value);
  }
}

/**
 * Runs awaitables concurrently and resolves with their results in input order: Python's
 * `asyncio.gather` (`gather(*tasks)` becomes `gather(tasks)`).
 *
 * - Takes an array or any iterable of promises, futures, tasks or thenables (other values count as
 *   already resolved, like `Promise.all`); a million of them is fine.
 * - Without `returnExceptions`, the first exception (or cancelled child) rejects the gather and
 *   **the other children keep running**. With it, exceptions are returned as values.
 * - `cancel()` on the returned future cancels every unfinished child that can be cancelled and
 *   rejects with {@link CancelledError}; it returns true if it cancelled anything.
 * - No awaitables: resolves to `[]`.
 *
 * @example
 * ```ts
 * const [a, b] = await gather([fetchStatus(url1), createTask(() => fetchStatus(url2))]);
 * const settled = await gather(tasks, { returnExceptions: true }); // values or errors
 * ```
 */
export function gather<const T extends readonly unknown[]>(
  aws: T,
  options?: GatherOptions & { returnExceptions?: false },
): GatheringFuture<GatherResults<T>>;
export function gather<const T extends readonly unknown[]>(
  aws: T,
  options: GatherOptions & { returnExceptions: true },
): GatheringFuture<GatherSettled<T>>;
export function gather<T>(
  aws: Iterable<T>,
  options?: GatherOptions & { returnExceptions?: false },
): GatheringFuture<Awaited<T>[]>;
export function gather<T>(
  aws: Iterable<T>,
  options: GatherOptions & { returnExceptions: true },
): GatheringFuture<(Awaited<T> | Error)[]>;
export function gather<T>(
  aws: Iterable<T>,
  options?: GatherOptions,
): GatheringFuture<(Awaited<T> | Error)[]>;
export function gather(
  aws: Iterable<unknown>,
  options?: GatherOptions,
): GatheringFuture<unknown[]> {
  checkIterable('aws', aws);
  checkOptions('options', options);
  const returnExceptions = options?.returnExceptions === true;
  const signal = options?.signal;
  checkSignal('options.signal', signal);

  const children = Array.isArray(aws) ? (aws as unknown[]) : Array.from(aws);
  const n = children.length;
  const results = new Array<unknown>(n);
  const outer = new GatheringFuture<unknown[]>(children);
  let finished = 0;

  const finishAll = (): void => {
    if (outer._state !== STATE.PENDING) return;
    if (outer._cancelRequested) {
      outer._settle(STATE.CANCELLED, new CancelledError(outer._cancelMessage));
    } else {
      outer._settle(STATE.FULFILLED, results);
    }
  };

  const onValue = (i: number, value: unknown): void => {
    results[i] = value;
    if (++finished === n) finishAll();
  };

  const onError = (i: number, error: unknown, cancelled: boolean): void => {
    if (returnExceptions) {
      results[i] = error;
    } else if (outer._state === STATE.PENDING) {
      outer._settle(cancelled ? STATE.CANCELLED : STATE.REJECTED, error);
    }
    if (++finished === n) finishAll();
  };

  const childDone: Listener = (f, i) => {
    if (f._state === STATE.FULFILLED) onValue(i as number, f._value);
    else onError(i as number, f._value, f._state === STATE.CANCELLED);
  };

  for (let i = 0; i < n; i++) {
    const child = children[i];
    if (isFuture(child)) {
      child._listen(childDone, i);
    } else if (isThenable(child)) {
      const settleValue = (v: unknown): void => onValue(i, v);
      const settleError = (e: unknown): void => onError(i, e, isCancelledError(e));
      if (child instanceof Promise) child.then(settleValue, settleError);
      else Promise.resolve(child).then(settleValue, settleError);
    } else {
      results[i] = child;
      finished++;
    }
  }
  if (finished === n) finishAll();

  if (signal !== undefined && outer._state === STATE.PENDING) {
    // Children that can be cancelled are, and the gather ends when they have; if none could be
    // (plain promises), the gather rejects with the signal's reason at once.
    const onAbort = (): void => {
      if (!outer.cancel(messageOf(signal.reason)) && outer._state === STATE.PENDING) {
        outer._settle(STATE.CANCELLED, signal.reason);
      }
    };
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      outer._detach = () => signal.removeEventListener('abort', onAbort);
    }
  }
  return outer;
}

/** @internal The message to pass on when a signal's reason cancels something. */
export function messageOf(reason: unknown): string | undefined {
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : undefined;
}
