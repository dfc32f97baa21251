import { CancelledError, InvalidStateError, TimeoutError, isCancelledError } from './errors.js';
import { clearTimer, now, setTimer, type TimerHandle } from './internal/clock.js';
import {
  checkFunction,
  checkOptions,
  checkSignal,
  checkTimeout,
  rangeError,
  typeError,
} from './internal/validate.js';

/** Options of {@link timeout} and {@link timeoutAt}. */
export interface TimeoutOptions {
  /** An outer signal: aborting it aborts the scope too, and the scope rejects with its reason. */
  signal?: AbortSignal | undefined;
}

/**
 * The scope handed to the body of {@link timeout}: Python's `asyncio.Timeout`.
 */
export interface TimeoutScope {
  /** Aborts (reason: a {@link CancelledError}) when the deadline passes or the outer signal aborts. */
  readonly signal: AbortSignal;
  /** The deadline in tsio's clock (`performance.now()` milliseconds), or null for none. */
  when(): number | null;
  /**
   * Moves the deadline (null removes it). Throws {@link InvalidStateError} once the scope has
   * expired or finished, as Python does.
   */
  reschedule(deadline: number | null): void;
  /** True once the deadline has passed and the scope's signal was aborted for it. */
  expired(): boolean;
}

/**
 * Runs `fn` with a deadline `ms` milliseconds from now: Python's `async with asyncio.timeout(s)`.
 * When the deadline passes, the scope's signal aborts with a {@link CancelledError}; once `fn` has
 * settled, the scope rejects with {@link TimeoutError} if `fn` ended with a cancellation. If `fn`
 * returned a value anyway, that value is returned; other errors propagate as they are.
 *
 * @param ms milliseconds, or `null` for no deadline (it can be set later with `reschedule`).
 * @example
 * ```ts
 * const body = await timeout(5000, async (signal) => {
 *   const res = await fetch(url, { signal });
 *   return res.text();
 * }); // rejects with TimeoutError after 5 s
 * ```
 */
export function timeout<T>(
  ms: number | null,
  fn: (signal: AbortSignal, scope: TimeoutScope) => T | PromiseLike<T>,
  options?: TimeoutOptions,
): Promise<T> {
  checkTimeout('ms', ms);
  return runScope(ms === null || ms === undefined ? null : now() + ms, fn, options);
}

/**
 * Like {@link timeout}, with an absolute deadline in tsio's clock (`performance.now()`
 * milliseconds; virtual under `tsio/testing`): Python's `asyncio.timeout_at`.
 *
 * @example
 * ```ts
 * const deadline = performance.now() + 1000;
 * await timeoutAt(deadline, (signal) => step1(signal));
 * await timeoutAt(deadline, (signal) => step2(signal)); // shares what is left of the second
 * ```
 */
export function timeoutAt<T>(
  deadline: number | null,
  fn: (signal: AbortSignal, scope: TimeoutScope) => T | PromiseLike<T>,
  options?: TimeoutOptions,
): Promise<T> {
  checkDeadline('deadline', deadline);
  return runScope(deadline, fn, options);
}

function checkDeadline(name: string, value: unknown): asserts value is number | null {
  if (value === null) return;
  if (typeof value !== 'number') {
    throw typeError(name, 'a number (milliseconds in performance.now() time) or null', value);
  }
  if (Number.isNaN(value)) throw rangeError(name, 'a number, not NaN', value);
}

function runScope<T>(
  deadline: number | null,
  fn: (signal: AbortSignal, scope: TimeoutScope) => T | PromiseLike<T>,
  options: TimeoutOptions | undefined,
): Promise<T> {
  checkFunction('fn', fn);
  checkOptions('options', options);
  const outer = options?.signal;
  checkSignal('options.signal', outer);

  const controller = new AbortController();
  let when = deadline;
  let timer: TimerHandle | undefined;
  let expired = false;
  let finished = false;

  const expire = (): void => {
    timer = undefined;
    if (controller.signal.aborted) return;
    expired = true;
    controller.abort(new CancelledError('The timeout expired'));
  };
  const arm = (): void => {
    if (timer !== undefined) clearTimer(timer);
    timer = undefined;
    if (when === null || controller.signal.aborted) return;
    const delay = when - now();
    if (delay <= 0) expire();
    else timer = setTimer(expire, delay);
  };
  const onOuterAbort = (): void => {
    if (!controller.signal.aborted) controller.abort(outer!.reason);
  };

  const scope: TimeoutScope = {
    signal: controller.signal,
    when: () => when,
    reschedule(newDeadline) {
      checkDeadline('deadline', newDeadline);
      if (expired || finished) {
        throw new InvalidStateError(
          `Cannot reschedule a timeout that has ${expired ? 'expired' : 'finished'}.`,
        );
      }
      when = newDeadline;
      arm();
    },
    expired: () => expired,
  };

  if (outer !== undefined) {
    if (outer.aborted) return Promise.reject(outer.reason as Error);
    outer.addEventListener('abort', onOuterAbort, { once: true });
  }
  arm();

  const settle = (): void => {
    finished = true;
    if (timer !== undefined) clearTimer(timer);
    timer = undefined;
    outer?.removeEventListener('abort', onOuterAbort);
  };

  let result: T | PromiseLike<T>;
  try {
    result = fn(controller.signal, scope);
  } catch (error) {
    settle();
    return Promise.reject(translate(error));
  }
  function translate(error: unknown): unknown {
    if (expired && (isCancelledError(error) || error === controller.signal.reason)) {
      return new TimeoutError(
        `The timeout expired${when === null ? '' : ` (deadline ${when.toFixed(1)} ms)`}`,
        { cause: error },
      );
    }
    if (expired && (error as { name?: unknown } | null)?.name === 'AbortError') {
      return new TimeoutError('The timeout expired', { cause: error });
    }
    return error;
  }
  return Promise.resolve(result).then(
    (value) => {
      settle();
      return value;
    },
    (error: unknown) => {
      settle();
      throw translate(error);
    },
  );
}
