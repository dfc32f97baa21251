import { InvalidStateError } from './errors.js';
import type { Future } from './future.js';
import { type HoldHost, HoldRequest } from './internal/hold.js';
import { WaiterList } from './internal/waiters.js';
import { signalOf } from './internal/signal.js';
import { checkFunction } from './internal/validate.js';
import type { SignalOptions } from './options.js';

/**
 * A mutual-exclusion lock: Python's `asyncio.Lock`.
 *
 * Fair: `release()` hands the lock straight to the first waiter, and `acquire()` queues behind
 * anyone already waiting, so waiters get the lock in the order they asked (no barging). Like
 * Python's, the lock has no owner: any code may call `release()`.
 *
 * Three ways to hold it:
 * - `await lock.acquire()` ... `lock.release()` (in a `finally`);
 * - `using _ = await lock.acquire()`: `acquire()` resolves to the lock, whose
 *   `[Symbol.dispose]()` releases it at the end of the block (Python's `async with lock:`);
 * - `await lock.hold(async () => ...)`: acquires, runs the callback, releases, returns its value.
 *
 * Differences from Python: `acquire()` resolves to the lock (not `true`); it takes
 * `{ signal }` instead of being cancelled; `release()` of an unlocked lock throws
 * {@link InvalidStateError} (Python: `RuntimeError`).
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * async function append(line: string) {
 *   using _ = await lock.acquire();
 *   await file.write(line); // one writer at a time
 * }
 * ```
 */
export class Lock {
  // Invariant: someone waits only while the lock is locked (release hands it over directly).
  #locked = false;
  readonly #waiters = new WaiterList<unknown>();
  readonly #host: HoldHost = { release: () => this.release(), waiters: this.#waiters };
  readonly #acquired: Promise<this> = Promise.resolve(this);

  /**
   * Waits until the lock is free and takes it; resolves to the lock itself (so that
   * `using _ = await lock.acquire()` releases it at the end of the block).
   *
   * Aborting `options.signal` while waiting rejects with `signal.reason` and leaves the queue;
   * an already aborted signal rejects at once, without taking the lock.
   *
   * @example
   * ```ts
   * await lock.acquire({ signal: AbortSignal.timeout(1000) });
   * try {
   *   await critical();
   * } finally {
   *   lock.release();
   * }
   * ```
   */
  acquire(options?: SignalOptions): Promise<this> {
    const signal = options === undefined ? undefined : signalOf(options);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (!this.#locked) {
      this.#locked = true;
      return this.#acquired;
    }
    return this.#waiters.wait(signal) as Promise<this>;
  }

  /**
   * Releases the lock: the first waiter (if any) gets it at once. Throws
   * {@link InvalidStateError} if the lock is not locked.
   *
   * @example
   * ```ts
   * await lock.acquire();
   * lock.release();
   * lock.locked(); // false
   * ```
   */
  release(): void {
    if (!this.#locked) {
      throw new InvalidStateError('Cannot release the Lock: it is not locked.');
    }
    if (!this.#waiters.wakeFirst(this)) this.#locked = false;
  }

  /**
   * True while the lock is held.
   *
   * @example
   * ```ts
   * const lock = new Lock();
   * lock.locked(); // false
   * await lock.acquire();
   * lock.locked(); // true
   * ```
   */
  locked(): boolean {
    return this.#locked;
  }

  /**
   * Acquires the lock, runs `fn`, releases the lock when `fn` has settled (also when it throws),
   * and resolves with `fn`'s value: the callback form of `async with lock:`. On a free lock `fn`
   * starts at once; otherwise it starts when its turn comes (FIFO with `acquire()` calls).
   *
   * Returns a {@link Future} (awaitable like a promise, and accepted by `gather`/`wait`):
   * `cancel()` on it while `fn` has not started removes it from the queue (it ends cancelled and
   * `fn` never runs); once `fn` runs it cannot be cancelled (`running()` is true, `cancel()`
   * returns false). Aborting `options.signal` while waiting rejects it with `signal.reason`. As
   * for every tsio future, a failure nobody awaits is not an unhandled rejection.
   *
   * @example
   * ```ts
   * const n = await lock.hold(async () => {
   *   const v = await read();
   *   await write(v + 1);
   *   return v + 1;
   * });
   * ```
   */
  hold<T>(fn: () => T | PromiseLike<T>, options?: SignalOptions): Future<Awaited<T>> {
    checkFunction('fn', fn);
    const signal = options === undefined ? undefined : signalOf(options);
    const request = new HoldRequest<Awaited<T>>(this.#host, fn as () => Awaited<T>);
    if (signal?.aborted) {
      request.reject(signal.reason);
      return request;
    }
    if (!this.#locked) {
      this.#locked = true;
      return request.start();
    }
    return request.park(signal);
  }

  /**
   * Releases the lock (as {@link Lock.release}), for `using _ = await lock.acquire()`.
   */
  [Symbol.dispose](): void {
    this.release();
  }

  get [Symbol.toStringTag](): string {
    return 'Lock';
  }
}
