import { TimeoutError } from './errors.js';
import { type Future, STATE, isFuture } from './future.js';
import { clearTimer, setTimer, type TimerHandle } from './internal/clock.js';
import { Outcome, observe } from './internal/observe.js';
import { createTask } from './task.js';
import {
  checkOptions,
  checkSignal,
  checkTimeout,
  isThenable,
  typeError,
} from './internal/validate.js';
import { messageOf } from './gather.js';

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /**
   * Aborting it cancels `aw` (when it can be cancelled), waits for it to finish, then rejects with
   * `signal.reason`.
   */
  signal?: AbortSignal | undefined;
}

/** What {@link waitFor} accepts: an awaitable, or a body to run as a cancellable task. */
export type Waitable<T> = PromiseLike<T> | ((signal: AbortSignal) => T | PromiseLike<T>);

/**
 * Waits for `aw` with a time limit: Python's `asyncio.wait_for`.
 *
 * On timeout, `aw` is cancelled (when it is a future or task; a function is run as a task so it
 * can be) and waitFor **waits until it has actually finished**: if it ended cancelled, waitFor
 * rejects with {@link TimeoutError}; if it swallowed the cancellation and returned a value, that
 * value is returned; if it threw another error, that error propagates. A plain promise cannot be
 * cancelled: on timeout waitFor rejects at once and the promise runs on.
 *
 * @param ms milliseconds, or `null` to wait without limit.
 * @example
 * ```ts
 * const task = createTask((signal) => sleep(10_000, 'late', { signal }));
 * await waitFor(task, 100); // rejects with TimeoutError after 100 ms; task.cancelled() is true
 * await waitFor((signal) => fetch(url, { signal }), 5000);
 * ```
 */
export function waitFor<T>(
  aw: Waitable<T>,
  ms: number | null,
  options?: WaitForOptions,
): Promise<T> {
  checkTimeout('ms', ms);
  checkOptions('options', options);
  const signal = options?.signal;
  checkSignal('options.signal', signal);
  let target: PromiseLike<T>;
  if (typeof aw === 'function') target = createTask(aw);
  else if (isThenable(aw)) target = aw;
  else throw typeError('aw', 'a future, task, promise or function', aw);

  const future = isFuture(target) ? (target as unknown as Future<T>) : null;

  return new Promise<T>((resolve, reject) => {
    let timer: TimerHandle | undefined;
    let cancelledBy: 'timeout' | 'signal' | null = null;

    const onAbort = (): void => {
      if (cancelledBy !== null) return;
      cancelledBy = 'signal';
      if (timer !== undefined) clearTimer(timer);
      // A future completes (and so settles this promise) through its observer; anything that
      // cannot be cancelled is left running and the wait ends now.
      if (future === null || !future.cancel(messageOf(signal!.reason))) {
        detach();
        reject(signal!.reason);
      }
    };

    const onTimeout = (): void => {
      timer = undefined;
      if (cancelledBy !== null) return;
      cancelledBy = 'timeout';
      signal?.removeEventListener('abort', onAbort);
      if (future === null || !future.cancel()) {
        detach();
        reject(new TimeoutError(`Timed out after ${ms} ms`));
      }
    };

    const detach = observe(target, (outcome, value) => {
      if (timer !== undefined) clearTimer(timer);
      signal?.removeEventListener('abort', onAbort);
      if (outcome === Outcome.Fulfilled) resolve(value as T);
      else if (outcome === Outcome.Cancelled && cancelledBy === 'timeout') {
        reject(new TimeoutError(`Timed out after ${ms} ms`, { cause: value }));
      } else if (outcome === Outcome.Cancelled && cancelledBy === 'signal') {
        reject(signal!.reason);
      } else reject(value);
    });

    if (future !== null && future._state !== STATE.PENDING) return;
    if (signal !== undefined) {
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
    }
    if (ms !== null && ms !== undefined && ms !== Infinity) {
      timer = setTimer(onTimeout, Math.max(0, ms));
    }
  });
}
