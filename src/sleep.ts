import { clearTimer, setTimer } from './internal/clock.js';
import { checkDelay, checkOptions, checkSignal } from './internal/validate.js';

/** Options of {@link sleep}. */
export interface SleepOptions {
  /** Aborting it rejects the sleep with `signal.reason` and clears the timer. */
  signal?: AbortSignal | undefined;
}

/**
 * Resolves with `value` after `ms` milliseconds: Python's `asyncio.sleep` (in milliseconds, not
 * seconds). `sleep(0)` yields to the event loop once (a macrotask turn). The timer goes through
 * tsio's clock, so tests can advance it with `tsio/testing`.
 *
 * @param ms milliseconds, >= 0 (`Infinity` sleeps until aborted); negative or NaN -> `RangeError`.
 * @example
 * ```ts
 * await sleep(100);
 * const v = await sleep(10, 'hello'); // 'hello'
 * await sleep(1000, undefined, { signal: AbortSignal.timeout(10) }); // rejects
 * ```
 */
export function sleep<T = void>(ms: number, value?: T, options?: SleepOptions): Promise<T> {
  checkDelay('ms', ms);
  checkOptions('options', options);
  const signal = options?.signal;
  checkSignal('options.signal', signal);
  if (signal === undefined) {
    return new Promise<T>((resolve) => {
      if (ms === 0) setImmediate(resolve, value as T);
      else setTimer(() => resolve(value as T), ms);
    });
  }
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const done = (): void => {
      signal.removeEventListener('abort', onAbort);
      resolve(value as T);
    };
    const immediate = ms === 0 ? setImmediate(done) : undefined;
    const timer = ms === 0 ? undefined : setTimer(done, ms);
    function onAbort(): void {
      if (immediate !== undefined) clearImmediate(immediate);
      if (timer !== undefined) clearTimer(timer);
      reject(signal!.reason);
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
