import { InvalidStateError } from './errors.js';
import type { Future } from './future.js';
import { Lock } from './lock.js';
import { WaiterList } from './internal/waiters.js';
import { signalOf } from './internal/signal.js';
import { checkFunction, checkInteger, typeError } from './internal/validate.js';
import type { SignalOptions } from './options.js';

/**
 * A condition variable: Python's `asyncio.Condition`. Tasks holding its lock wait (`wait()`,
 * `waitFor(predicate)`) until another task holding the lock notifies them (`notify(n)`,
 * `notifyAll()`).
 *
 * `wait()` releases the lock while it waits and takes it again before it returns, also when it
 * rejects (as in Python): after `await cond.wait()`, resolved or rejected, the caller holds the
 * lock. Notified waiters get the lock back in the order they were notified, before later
 * `acquire()` calls. A waiter that is notified and then aborted before it has the lock back
 * passes its notification on to the next waiter, so no notification is lost (Python 3.13).
 *
 * The lock is taken like a {@link Lock}'s: `acquire()`/`release()`, `using _ = await
 * cond.acquire()`, or `cond.hold(async () => ...)`. Several conditions may share one lock.
 *
 * Differences from Python: waiting or notifying without the lock is an
 * {@link InvalidStateError} (Python: `RuntimeError`); `wait()` resolves to `true` and takes
 * `{ signal }` instead of being cancelled.
 *
 * @example
 * ```ts
 * const cond = new Condition();
 * const items: string[] = [];
 *
 * async function consume() {
 *   using _ = await cond.acquire();
 *   await cond.waitFor(() => items.length > 0);
 *   return items.shift();
 * }
 * async function produce(item: string) {
 *   using _ = await cond.acquire();
 *   items.push(item);
 *   cond.notify();
 * }
 * ```
 */
export class Condition {
  readonly #lock: Lock;
  readonly #waiters = new WaiterList<unknown>();
  readonly #acquired: Promise<this> = Promise.resolve(this);

  /**
   * @param lock the lock to use (so that several conditions can share one); a new {@link Lock}
   * when omitted. Anything else than a `Lock` -> `TypeError`.
   */
  constructor(lock?: Lock) {
    if (lock !== undefined && !(lock instanceof Lock)) throw typeError('lock', 'a Lock', lock);
    this.#lock = lock ?? new Lock();
  }

  /**
   * Acquires the underlying lock (as {@link Lock.acquire}); resolves to the condition, whose
   * `[Symbol.dispose]()` releases the lock.
   *
   * @example
   * ```ts
   * using _ = await cond.acquire();
   * cond.notifyAll();
   * ```
   */
  acquire(options?: SignalOptions): Promise<this> {
    const signal = options === undefined ? undefined : signalOf(options);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const lock = this.#lock;
    if (!lock.locked()) {
      void lock.acquire(); // A free lock is taken synchronously.
      return this.#acquired;
    }
    return lock.acquire(options).then(() => this);
  }

  /**
   * Releases the underlying lock (as {@link Lock.release}); {@link InvalidStateError} if it is
   * not locked.
   *
   * @example
   * ```ts
   * await cond.acquire();
   * cond.release();
   * ```
   */
  release(): void {
    this.#lock.release();
  }

  /**
   * True while the underlying lock is held.
   *
   * @example
   * ```ts
   * new Condition().locked(); // false
   * ```
   */
  locked(): boolean {
    return this.#lock.locked();
  }

  /**
   * Acquires the lock, runs `fn`, releases the lock once `fn` has settled, and resolves with its
   * value (as {@link Lock.hold}, whose {@link Future} it returns).
   *
   * @example
   * ```ts
   * const item = await cond.hold(async () => {
   *   await cond.waitFor(() => items.length > 0);
   *   return items.shift();
   * });
   * ```
   */
  hold<T>(fn: () => T | PromiseLike<T>, options?: SignalOptions): Future<Awaited<T>> {
    return this.#lock.hold(fn, options);
  }

  /**
   * Releases the lock, waits until notified, takes the lock again, and resolves with `true`. The
   * caller must hold the lock (else the promise rejects with {@link InvalidStateError}).
   *
   * Aborting `options.signal` while waiting removes the waiter, takes the lock again (waiting
   * for it without a signal, as Python does) and then rejects with `signal.reason`: the lock is
   * held again when this rejects. With an already aborted signal it rejects at once, the lock
   * still held. A waiter can wake without the condition being true (a notification passed on by
   * an aborted waiter, or another task getting there first), so check the condition in a loop,
   * or use {@link Condition.waitFor}.
   *
   * @example
   * ```ts
   * using _ = await cond.acquire();
   * while (!ready) await cond.wait({ signal });
   * ```
   */
  wait(options?: SignalOptions): Promise<true> {
    const signal = options === undefined ? undefined : signalOf(options);
    if (!this.#lock.locked()) {
      return Promise.reject(
        new InvalidStateError('Cannot wait on the Condition: its lock is not acquired.'),
      );
    }
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const waiting = this.#waiters.wait(signal);
    this.#lock.release();
    return waiting.then(
      // Notified: `#notify` has already queued this waiter for the lock, and it now holds it.
      () => {
        if (signal?.aborted) {
          // Aborted after the notification: pass the notification on, as Python 3.13 does.
          this.#notify(1);
          throw signal.reason;
        }
        return true as const;
      },
      // Aborted while waiting: take the lock back before rejecting.
      (reason: unknown) =>
        this.#lock.acquire().then(() => {
          throw reason;
        }),
    );
  }

  /**
   * Waits until `predicate()` returns a truthy value and resolves with that value: Python's
   * `wait_for`. The predicate is called with the lock held, first before waiting at all, then
   * after each notification. The caller must hold the lock (else the promise rejects with
   * {@link InvalidStateError}, even if the predicate is already true); aborting
   * `options.signal` rejects as {@link Condition.wait} does, with the lock held.
   *
   * @example
   * ```ts
   * using _ = await cond.acquire();
   * const job = await cond.waitFor(() => jobs.shift());
   * ```
   */
  waitFor<T>(predicate: () => T, options?: SignalOptions): Promise<T> {
    checkFunction('predicate', predicate);
    signalOf(options);
    if (!this.#lock.locked()) {
      return Promise.reject(
        new InvalidStateError('Cannot wait on the Condition: its lock is not acquired.'),
      );
    }
    return this.#waitFor(predicate, options);
  }

  /**
   * Wakes up to `n` waiters (default 1), in the order they started waiting. The caller must hold
   * the lock ({@link InvalidStateError} otherwise); `n` must be an integer >= 0 (`RangeError`).
   * The woken waiters get the lock, in that order, after the notifier releases it.
   *
   * @example
   * ```ts
   * using _ = await cond.acquire();
   * items.push(item);
   * cond.notify();
   * ```
   */
  notify(n = 1): void {
    checkInteger('n', n, 0);
    if (!this.#lock.locked()) {
      throw new InvalidStateError('Cannot notify on the Condition: its lock is not acquired.');
    }
    this.#notify(n);
  }

  /**
   * Wakes every waiter (as `notify(n)` with `n` the number of waiters). The caller must hold
   * the lock ({@link InvalidStateError} otherwise).
   *
   * @example
   * ```ts
   * using _ = await cond.acquire();
   * done = true;
   * cond.notifyAll();
   * ```
   */
  notifyAll(): void {
    if (!this.#lock.locked()) {
      throw new InvalidStateError('Cannot notify on the Condition: its lock is not acquired.');
    }
    this.#notify(this.#waiters.size);
  }

  /** Releases the underlying lock (as {@link Condition.release}), for `using`. */
  [Symbol.dispose](): void {
    this.release();
  }

  get [Symbol.toStringTag](): string {
    return 'Condition';
  }

  async #waitFor<T>(predicate: () => T, options: SignalOptions | undefined): Promise<T> {
    let result = predicate();
    while (!result) {
      await this.wait(options);
      result = predicate();
    }
    return result;
  }

  /**
   * Moves up to `n` waiters from the condition to the lock's queue, in order: each waiter's
   * promise follows its lock acquisition (the lock is held by the notifier, so they queue).
   */
  #notify(n: number): void {
    const waiters = this.#waiters;
    for (let i = 0; i < n; i++) {
      const w = waiters.shift();
      if (w === null) break;
      w.resolve(this.#lock.acquire());
    }
  }
}
