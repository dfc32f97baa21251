import { WaiterList } from './internal/waiters.js';
import { signalOf } from './internal/signal.js';
import type { SignalOptions } from './options.js';

const TRUE: Promise<true> = Promise.resolve(true);

/**
 * A flag that tasks can wait for: Python's `asyncio.Event`. It starts unset; `set()` sets it and
 * wakes every waiter (in the order they started waiting, those that passed a `signal` first); `clear()` unsets it; `wait()` resolves
 * at once while it is set.
 *
 * An event holds nothing, so there is no scoped form (no `using`, no `hold`): waiting on it
 * never has to be undone.
 *
 * @example
 * ```ts
 * const ready = new Event();
 * createTask(async () => {
 *   await ready.wait();
 *   console.log('go');
 * });
 * ready.set(); // logs 'go'
 * ```
 */
export class Event {
  #value = false;
  readonly #waiters = new WaiterList<true>();
  // Waiters without a signal share one promise per set/clear period: a million tasks parked on
  // one event then cost one promise reaction each, not a promise, two closures and a waiter.
  #shared: Promise<true> | null = null;
  #wakeShared: ((value: true) => void) | null = null;

  /**
   * Sets the flag and wakes every waiter, in order (waits with a `signal` first). Does nothing if it is already set.
   *
   * @example
   * ```ts
   * const e = new Event();
   * e.set();
   * e.isSet(); // true
   * ```
   */
  set(): void {
    if (this.#value) return;
    this.#value = true;
    this.#waiters.wakeAll(true);
    const wake = this.#wakeShared;
    this.#shared = this.#wakeShared = null;
    wake?.(true);
  }

  /**
   * Unsets the flag: later `wait()` calls wait until the next `set()`.
   *
   * @example
   * ```ts
   * e.set();
   * e.clear();
   * e.isSet(); // false
   * ```
   */
  clear(): void {
    this.#value = false;
  }

  /**
   * True while the flag is set.
   *
   * @example
   * ```ts
   * new Event().isSet(); // false
   * ```
   */
  isSet(): boolean {
    return this.#value;
  }

  /**
   * Resolves with `true` once the flag is set (at once if it is set now). Aborting
   * `options.signal` rejects with `signal.reason` and removes the waiter; an already aborted
   * signal rejects at once.
   *
   * @example
   * ```ts
   * await event.wait({ signal: AbortSignal.timeout(5000) });
   * ```
   */
  wait(options?: SignalOptions): Promise<true> {
    const signal = options === undefined ? undefined : signalOf(options);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.#value) return TRUE;
    if (signal !== undefined) return this.#waiters.wait(signal);
    return (this.#shared ??= new Promise<true>((resolve) => {
      this.#wakeShared = resolve;
    }));
  }

  get [Symbol.toStringTag](): string {
    return 'Event';
  }
}
